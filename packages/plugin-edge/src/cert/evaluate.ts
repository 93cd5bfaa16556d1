import type { TlsProbeResult } from '@frameworks/sdk';

/** Below this many whole days left: a warning (exit 0). ACME renews at a third of a 90-day life, so < 30 means renewal is late. */
export const CERT_WARN_DAYS = 30;
/** Below this many whole days left: a failure (exit 1). */
export const CERT_FAIL_DAYS = 7;
/**
 * Caddy's internal CA (`tls internal`) issues 12-hour certificates and renews them itself at a third
 * of their life: day thresholds make no sense there. Such a certificate warns when less than this
 * share of its life is left (renewal is overdue) and fails only when expired or not verifying.
 */
export const INTERNAL_WARN_SHARE = 1 / 6;

const DAY_MS = 86_400_000;

/** Which roots the chain was verified against. */
export type CertTrust = 'system' | 'caddy-internal' | 'ca-file';

export type CertStatus = 'pass' | 'warn' | 'fail';

export interface CertEvaluation {
  status: CertStatus;
  /** Stable: CERT_OK, CERT_EXPIRES_SOON, CERT_RENEWAL_LATE, CERT_EXPIRING, CERT_EXPIRED, CERT_NOT_YET_VALID, CERT_NOT_VERIFIED, HTTPS_UNREACHABLE. */
  code: string;
  message: string;
  /** Whole days left (negative once expired); undefined without a certificate. */
  days_left?: number;
  hours_left?: number;
}

/** The thresholds, as text for help and reports. */
export function thresholdText(trust: CertTrust): string {
  return trust === 'caddy-internal'
    ? `verifies; not expired; warn when less than 1/${Math.round(1 / INTERNAL_WARN_SHARE)} of its life is left (Caddy's internal CA renews its short-lived certificates itself)`
    : `verifies; warn < ${CERT_WARN_DAYS} days left; fail < ${CERT_FAIL_DAYS} days or expired`;
}

/**
 * Pass, warn or fail for what a TLS probe saw. Order matters: expiry and validity dates are judged
 * before verification, so an expired certificate says "expired" rather than Node's CERT_HAS_EXPIRED.
 */
export function evaluateCert(probe: Pick<TlsProbeResult, 'ok' | 'authorized' | 'error' | 'errorCode' | 'certificate'>, trust: CertTrust, now = new Date()): CertEvaluation {
  const c = probe.certificate;
  if (!c) return { status: 'fail', code: 'HTTPS_UNREACHABLE', message: `No certificate: the TLS handshake failed (${probe.error ?? 'no answer'}).` };
  const to = Date.parse(c.valid_to);
  const from = Date.parse(c.valid_from);
  const leftMs = to - now.getTime();
  const days_left = Math.floor(leftMs / DAY_MS);
  const hours_left = Math.floor(leftMs / 3_600_000);
  const left = { days_left, hours_left };
  const when = `valid until ${c.valid_to}`;
  if (leftMs <= 0) return { status: 'fail', code: 'CERT_EXPIRED', message: `The certificate expired ${-days_left} day${days_left === -1 ? '' : 's'} ago (${when}).`, ...left };
  if (from > now.getTime()) return { status: 'fail', code: 'CERT_NOT_YET_VALID', message: `The certificate is not valid before ${c.valid_from}: is the clock of this machine or of the host wrong?`, ...left };
  if (!probe.authorized) {
    return { status: 'fail', code: 'CERT_NOT_VERIFIED', message: `The certificate does not verify${trust === 'caddy-internal' ? " against Caddy's internal root" : trust === 'ca-file' ? ' against the given CA' : ''}: ${probe.error ?? 'not trusted'}.`, ...left };
  }
  if (trust === 'caddy-internal') {
    const life = to - from;
    if (life > 0 && leftMs < life * INTERNAL_WARN_SHARE) {
      return { status: 'warn', code: 'CERT_RENEWAL_LATE', message: `Caddy's internal certificate has ${formatLeft(leftMs)} left of ${formatLeft(life)}: Caddy renews at a third, so renewal is late (${when}).`, ...left };
    }
    return { status: 'pass', code: 'CERT_OK', message: `Valid for ${formatLeft(leftMs)} (${when}); Caddy's internal CA renews it.`, ...left };
  }
  if (days_left < CERT_FAIL_DAYS) return { status: 'fail', code: 'CERT_EXPIRING', message: `The certificate expires in ${formatLeft(leftMs)} (< ${CERT_FAIL_DAYS} days; ${when}).`, ...left };
  if (days_left < CERT_WARN_DAYS) return { status: 'warn', code: 'CERT_EXPIRES_SOON', message: `The certificate expires in ${days_left} days (< ${CERT_WARN_DAYS}; ${when}): renewal should have happened by now.`, ...left };
  return { status: 'pass', code: 'CERT_OK', message: `Valid for ${days_left} more days (${when}).`, ...left };
}

/** "2 days 3 h", "5 h 10 min", "12 min". */
export function formatLeft(ms: number): string {
  const abs = Math.max(0, ms);
  const d = Math.floor(abs / DAY_MS);
  const h = Math.floor((abs % DAY_MS) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  if (d > 0) return `${d} day${d === 1 ? '' : 's'}${h ? ` ${h} h` : ''}`;
  if (h > 0) return `${h} h${m ? ` ${m} min` : ''}`;
  return `${m} min`;
}
