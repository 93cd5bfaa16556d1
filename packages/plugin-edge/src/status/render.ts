import { conditionCell, marks, paint, renderTable, type Condition } from '@frameworks/cli-kit';
import { formatLeft } from '../cert/evaluate.js';
import type { StatusReport } from './run.js';
import { formatUptime, type ItemStatus, type ServiceStatus } from './services.js';

const mark = (s: ItemStatus | 'skip' | 'info') => (s === 'pass' ? marks.ok() : s === 'warn' ? marks.warn() : s === 'fail' ? marks.fail() : paint('–', 'dim'));

function imageText(s: ServiceStatus): string {
  if (!s.image) return '';
  const id = s.digest ?? s.image_id;
  return id ? `${s.image} (${id.replace(/^sha256:/, 'sha256:').slice(0, 19)}…)` : s.image;
}

/** The shared status vocabulary for a service row: a warning (drift) still serves, so it is degraded, not down. */
const CONDITION: Record<ServiceStatus['status'], Condition> = { pass: 'ok', warn: 'degraded', fail: 'down', skip: 'unknown' };

export function renderServices(services: ServiceStatus[]): string {
  return renderTable(services, [
    { header: 'service', get: (s) => s.service, keep: true },
    { header: 'status', get: (s) => conditionCell(CONDITION[s.status]), keep: true },
    { header: 'state', get: (s) => (s.state === 'exited' || s.state === 'dead' ? `${s.state} (${s.exit_code})` : s.state) },
    { header: 'health', get: (s) => s.health },
    { header: 'restarts', get: (s) => (s.restarts === undefined ? '' : String(s.restarts)), optional: true },
    { header: 'uptime', get: (s) => formatUptime(s.uptime_s) },
    { header: 'image', get: imageText, optional: true },
    { header: 'problem', get: (s) => s.problem ?? '', below: true },
  ]);
}

/** One host, in full: the service table, then HTTPS, certificate, DNS, node and Quartermaster lines. */
export function renderStatus(r: StatusReport): string {
  const lines: string[] = [];
  const compose = r.compose ? `compose ${r.compose.kind} ${r.compose.version}` : 'compose not found';
  lines.push(`Edge stack ${r.project} in ${r.dir}${r.host === 'local' ? '' : ` on ${r.host}`} (${compose}; ${r.domain || 'no domain'}, tls ${r.tls})`, '');
  if (r.engine) lines.push(`${marks.fail()} ${r.engine.message} — ${r.engine.fix}`, '');
  lines.push(renderServices(r.services), '');
  const rows: Array<[string, string, string]> = [];
  if (r.https) {
    const h = r.https;
    const health = h.health ? (h.health.status ? `/health ${h.health.status}` : `/health: ${h.health.error ?? 'no answer'}`) : '';
    rows.push([mark(h.ok ? 'pass' : 'fail'), 'HTTPS', h.handshake ? `${h.url} → ${health} (${h.protocol ?? 'TLS'}, ${h.latency_ms} ms via ${h.dialled})` : `${h.url}: ${h.error ?? 'no TLS handshake'} (via ${h.dialled})`]);
  } else rows.push([mark('skip'), 'HTTPS', 'not checked (no domain)']);
  if (r.cert && r.cert.code !== 'HTTPS_UNREACHABLE') {
    const c = r.cert;
    const left = c.days_left !== undefined && c.days_left < 1 && c.not_after ? formatLeft(Date.parse(c.not_after) - Date.now()) : `${c.days_left} days`;
    rows.push([mark(c.status), 'certificate', `${left} left, issuer ${c.issuer}, ${c.verified ? 'verified' : `not verified (${c.error ?? 'untrusted'})`}${c.status === 'pass' ? '' : ` — ${c.message}`}`]);
  } else rows.push([mark('skip'), 'certificate', r.https ? 'none (no TLS handshake)' : 'not checked']);
  if (r.dns) rows.push([mark(r.dns.status), 'DNS', `${r.dns.value}${r.dns.status === 'pass' || !r.dns.hint ? '' : ` — ${r.dns.hint}`}`]);
  rows.push([mark(r.node.node_id ? 'info' : r.engine ? 'skip' : 'warn'), 'node', r.node.node_id ? `${r.node.node_id}, mode ${r.node.mode ?? '?'} (Helmsman)` : r.engine ? (r.node.error ?? '') : `unknown: ${r.node.error ?? 'no answer'}`]);
  if (r.quartermaster) rows.push([mark(r.quartermaster.status === 'ok' ? 'pass' : 'info'), 'Quartermaster', r.quartermaster.note]);
  const w = Math.max(...rows.map(([, k]) => k.length));
  for (const [m, k, v] of rows) lines.push(`${m} ${k.padEnd(w)}  ${v}`);
  return lines.join('\n');
}

/** Several hosts: one row each. */
export function renderFleet(rows: Array<{ host: string; report?: StatusReport; error?: string }>): string {
  return renderTable(rows, [
    { header: 'host', get: (r) => r.host },
    { header: 'services', get: (r) => (r.report ? `${r.report.summary.up}/${r.report.summary.total} up` : '') },
    { header: 'health', get: (r) => (r.report ? (r.report.problems.length ? r.report.problems[0] : `${r.report.summary.healthy}/${r.report.summary.total} healthy`) : '') },
    { header: 'cert', get: (r) => (r.report?.cert?.days_left !== undefined ? `${r.report.cert.days_left} d` : '–') },
    { header: 'verdict', get: (r) => (r.report ? `${r.report.verdict === 'healthy' ? marks.ok() : marks.fail()} ${r.report.verdict}` : `${marks.fail()} failed: ${r.error ?? ''}`) },
  ]);
}
