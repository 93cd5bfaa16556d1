import { edgeHttpsGet, ExitCode, FrameworksError } from '@frameworks/sdk';
import { caddyRoot, checkHttps, type HttpsCheck } from '../lib/https.js';
import type { EdgeStack } from '../lib/stack.js';
import { sleep, type StageRun } from './stages.js';

export interface HealthAnswer {
  status: number;
  service?: string;
  version?: string;
  error?: string;
}

export interface HttpsReport {
  url: string;
  address: string;
  trust: HttpsCheck['trust'];
  verified: boolean;
  protocol: string | null;
  certificate: HttpsCheck['certificate'] | null;
  /** GET /health over the verified connection: Helmsman answers it through Caddy (see the Caddyfile). */
  health: HealthAnswer | null;
  attempts: number;
  error?: string;
}

/** Gap between attempts (the HEAD CLI uses ≤ 5 s; ACME issuance is what we usually wait for). */
const RETRY_MS = 2000;
const ATTEMPT_MS = 5000;

/**
 * Wait until HTTPS on the edge domain answers with a certificate that verifies (system roots for
 * ACME, Caddy's internal root for `tls internal`) and `GET /health` through it is 200. Dials the
 * domain's address, or the host's when DNS is not there yet, with SNI = the domain. Every failure
 * is "not yet" until the deadline: ACME certificates take a while to appear.
 */
export async function verifyHttps(stack: EdgeStack, run: StageRun): Promise<HttpsReport> {
  let attempts = 0;
  let last: HttpsReport | undefined;
  for (;;) {
    attempts++;
    const check = await checkHttps(stack, { timeoutMs: Math.max(500, Math.min(ATTEMPT_MS, run.remainingMs())) });
    let health: HealthAnswer | null = null;
    if (check.ok) {
      const ca = stack.tls === 'internal' ? await caddyRoot(stack) : undefined;
      health = await getHealth({ address: check.address, port: stack.httpsPort, domain: stack.domain, ca, timeoutMs: Math.max(500, Math.min(ATTEMPT_MS, run.remainingMs())) });
    }
    last = {
      url: check.url,
      address: check.address,
      trust: check.trust,
      verified: check.ok,
      protocol: check.protocol ?? null,
      certificate: check.certificate ?? null,
      health,
      attempts,
      ...(check.ok ? (health && health.status !== 200 ? { error: `GET /health answered ${health.status || health.error}` } : {}) : { error: check.error ?? 'not verified' }),
    };
    if (check.ok && health?.status === 200) return last;
    run.progress(`${check.url}: ${last.error} (attempt ${attempts})`);
    if (run.remainingMs() <= 0 || run.signal.aborted) break;
    await sleep(Math.min(RETRY_MS, run.remainingMs()), run.signal);
    if (run.remainingMs() <= 0 || run.signal.aborted) break;
  }
  throw new FrameworksError(`HTTPS on ${last.url} did not verify: ${last.error} (${attempts} attempts)`, {
    code: 'HTTPS_NOT_VERIFIED',
    exitCode: ExitCode.FAILED,
    result: last,
  });
}

/** Caddy's internal root: read in one place (lib/https.ts). */
export { caddyRoot };

/** GET https://domain/health, dialling `address` with SNI and Host = domain, verifying against `ca` (or the system roots). */
export async function getHealth(o: { address: string; port: number; domain: string; ca?: string; timeoutMs: number }): Promise<HealthAnswer> {
  const a = await edgeHttpsGet({ address: o.address, port: o.port, domain: o.domain, path: '/health', ...(o.ca ? { ca: o.ca } : {}), timeoutMs: o.timeoutMs, maxBody: 65_536 });
  if (a.status === 0) return { status: 0, error: a.error ?? 'no answer' };
  const parsed = (a.json ?? {}) as { service?: unknown; version?: unknown };
  return {
    status: a.status,
    ...(typeof parsed.service === 'string' ? { service: parsed.service } : {}),
    ...(typeof parsed.version === 'string' ? { version: parsed.version } : {}),
  };
}

/** "verified (Caddy internal CA), TLSv1.3, /health 200 helmsman v1" */
export function describeHttps(r: HttpsReport): string {
  const trust = r.trust === 'caddy-internal' ? "Caddy's internal CA" : 'system roots';
  const parts = [`${r.url} verified (${trust})`];
  if (r.protocol) parts.push(r.protocol);
  if (r.health) parts.push(`/health ${r.health.status}${r.health.service ? ` ${r.health.service}` : ''}${r.health.version ? ` ${r.health.version}` : ''}`);
  return parts.join(', ');
}
