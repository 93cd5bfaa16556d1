import { probeTls, type TlsProbeResult } from '@frameworks/sdk';
import { caddyRoot, checkHttps } from '../lib/https.js';
import type { EdgeStack } from '../lib/stack.js';
import { evaluateCert, thresholdText, type CertEvaluation, type CertStatus, type CertTrust } from './evaluate.js';

/** One TLS dial of the edge, with where it went and which roots judged it. */
export interface TlsView extends TlsProbeResult {
  url: string;
  address: string;
  port: number;
  trust: CertTrust;
}

export interface ProbeOverrides {
  /** Dial this address instead of the domain's / the host's (hidden --address, for tests and NAT). */
  address?: { host: string; port: number };
  /** PEM bundle to verify against instead of the system roots / Caddy's internal root (hidden --ca). */
  ca?: string;
  /** Address of the host as this machine reaches it (SSH targets), when the domain does not resolve. */
  hostAddress?: string;
  timeoutMs?: number;
}

/** Dial the edge the way `checkHttps` does (SNI = domain), or exactly where the overrides say. */
export async function probeEdgeTls(stack: EdgeStack, o: ProbeOverrides = {}): Promise<TlsView> {
  const timeoutMs = o.timeoutMs ?? 5000;
  if (!o.address && o.ca === undefined) {
    const r = await checkHttps(stack, { timeoutMs, ...(o.hostAddress ? { hostAddress: o.hostAddress } : {}) });
    return { ...r, port: stack.httpsPort };
  }
  const host = o.address?.host ?? o.hostAddress ?? '127.0.0.1';
  const port = o.address?.port ?? stack.httpsPort;
  let ca = o.ca;
  let trust: CertTrust = ca !== undefined ? 'ca-file' : stack.tls === 'internal' ? 'caddy-internal' : 'system';
  if (ca === undefined && stack.tls === 'internal') {
    ca = await caddyRoot(stack);
    if (!ca) trust = 'system';
  }
  const probe = await probeTls({ host, port, servername: stack.domain, ...(ca ? { ca } : {}), timeoutMs });
  return { ...probe, url: `https://${stack.domain}${port === 443 ? '' : `:${port}`}/`, address: host, port, trust };
}

/** What `edge cert` reports (and `status`/`doctor` embed): the certificate, and the verdict on it. */
export interface CertReport {
  domain: string;
  url: string;
  /** Where the TLS connection went (address:port). */
  dialled: string;
  trust: CertTrust;
  verified: boolean;
  protocol?: string;
  latency_ms: number;
  subject?: string;
  issuer?: string;
  sans?: string[];
  not_before?: string;
  not_after?: string;
  days_left?: number;
  hours_left?: number;
  fingerprint256?: string;
  /** The TLS error (handshake or verification), when any. */
  error?: string;
  /** The command that fixes or explains a warning or failure (edge status / doctor). */
  fix?: string;
  /** `skip`: the certificate's verification needs Caddy's root, read through an engine that is unreachable. */
  status: CertStatus | 'skip';
  code: string;
  message: string;
  threshold: string;
}

export function certReport(domain: string, v: TlsView, now = new Date()): CertReport {
  const e: CertEvaluation = evaluateCert(v, v.trust, now);
  const c = v.certificate;
  const report: CertReport = {
    domain,
    url: v.url,
    dialled: `${v.address.includes(':') ? `[${v.address}]` : v.address}:${v.port}`,
    trust: v.trust,
    verified: v.authorized,
    latency_ms: v.latencyMs,
    status: e.status,
    code: e.code,
    message: e.message,
    threshold: thresholdText(v.trust),
  };
  if (v.protocol) report.protocol = v.protocol;
  if (c) {
    // A certificate without a subject CN (Caddy's internal ones) shows as "{}": say none.
    Object.assign(report, { subject: c.subject === '{}' ? '' : c.subject, issuer: c.issuer, sans: c.sans, not_before: c.valid_from, not_after: c.valid_to, fingerprint256: c.fingerprint256 });
    if (e.days_left !== undefined) report.days_left = e.days_left;
    if (e.hours_left !== undefined) report.hours_left = e.hours_left;
  }
  if (v.error) report.error = v.error;
  return report;
}
