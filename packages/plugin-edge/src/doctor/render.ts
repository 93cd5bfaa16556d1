import { marks, paint, renderTable } from '@frameworks/cli-kit';
import type { CheckStatus } from '../preflight/types.js';
import { SECTIONS, type DoctorReport, type SectionName } from './run.js';

const TITLES: Record<SectionName, string> = { preflight: 'Host (preflight)', services: 'Services', https: 'HTTPS', cert: 'Certificate' };

function mark(s: CheckStatus): string {
  return s === 'pass' ? marks.ok() : s === 'warn' ? marks.warn() : s === 'fail' ? marks.fail() : paint('–', 'dim');
}

/** One report, grouped by section; a failing or warning item shows its fix beside it. */
export function renderDoctor(r: DoctorReport): string {
  const out: string[] = [];
  for (const name of SECTIONS) {
    const s = r.sections[name];
    out.push(paint(`${s.skipped ? '–' : s.ok ? marks.ok() : marks.fail()} ${TITLES[name]}${s.skipped ? ' (skipped)' : ''}`, 'bold'));
    if (s.items.length) {
      const table = renderTable(
        s.items,
        [
          { header: 'check', get: (i) => `${mark(i.status)} ${i.id}`, keep: true },
          { header: 'value', get: (i) => i.value, wrap: (i) => i.status !== 'pass' },
          // On a terminal the fix goes on its own lines under the item (the full table keeps the column).
          { header: 'fix', get: (i) => i.fix ?? '', below: true },
        ],
        { indent: 2 },
      );
      out.push(table.split('\n').map((l) => `  ${l}`).join('\n'));
    }
    out.push('');
  }
  const { pass, warn, fail, skip } = r.summary;
  out.push(`Summary: ${pass} passed, ${warn} warning${warn === 1 ? '' : 's'}, ${fail} failed, ${skip} skipped (${(r.duration_ms / 1000).toFixed(1)} s)`);
  return out.join('\n');
}
