import type { PeerCertificate } from 'node:tls';
import { trace } from '../log.js';

export interface CertificateView {
  subject: string;
  issuer: string;
  sans: string[];
  valid_from: string;
  valid_to: string;
  days_left: number;
  fingerprint256: string;
}

export interface TlsProbeResult {
  ok: boolean;
  /** The chain verified against the given CA (or the system roots) and the name matched. */
  authorized: boolean;
  error?: string;
  errorCode?: string;
  protocol?: string;
  latencyMs: number;
  certificate?: CertificateView;
}

export interface TlsProbeOptions {
  /** Address to dial; may differ from the name (dial the host's IP with SNI = domain, like DNS were ready). */
  host: string;
  port: number;
  /** SNI and the name the certificate must carry. */
  servername: string;
  /** PEM CA bundle to trust instead of the system roots (Caddy's internal root for `tls internal`). */
  ca?: string;
  timeoutMs?: number;
}

/**
 * Open a TLS connection and report whether the certificate verifies, with its dates and names.
 * The certificate is returned even when verification fails, so `cert` can still show expiry.
 */
export async function probeTls(opts: TlsProbeOptions): Promise<TlsProbeResult> {
  // node:tls is loaded on first use: the SDK's index is imported by every command.
  const { connect } = await import('node:tls');
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<TlsProbeResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const latencyMs = Math.round(performance.now() - started);
      trace(`tls ${opts.servername} via ${opts.host}:${opts.port} → ${r.authorized ? 'verified' : (r.error ?? 'not verified')} ${latencyMs} ms`);
      resolve({ ...r, latencyMs });
    };
    const socket = connect({
      host: opts.host,
      port: opts.port,
      servername: opts.servername,
      ca: opts.ca,
      rejectUnauthorized: false, // decide below, keeping the certificate for the report
      ALPNProtocols: ['h2', 'http/1.1'],
    });
    const timer = setTimeout(
      () => done({ ok: false, authorized: false, error: `no TLS handshake within ${opts.timeoutMs ?? 5000} ms`, errorCode: 'TIMEOUT' }),
      opts.timeoutMs ?? 5000,
    );
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      const certificate = peer && Object.keys(peer).length ? certificateView(peer) : undefined;
      const authorized = socket.authorized;
      done({
        ok: authorized,
        authorized,
        protocol: socket.getProtocol() ?? undefined,
        certificate,
        ...(authorized ? {} : { error: String(socket.authorizationError ?? 'certificate not trusted'), errorCode: String(socket.authorizationError ?? 'UNTRUSTED') }),
      });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, authorized: false, error: err.message, errorCode: err.code }));
  });
}

export function certificateView(peer: PeerCertificate, now = new Date()): CertificateView {
  const validTo = new Date(peer.valid_to);
  const sans = (peer.subjectaltname ?? '')
    .split(/,\s*/)
    .filter(Boolean)
    .map((s) => s.replace(/^(DNS|IP Address):/, ''));
  return {
    subject: peer.subject?.CN ? String(peer.subject.CN) : JSON.stringify(peer.subject ?? {}),
    issuer: peer.issuer?.CN ? String(peer.issuer.CN) : (peer.issuer?.O ? String(peer.issuer.O) : JSON.stringify(peer.issuer ?? {})),
    sans,
    valid_from: new Date(peer.valid_from).toISOString(),
    valid_to: validTo.toISOString(),
    days_left: Math.floor((validTo.getTime() - now.getTime()) / 86_400_000),
    fingerprint256: peer.fingerprint256,
  };
}
