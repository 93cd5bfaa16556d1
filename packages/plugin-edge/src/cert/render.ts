import { marks, renderKeyValues } from '@frameworks/cli-kit';
import type { CertReport } from './probe.js';
import { formatLeft } from './evaluate.js';

export function statusMark(s: 'pass' | 'warn' | 'fail' | 'skip'): string {
  return s === 'pass' ? marks.ok() : s === 'warn' ? marks.warn() : s === 'skip' ? '–' : marks.fail();
}

/** Human view of one certificate: what it is, when it ends, and the verdict. */
export function renderCert(r: CertReport): string {
  const pairs: Array<[string, string]> = [
    ['url', `${r.url} (dialled ${r.dialled}${r.protocol ? `, ${r.protocol}` : ''}, ${r.latency_ms} ms)`],
  ];
  if (r.subject !== undefined) {
    pairs.push(
      ['subject', r.subject || '(none)'],
      ['issuer', r.issuer ?? ''],
      ['SANs', (r.sans ?? []).join(', ') || '(none)'],
      ['not before', r.not_before ?? ''],
      ['not after', r.not_after ?? ''],
      ['days left', r.days_left === undefined ? '' : r.days_left < 1 && r.days_left >= 0 ? `0 (${formatLeft(Date.parse(r.not_after ?? '') - Date.now())})` : String(r.days_left)],
    );
  }
  pairs.push(['verified', `${r.verified ? 'yes' : 'no'} (${r.trust === 'caddy-internal' ? "Caddy's internal root" : r.trust === 'ca-file' ? 'the given CA file' : 'system roots'})${r.error ? ` — ${r.error}` : ''}`]);
  return `${renderKeyValues(pairs)}\n${statusMark(r.status)} ${r.message}`;
}
