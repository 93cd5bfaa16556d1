import type { CertTrust } from '../cert/evaluate.js';
import type { TlsView } from '../cert/probe.js';

/** HTTPS as a viewer meets it: the TLS handshake (verification is the certificate's verdict) and GET /health through Caddy. */
export interface HttpsView {
  url: string;
  dialled: string;
  /** Handshake done and /health answered 200. */
  ok: boolean;
  handshake: boolean;
  verified: boolean;
  trust: CertTrust;
  protocol?: string;
  latency_ms: number;
  error?: string;
  /** The command that fixes or explains a failure. */
  fix?: string;
  /** GET /health (Caddy → Helmsman): the HTTP status, or why there is none. */
  health?: { status?: number; ok: boolean; error?: string };
}

/**
 * GET https://<domain>/health at the address the TLS probe used. Verification is not repeated here
 * (the certificate check owns it): this only tells whether Caddy routes to a healthy Helmsman.
 */
export async function getHealth(v: Pick<TlsView, 'address' | 'port'>, domain: string, timeoutMs = 4_000): Promise<NonNullable<HttpsView['health']>> {
  const { request } = await import('node:https');
  return new Promise((resolve) => {
    const req = request(
      {
        host: v.address,
        port: v.port,
        path: '/health',
        method: 'GET',
        servername: domain,
        headers: { host: v.port === 443 ? domain : `${domain}:${v.port}`, 'user-agent': 'frameworks-cli edge status' },
        rejectUnauthorized: false,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ok: res.statusCode === 200 }));
        res.on('error', (e) => resolve({ status: res.statusCode ?? 0, ok: false, error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, error: e.message }));
    req.end();
  });
}

export function httpsView(v: TlsView, health: HttpsView['health']): HttpsView {
  const handshake = v.certificate !== undefined;
  const out: HttpsView = {
    url: v.url,
    dialled: `${v.address.includes(':') ? `[${v.address}]` : v.address}:${v.port}`,
    ok: handshake && health?.ok === true,
    handshake,
    verified: v.authorized,
    trust: v.trust,
    latency_ms: v.latencyMs,
  };
  if (v.protocol) out.protocol = v.protocol;
  if (!handshake && v.error) out.error = v.error;
  if (health) out.health = health;
  return out;
}
