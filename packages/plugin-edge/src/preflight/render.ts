import { marks, paint, renderTable } from '@frameworks/cli-kit';
import type { CheckStatus, PreflightReport } from './types.js';

export function statusMark(s: CheckStatus): string {
  switch (s) {
    case 'pass':
      return marks.ok();
    case 'warn':
      return marks.warn();
    case 'fail':
      return marks.fail();
    case 'skip':
      return paint('–', 'dim');
  }
}

export function summaryLine(r: PreflightReport): string {
  const s = r.summary;
  const parts = [`${s.pass} passed`, `${s.warn} warning${s.warn === 1 ? '' : 's'}`, `${s.fail} failed`, `${s.skip} skipped`];
  return `Summary: ${s.total} checks: ${parts.join(', ')} (${(s.duration_ms / 1000).toFixed(1)} s)`;
}

/** The table of one host: check, status mark, value seen, threshold, hint (only when not a pass). */
export function renderPreflight(r: PreflightReport): string {
  const table = renderTable(r.checks, [
    { header: 'check', get: (c) => c.id, keep: true },
    { header: 'status', get: (c) => statusMark(c.status), keep: true },
    { header: 'value seen', get: (c) => c.value, min: 20, wrap: (c) => c.status !== 'pass' },
    { header: 'threshold', get: (c) => c.threshold, min: 16, optional: true, belowWhenLeftOut: (c) => c.status === 'fail' || c.status === 'warn' },
    // On a terminal the hint goes on its own lines under the row (the full table keeps the column).
    { header: 'hint', get: (c) => (c.status === 'pass' ? '' : c.hint), below: true },
  ]);
  return `${table}\n${summaryLine(r)}`;
}
