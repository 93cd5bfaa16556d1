import { trace } from '../log.js';
import { defaultUserAgent } from './client.js';
import { dialerAgents, tunnelFailure } from '../net/agents.js';
import type { Dialer } from '../net/dialer.js';

export interface ProbeResult {
  ok: boolean;
  /** HTTP status, or undefined when no answer arrived. */
  status?: number;
  /** `status` field of the /health body (healthy, degraded, unhealthy) when present. */
  health?: string;
  latencyMs: number;
  error?: string;
  errorCode?: string;
  url: string;
}

/**
 * GET {url}/health (contract §2): appends /health when the URL has no path, maps ws→http.
 * 200 = ok (a `degraded` body is still 200); anything else, or no answer in time, = failed.
 * TLS is verified unless `insecure`.
 */
export async function probeHttpHealth(endpoint: string, timeoutMs: number, insecure = false, dialer?: Dialer): Promise<ProbeResult> {
  const url = healthUrl(endpoint);
  const { default: got } = await import('got');
  const agent = await dialerAgents(dialer);
  const started = performance.now();
  try {
    const res = await got(url, {
      timeout: { request: timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      https: { rejectUnauthorized: !insecure },
      ...(agent ? { agent } : {}),
      headers: { 'user-agent': defaultUserAgent(), accept: 'application/json' },
    });
    const latencyMs = Math.round(performance.now() - started);
    let health: string | undefined;
    try {
      const body = JSON.parse(res.body) as { status?: unknown };
      if (typeof body?.status === 'string') health = body.status;
    } catch {
      // Not JSON: only the status code counts.
    }
    trace(`health ${url} → ${res.statusCode} ${health ?? ''} ${latencyMs} ms`);
    const ok = res.statusCode === 200;
    return { ok, status: res.statusCode, health, latencyMs, url, ...(ok ? {} : { error: `HTTP ${res.statusCode}${health ? ` (${health})` : ''}` }) };
  } catch (err) {
    const e = err as { code?: string; name?: string; message?: string };
    const latencyMs = Math.round(performance.now() - started);
    // A jump host that is gone fails the whole run (exit 6 naming it), not one probe.
    const lost = await tunnelFailure(dialer, err, url);
    if (lost) throw lost;
    const timedOut = e.name === 'TimeoutError' || e.code === 'ETIMEDOUT';
    return {
      ok: false,
      latencyMs,
      url,
      errorCode: timedOut ? 'TIMEOUT' : e.code,
      error: timedOut ? `no answer within ${timeoutMs} ms` : friendlyNetworkError(e.code, e.message),
    };
  }
}

export function healthUrl(endpoint: string): string {
  const u = new URL(endpoint.replace(/^ws(s?):\/\//, 'http$1://'));
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/health';
  return u.toString();
}

const FRIENDLY: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
};

/** Short, stable wording for table cells; TLS errors keep their reason. */
export function friendlyNetworkError(code: string | undefined, message: string | undefined): string {
  if (code && FRIENDLY[code]) return FRIENDLY[code];
  if (code && /CERT|SELF_SIGNED|UNABLE_TO|TLS|SSL/.test(code)) return `TLS: ${code}`;
  return `${code ?? 'error'}${message ? `: ${message}` : ''}`;
}
