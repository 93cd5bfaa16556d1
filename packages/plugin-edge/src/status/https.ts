import { edgeHttpsGet } from '@frameworks/sdk';
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
  const a = await edgeHttpsGet({ address: v.address, port: v.port, domain, path: '/health', verify: false, timeoutMs, maxBody: 65_536 });
  if (a.status === 0) return { ok: false, error: a.error ?? 'no answer' };
  return { status: a.status, ok: a.status === 200, ...(a.error ? { error: a.error } : {}) };
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
