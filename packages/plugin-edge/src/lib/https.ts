import { probeTls, resolveAddress, type TlsProbeResult } from '@frameworks/sdk';
import type { EdgeStack } from './stack.js';

/** Where Caddy keeps the root of its internal CA (`tls internal`), inside the caddy container. */
export const CADDY_INTERNAL_ROOT = '/data/caddy/pki/authorities/local/root.crt';

/** Caddy's internal root (PEM) from the caddy container, or undefined: the one place it is read. */
export async function caddyRoot(stack: Pick<EdgeStack, 'project'>): Promise<string | undefined> {
  const r = await stack.project.exec('caddy', ['cat', CADDY_INTERNAL_ROOT], { timeoutMs: 10_000 }).catch(() => undefined);
  return r && r.code === 0 && r.stdout.includes('BEGIN CERTIFICATE') ? r.stdout : undefined;
}

export interface HttpsCheck extends TlsProbeResult {
  url: string;
  /** The address dialled (the domain's, or the host's when the domain does not resolve yet). */
  address: string;
  /** system roots, or Caddy's internal CA. */
  trust: 'system' | 'caddy-internal';
}

/**
 * Check that HTTPS on the edge domain answers with a certificate that verifies: against the
 * system roots for ACME, against Caddy's own root for `tls internal`. Dials the domain's
 * address, or the host's when DNS is not there yet, always with SNI = the domain (like a
 * browser would once DNS is in place).
 */
export async function checkHttps(stack: EdgeStack, opts: { timeoutMs?: number; hostAddress?: string } = {}): Promise<HttpsCheck> {
  const { domain, httpsPort } = stack;
  // Not in DNS (yet): dial the host itself.
  const address = (await resolveAddress(domain)) ?? opts.hostAddress ?? defaultAddress(stack);
  const ca = stack.tls === 'internal' ? await caddyRoot(stack) : undefined;
  const probe = await probeTls({ host: address, port: httpsPort, servername: domain, ca, timeoutMs: opts.timeoutMs ?? 5000 });
  return {
    ...probe,
    url: `https://${domain}${httpsPort === 443 ? '' : `:${httpsPort}`}/`,
    address,
    trust: stack.tls === 'internal' ? 'caddy-internal' : 'system',
    ...(stack.tls === 'internal' && !ca && !probe.ok ? { error: `${probe.error ?? 'not verified'} (Caddy's internal root could not be read)` } : {}),
  };
}

function defaultAddress(stack: EdgeStack): string {
  if (stack.bind && stack.bind !== '0.0.0.0' && stack.bind !== '::') return stack.bind;
  return stack.host.remote ? stack.host.address ?? stack.host.host : '127.0.0.1';
}
