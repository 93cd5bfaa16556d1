import { isFrameworksError } from '@frameworks/sdk';
import { ENGINE_FIX, engineAddress, engineUnreachable, type ComposeContainer } from '@frameworks/sdk/compose';
import { certReport, probeEdgeTls, type CertReport, type TlsView } from '../cert/probe.js';
import type { HostContext } from '@frameworks/sdk';
import { composePrefix, dialAddress, edgeHint } from '../lib/edge-hint.js';
import { certFix, httpsFix, preflightFix, serviceFix, type FixContext } from './remediation.js';
import { composeServiceImages, normalizeImage } from '../lib/compose-images.js';
import { COMPOSE_FILE, openStack, SERVICES, type EdgeStack } from '../lib/stack.js';
import { checkStatusDns, type DnsView } from './dns.js';
import { evaluateStatus, type Verdict } from './evaluate.js';
import { getHealth, httpsView, type HttpsView } from './https.js';
import { nodeIdentity, type NodeIdentity } from './node.js';
import { quartermasterView, type QuartermasterQuery, type QuartermasterView } from './quartermaster.js';
import { evaluateServices, type ServiceStatus } from './services.js';

export interface StatusOptions {
  /** --domain; else EDGE_DOMAIN. */
  domain?: string;
  /** --expect-ip for the DNS check. */
  expectIps?: string[];
  /** Where and how to ask Quartermaster; undefined skips it. */
  quartermaster?: Omit<QuartermasterQuery, 'nodeId'>;
  /** Leave DNS out (doctor runs it with the preflight checks). */
  dns?: boolean;
  timeoutMs?: number;
}

export interface StatusReport {
  host: string;
  dir: string;
  project: string;
  compose?: { kind: string; version: string; argv: string[] };
  domain: string;
  tls: 'acme' | 'internal';
  verdict: Verdict;
  problems: string[];
  warnings: string[];
  /** Informational (Quartermaster not reachable, DNS skipped, …). */
  notes: string[];
  summary: { up: number; healthy: number; total: number };
  services: ServiceStatus[];
  https: HttpsView | null;
  cert: CertReport | null;
  dns: DnsView | null;
  node: NodeIdentity;
  quartermaster: QuartermasterView | null;
  /** The commands that fix or explain each problem, most important first. */
  suggestions: string[];
  /** Set when the containers could not be listed at all (daemon down, compose missing). */
  error?: { code: string; message: string; suggestions: string[] };
  /** Set when the Docker engine could not be reached: said once, and the checks that need it are skipped. */
  engine?: { reachable: false; address: string; message: string; fix: string };
  checked_at: string;
  duration_ms: number;
}

/** The stack's containers with their restart counts (one ps: labels, inspect, image inspect). */
async function containersOf(stack: EdgeStack): Promise<{ containers: ComposeContainer[]; restarts: Map<string, number> }> {
  const containers = await stack.project.ps();
  return { containers, restarts: new Map(containers.map((c) => [c.id, c.restartCount])) };
}

/** The TLS dial and /health, or nothing without a domain. */
export async function httpsOf(stack: EdgeStack, timeoutMs = 5_000): Promise<{ view?: TlsView; https: HttpsView | null; cert: CertReport | null }> {
  if (!stack.domain) return { https: null, cert: null };
  const address = dialAddress(stack);
  const view = await probeEdgeTls(stack, { timeoutMs, ...(address ? { hostAddress: address } : {}) });
  const health = view.certificate ? await getHealth(view, stack.domain, timeoutMs) : undefined;
  return { view, https: httpsView(view, health), cert: certReport(stack.domain, view) };
}

/**
 * Everything `edge status` reports for one host, gathered at once: containers (by compose labels),
 * HTTPS and the certificate, DNS from the host, Helmsman's node id, then Quartermaster's view of it.
 * Only a missing .edge.env throws; every other failure is part of the report.
 */
export async function collectStatus(h: HostContext, o: StatusOptions = {}): Promise<StatusReport> {
  // Over SSH: the host's facts in a few round trips (everything below runs unchanged).
  const { gatherStatusFacts } = await import('./gather.js');
  const executor = gatherStatusFacts(h.executor, { remote: h.remote, dir: h.dir, ...(o.domain ? { domain: o.domain } : {}), ...(o.dns === false ? { dns: false } : {}) });
  return statusOf(await openStack({ ...h, executor }, o.domain ? { domain: o.domain } : {}), o);
}

/** collectStatus for a stack already opened (doctor opens it first to learn its ports). */
export async function statusOf(stack: EdgeStack, o: Omit<StatusOptions, 'domain'> = {}): Promise<StatusReport> {
  const started = performance.now();
  const h = stack.host;
  const notes: string[] = [];

  const servicesP = containersOf(stack).then(
    ({ containers, restarts }) => ({ services: evaluateServices(SERVICES, containers, restarts), error: undefined }),
    (err: Error) => ({
      services: SERVICES.map((service): ServiceStatus => ({ service, required: true, state: 'unknown', health: 'none', containers: 0, status: 'fail', problem: `cannot list containers: ${firstLine(err.message)}` })),
      error: { code: isFrameworksError(err) ? err.code : 'FAILED', message: err.message, suggestions: isFrameworksError(err) ? err.suggestions : [] },
    }),
  );
  const composeP = stack.project.compose().then(
    (c) => ({ kind: c.kind, version: c.version, argv: c.argv }),
    () => undefined,
  );
  const httpsP = httpsOf(stack, o.timeoutMs);
  const dnsP = o.dns === false ? Promise.resolve(null) : checkStatusDns(h.executor, stack.domain, o.expectIps);
  const nodeP = nodeIdentity(stack);
  const qmP = o.quartermaster ? nodeP.then((n) => quartermasterView({ ...o.quartermaster!, ...(n.node_id ? { nodeId: n.node_id } : {}) })) : Promise.resolve(null);

  const pinsP = stack.host.executor
    .readFile(`${h.dir.replace(/\/+$/, '') || '.'}/${COMPOSE_FILE}`)
    .then((text) => composeServiceImages(text, stack.env), () => new Map<string, string>());

  const [svc, compose, tls, dns, nodeSeen, quartermaster, pins] = await Promise.all([servicesP, composeP, httpsP, dnsP, nodeP, qmP, pinsP]);
  markDrift(svc.services, pins);
  let node = nodeSeen;
  // One cause, one failure: an unreachable engine is said once; what needs the engine is skipped.
  const engine = svc.error?.code === 'DOCKER_UNAVAILABLE' ? engineDown(svc.error.message, h.remote ? h.host : 'local') : undefined;
  if (engine) {
    svc.services = svc.services.map((s) => ({ ...s, status: 'skip', problem: 'not checked: needs the Docker engine' }));
    node = { error: 'not checked: needs the Docker engine' };
    if (tls.cert && !tls.cert.verified && tls.cert.trust === 'caddy-internal' && tls.cert.code === 'CERT_NOT_VERIFIED') {
      tls.cert.status = 'skip';
      tls.cert.message = "Not verified: Caddy's internal root is read through the Docker engine, which is unreachable.";
    }
  }
  if (!stack.domain) notes.push('No domain (EDGE_DOMAIN is empty): HTTPS and the certificate were not checked.');
  if (dns?.status === 'skip') notes.push(`DNS not checked: ${dns.value}.`);
  if (quartermaster && quartermaster.status !== 'ok') notes.push(quartermaster.note);
  const fx: FixContext = { host: h, domain: stack.domain, ...(compose ? { compose: composePrefix(stack, compose.argv) } : {}) };
  const suggestions: string[] = [];
  const suggest = (cmd: string) => void (suggestions.includes(cmd) || suggestions.push(cmd));
  if (engine) suggest(engine.fix);
  else if (svc.error) svc.error.suggestions.slice(0, 1).forEach(suggest);
  for (const s of svc.services) if (s.status !== 'pass' && !svc.error) suggest((s.fix = serviceFix(s, fx)));
  if (tls.https && !tls.https.ok) suggest((tls.https.fix = httpsFix(tls.https, fx)));
  if (tls.cert && tls.cert.status !== 'pass' && tls.cert.status !== 'skip' && tls.cert.code !== 'HTTPS_UNREACHABLE') suggest((tls.cert.fix = certFix(tls.cert, fx)));
  if (dns && (dns.status === 'fail' || dns.status === 'warn')) suggest((dns.fix = preflightFix({ id: 'dns', category: 'dns' }, fx)));
  const e = evaluateStatus({ services: svc.services, https: tls.https ?? undefined, cert: tls.cert, dns: dns ?? undefined });
  if (engine) {
    e.problems.unshift(engine.message);
    e.verdict = 'degraded';
  }
  const required = svc.services.filter((s) => s.required);
  const report: StatusReport = {
    host: h.host,
    dir: h.dir,
    project: stack.project.name,
    domain: stack.domain,
    tls: stack.tls,
    verdict: e.verdict,
    problems: e.problems,
    warnings: e.warnings,
    notes,
    summary: { up: required.filter((s) => s.state === 'running').length, healthy: required.filter((s) => s.status === 'pass' || (s.pinned_image && s.status === 'warn' && s.health !== 'starting')).length, total: required.length },
    services: svc.services,
    https: tls.https,
    cert: tls.cert,
    dns,
    node,
    quartermaster,
    suggestions: e.verdict === 'degraded' ? [...suggestions, edgeHint(h, 'doctor')] : suggestions,
    checked_at: new Date().toISOString(),
    duration_ms: Math.round(performance.now() - started),
  };
  if (compose) report.compose = compose;
  if (svc.error) report.error = svc.error;
  if (engine) report.engine = engine;
  return report;
}

/**
 * Drift: the compose file pins one image, the container was created from another (a hand edit or an
 * init --force without an update). A warning, not degraded: the stack still serves; `edge update` applies the pin.
 */
export function markDrift(services: ServiceStatus[], pins: Map<string, string>): void {
  for (const s of services) {
    const pinned = pins.get(s.service);
    if (!pinned || !s.image || normalizeImage(pinned) === normalizeImage(s.image)) continue;
    s.pinned_image = pinned;
    const why = `drift: the compose file pins ${pinned}, the container runs ${s.image}`;
    if (s.status === 'pass') s.status = 'warn';
    s.problem = s.problem ? `${s.problem}; ${why}` : why;
  }
}

function engineDown(message: string, where: string): NonNullable<StatusReport['engine']> {
  return { reachable: false, address: engineAddress(message), message: engineUnreachable(engineAddress(message), where), fix: ENGINE_FIX };
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim())?.trim() ?? text;
}
