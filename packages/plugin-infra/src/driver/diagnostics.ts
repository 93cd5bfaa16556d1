import type { Diagnostic } from './ui-events.js';

/** A diagnostic as the operator reads it: severity, summary, file:line, the source line and the detail. */
export function formatDiagnostic(d: Diagnostic): string {
  const lines = [`${d.severity === 'warning' ? 'Warning' : 'Error'}: ${d.summary}`];
  if (d.range) lines.push(`  on ${d.range.filename}:${d.range.start.line}${d.address ? ` (${d.address})` : ''}`);
  else if (d.address) lines.push(`  in ${d.address}`);
  if (d.snippet) {
    lines.push(`  ${String(d.snippet.start_line).padStart(4)}: ${d.snippet.code}`);
    const from = d.snippet.highlight_start_offset;
    const to = d.snippet.highlight_end_offset;
    if (from !== undefined && to !== undefined && to > from) lines.push(`        ${' '.repeat(from)}${'^'.repeat(to - from)}`);
  }
  if (d.detail) lines.push(...d.detail.split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}

export interface DiagnosticView {
  severity: string;
  summary: string;
  detail: string | null;
  file: string | null;
  line: number | null;
  snippet: string | null;
  address: string | null;
}

export function diagnosticView(d: Diagnostic): DiagnosticView {
  return {
    severity: d.severity,
    summary: d.summary,
    detail: d.detail || null,
    file: d.range?.filename ?? null,
    line: d.range?.start.line ?? null,
    snippet: d.snippet?.code ?? null,
    address: d.address ?? null,
  };
}

/** "Error acquiring the state lock": the lock's id, holder and since when, from the diagnostic's Lock Info. */
export function lockInfo(d: Diagnostic): { id: string; who: string; created: string } | undefined {
  if (!/acquiring the state lock/i.test(d.summary)) return undefined;
  const get = (k: string) => new RegExp(`^\\s*${k}:\\s*(.*)$`, 'm').exec(d.detail ?? '')?.[1]?.trim() ?? '';
  return { id: get('ID'), who: get('Who'), created: get('Created') };
}
