import type { CertReport } from '../cert/probe.js';
import type { DnsView } from './dns.js';
import type { HttpsView } from './https.js';
import type { ServiceStatus } from './services.js';

export type Verdict = 'healthy' | 'degraded';

export interface Evaluation {
  verdict: Verdict;
  /** Why it is degraded: one line per failing part. */
  problems: string[];
  /** Worth knowing, not degraded. */
  warnings: string[];
}

/**
 * Degraded = a required service missing, stopped, restarting or unhealthy; HTTPS not answering
 * (or /health not 200); the certificate failing (expired, < 7 days, not verifying); DNS pointing
 * elsewhere. Warnings (starting, recent restarts, < 30 days, extra records) never degrade.
 */
export function evaluateStatus(p: { services: ServiceStatus[]; https?: HttpsView; cert?: CertReport | null; dns?: DnsView }): Evaluation {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const s of p.services) {
    if (s.status === 'fail') problems.push(`${s.service}: ${s.problem ?? s.state}`);
    else if (s.status === 'warn') warnings.push(`${s.service}: ${s.problem ?? s.state}`);
  }
  if (p.https) {
    if (!p.https.handshake) problems.push(`HTTPS ${p.https.url}: ${p.https.error ?? 'no TLS handshake'}`);
    else if (p.https.health && !p.https.health.ok) {
      problems.push(`HTTPS ${p.https.url}health: ${p.https.health.status ? `HTTP ${p.https.health.status}` : (p.https.health.error ?? 'no answer')}`);
    }
  }
  // No certificate at all is the HTTPS problem above; do not count it twice.
  if (p.cert && p.cert.code !== 'HTTPS_UNREACHABLE') {
    if (p.cert.status === 'fail') problems.push(`certificate: ${p.cert.message}`);
    else if (p.cert.status === 'warn') warnings.push(`certificate: ${p.cert.message}`);
  }
  if (p.dns) {
    if (p.dns.status === 'fail') problems.push(`DNS: ${p.dns.value}${p.dns.hint ? ` — ${p.dns.hint}` : ''}`);
    else if (p.dns.status === 'warn') warnings.push(`DNS: ${p.dns.value}${p.dns.hint ? ` — ${p.dns.hint}` : ''}`);
  }
  return { verdict: problems.length ? 'degraded' : 'healthy', problems, warnings };
}
