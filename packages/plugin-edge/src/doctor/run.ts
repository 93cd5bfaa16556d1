import { isFrameworksError } from '@frameworks/sdk';
import { formatLeft } from '../cert/evaluate.js';
import type { HostContext } from '@frameworks/sdk';
import { edgeHint } from '../lib/edge-hint.js';
import { openStack, type EdgeStack } from '../lib/stack.js';
import type { ClockSample } from '../preflight/clock.js';
import type { Check, CheckStatus } from '../preflight/types.js';
import { statusOf, type StatusOptions, type StatusReport } from '../status/run.js';
import { certFix, httpsFix, preflightFix, serviceFix, type FixContext } from '../status/remediation.js';

export const SECTIONS = ['preflight', 'services', 'https', 'cert'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface DoctorItem {
  id: string;
  /** What kind of finding it is; the remedy is chosen by it (never by a substring of the id). */
  category: string;
  status: CheckStatus;
  value: string;
  hint?: string;
  /** The exact command that fixes or explains it: always set on a failure, and on warnings. */
  fix?: string;
}

export interface DoctorSection {
  ok: boolean;
  /** Left out with --skip. */
  skipped?: boolean;
  items: DoctorItem[];
}

export interface DoctorReport {
  host: string;
  dir: string;
  ok: boolean;
  sections: Record<SectionName, DoctorSection>;
  /** Fixes of the failures, then of the warnings; each once, in report order. */
  next_steps: string[];
  summary: { pass: number; warn: number; fail: number; skip: number };
  duration_ms: number;
}

export interface DoctorOptions {
  domain?: string;
  expectIps?: string[];
  skip?: SectionName[];
  /** Clock reference of a local run (the context gateway's Date header). */
  referenceClock?: () => Promise<ClockSample | { error: string }>;
  quartermaster?: StatusOptions['quartermaster'];
}

const item = (id: string, category: string, status: CheckStatus, value: string, extra: { hint?: string; fix?: string } = {}): DoctorItem => ({
  id,
  category,
  status,
  value,
  ...(extra.hint ? { hint: extra.hint } : {}),
  ...(extra.fix && status !== 'pass' && status !== 'skip' ? { fix: extra.fix } : {}),
});

function section(items: DoctorItem[], skipped = false): DoctorSection {
  return { ok: !items.some((i) => i.status === 'fail'), ...(skipped ? { skipped } : {}), items };
}

/** Preflight checks as doctor items; the DNS check is the one status made (test/internal names skipped). */
export function preflightItems(checks: Check[], fx: FixContext, dns?: StatusReport['dns']): DoctorItem[] {
  return checks.map((c) => {
    if (c.id === 'dns' && dns) return item('dns', 'dns', dns.status, dns.value, { hint: dns.hint, fix: preflightFix(c, fx) });
    return item(c.id, c.category, c.status, c.value, { hint: c.hint, fix: preflightFix(c, fx) });
  });
}

/** Services, Helmsman's node identity and Quartermaster's view (the last two never fail). */
export function serviceItems(s: StatusReport, fx: FixContext, engineSaidByPreflight = true): DoctorItem[] {
  // The engine is down: the preflight's docker check says so once; the services are not checked.
  if (s.engine) {
    const skipped = engineSaidByPreflight ? [] : [item('docker', 'docker', 'fail', s.engine.message, { fix: s.engine.fix })];
    skipped.push(...s.services.map((svc) => item(`service:${svc.service}`, 'service', 'skip', 'not checked: needs the Docker engine (see docker)')));
    skipped.push(item('node', 'node', 'skip', "Helmsman's node id not checked: needs the Docker engine"));
    if (s.quartermaster) skipped.push(item('quartermaster', 'quartermaster', s.quartermaster.status === 'ok' ? 'pass' : 'skip', s.quartermaster.note));
    return skipped;
  }
  const out = s.services.map((svc) =>
    item(`service:${svc.service}`, 'service', svc.status, svc.problem ? (svc.problem.startsWith(svc.state) ? svc.problem : `${svc.state}: ${svc.problem}`) : `${svc.state}${svc.health !== 'none' ? `, ${svc.health}` : ''}`, {
      // Containers that could not be listed at all: the daemon's fix, not one per service.
      fix: s.error ? (s.error.suggestions[0] ?? 'docker info') : serviceFix(svc, fx),
    }),
  );
  out.push(
    s.node.node_id
      ? item('node', 'node', 'pass', `${s.node.node_id}, mode ${s.node.mode ?? '?'}`)
      : item('node', 'node', 'warn', `Helmsman's node id unknown: ${s.node.error ?? 'no answer'}`, { fix: edgeHint(fx.host, 'logs helmsman', '--tail', '100') }),
  );
  if (s.quartermaster) out.push(item('quartermaster', 'quartermaster', s.quartermaster.status === 'ok' ? 'pass' : 'skip', s.quartermaster.note));
  return out;
}

export function httpsItems(s: StatusReport, fx: FixContext): DoctorItem[] {
  const h = s.https;
  if (!h) return [item('https', 'https', 'skip', 'no domain: EDGE_DOMAIN is empty')];
  const items = [item('https', 'https', h.handshake ? 'pass' : 'fail', h.handshake ? `${h.url}: TLS handshake via ${h.dialled} (${h.protocol ?? 'TLS'}, ${h.latency_ms} ms)` : `${h.url}: ${h.error ?? 'no TLS handshake'} (via ${h.dialled})`, { fix: httpsFix(h, fx) })];
  if (h.handshake) {
    const hh = h.health;
    items.push(item('health', 'https', hh?.ok ? 'pass' : 'fail', hh?.status ? `GET /health → HTTP ${hh.status}` : `GET /health: ${hh?.error ?? 'not run'}`, { hint: 'Caddy proxies /health to Helmsman.', fix: httpsFix(h, fx) }));
  }
  return items;
}

export function certItems(s: StatusReport, fx: FixContext): DoctorItem[] {
  const c = s.cert;
  if (!c) return [item('cert', 'cert', 'skip', 'no domain: EDGE_DOMAIN is empty')];
  if (c.code === 'HTTPS_UNREACHABLE') return [item('cert', 'cert', 'skip', 'no certificate: the TLS handshake failed (see https)')];
  const value = `${c.subject || (c.sans ?? []).join(', ')} by ${c.issuer}; ${c.days_left !== undefined && c.days_left >= 1 ? `${c.days_left} days` : formatLeft(Date.parse(c.not_after ?? '') - Date.now())} left (until ${c.not_after}); ${c.verified ? 'verified' : `not verified: ${c.error ?? 'untrusted'}`}`;
  return [item('cert', 'cert', c.status, value, { hint: c.status === 'pass' ? undefined : c.message, fix: certFix(c, fx) })];
}

export function nextSteps(sections: Record<SectionName, DoctorSection>): string[] {
  const out: string[] = [];
  for (const status of ['fail', 'warn'] as const) {
    for (const name of SECTIONS) for (const i of sections[name].items) if (i.status === status && i.fix && !out.includes(i.fix)) out.push(i.fix);
  }
  return out;
}

/**
 * Preflight, status (services, node, Quartermaster), HTTPS and the certificate of one host, run at
 * the same time, as one report. Nothing here throws for a finding: a stack that is not initialised
 * or a daemon that is down is a failed item with its fix.
 */
export async function runDoctor(h: HostContext, o: DoctorOptions = {}): Promise<DoctorReport> {
  const started = performance.now();
  const skip = new Set(o.skip ?? []);
  // Over SSH: the status half's facts in a few round trips (preflight gathers its own).
  const { gatherStatusFacts } = await import('../status/gather.js');
  const statusHost = { ...h, executor: gatherStatusFacts(h.executor, { remote: h.remote, dir: h.dir, ...(o.domain ? { domain: o.domain } : {}), dns: !skip.has('preflight') }) };
  const opened: EdgeStack | Error = await openStack(statusHost, o.domain ? { domain: o.domain } : {}).catch((e: Error) => e);
  const stack = opened instanceof Error ? undefined : opened;
  const fx: FixContext = { host: h, domain: stack?.domain ?? o.domain ?? '' };

  const preflightP = skip.has('preflight')
    ? Promise.resolve(undefined)
    : import('../preflight/run.js').then(({ runPreflight }) =>
        runPreflight(h.executor, {
          host: h.host,
          dir: h.dir,
          remote: h.remote,
          ...(fx.domain ? { domain: fx.domain } : {}),
          ...(o.expectIps?.length ? { expectIps: o.expectIps } : {}),
          // The ports this stack publishes (a test stack uses others than 80/443).
          ...(stack ? { ports: [stack.httpPort, stack.httpsPort] } : {}),
          ...(o.referenceClock ? { referenceClock: o.referenceClock } : {}),
        }),
      );
  const wantStatus = stack && !(skip.has('services') && skip.has('https') && skip.has('cert'));
  const statusP = wantStatus
    ? statusOf(stack, { ...(o.expectIps ? { expectIps: o.expectIps } : {}), dns: !skip.has('preflight'), ...(o.quartermaster && !skip.has('services') ? { quartermaster: o.quartermaster } : {}) })
    : Promise.resolve(undefined);
  const [preflight, status] = await Promise.all([preflightP, statusP]);
  if (status?.compose) fx.compose = (await import('../lib/edge-hint.js')).composePrefix(stack!, status.compose.argv);

  const notInit = opened instanceof Error ? opened : undefined;
  const stackItem = (category: string) =>
    item('stack', category, 'fail', notInit?.message ?? 'not checked', { fix: (isFrameworksError(notInit) && notInit.suggestions[0]) || edgeHint(h, 'init', '--domain', '<edge.example.com>', '--email', '<you@example.com>') });

  const sections: Record<SectionName, DoctorSection> = {
    preflight: skip.has('preflight') ? section([], true) : section(preflightItems(preflight!.checks, fx, status?.dns)),
    services: skip.has('services') ? section([], true) : section(status ? serviceItems(status, fx, !skip.has('preflight')) : [stackItem('stack')]),
    https: skip.has('https') ? section([], true) : section(status ? httpsItems(status, fx) : [item('https', 'https', 'skip', 'no edge stack (see services)')]),
    cert: skip.has('cert') ? section([], true) : section(status ? certItems(status, fx) : [item('cert', 'cert', 'skip', 'no edge stack (see services)')]),
  };
  const all = SECTIONS.flatMap((n) => sections[n].items);
  const count = (s: CheckStatus) => all.filter((i) => i.status === s).length;
  return {
    host: h.host,
    dir: h.dir,
    ok: count('fail') === 0,
    sections,
    next_steps: nextSteps(sections),
    summary: { pass: count('pass'), warn: count('warn'), fail: count('fail'), skip: count('skip') },
    duration_ms: Math.round(performance.now() - started),
  };
}
