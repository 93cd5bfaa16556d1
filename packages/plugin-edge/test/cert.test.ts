import { describe, expect, it } from 'vitest';
import { CERT_FAIL_DAYS, CERT_WARN_DAYS, evaluateCert, formatLeft, thresholdText } from '../src/cert/evaluate.js';
import { certReport, type TlsView } from '../src/cert/probe.js';
import { parseAddress } from '../src/cert/run.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

function probe(o: { fromMs?: number; leftMs: number; authorized?: boolean; error?: string }) {
  return {
    ok: o.authorized ?? true,
    authorized: o.authorized ?? true,
    ...(o.error ? { error: o.error } : {}),
    certificate: {
      subject: 'edge.example.com',
      issuer: 'R11',
      sans: ['edge.example.com'],
      valid_from: iso(NOW.getTime() - (o.fromMs ?? 60 * DAY)),
      valid_to: iso(NOW.getTime() + o.leftMs),
      days_left: Math.floor(o.leftMs / DAY),
      fingerprint256: 'AA:BB',
    },
  };
}

describe('evaluateCert: publicly issued (system roots or a CA file)', () => {
  it.each([
    ['89 days', 89 * DAY, 'pass', 'CERT_OK', 89],
    ['exactly 30 days', 30 * DAY, 'pass', 'CERT_OK', 30],
    ['29.9 days → 29 < 30: warn', 29.9 * DAY, 'warn', 'CERT_EXPIRES_SOON', 29],
    ['20 days', 20 * DAY, 'warn', 'CERT_EXPIRES_SOON', 20],
    ['exactly 7 days: still a warning', 7 * DAY, 'warn', 'CERT_EXPIRES_SOON', 7],
    ['6.99 days → 6 < 7: fail', 6.99 * DAY, 'fail', 'CERT_EXPIRING', 6],
    ['3 days', 3 * DAY - 1000, 'fail', 'CERT_EXPIRING', 2],
    ['one minute', 60_000, 'fail', 'CERT_EXPIRING', 0],
    ['expired an hour ago', -3_600_000, 'fail', 'CERT_EXPIRED', -1],
  ] as const)('%s', (_, leftMs, status, code, days) => {
    for (const trust of ['system', 'ca-file'] as const) {
      const e = evaluateCert(probe({ leftMs }), trust, NOW);
      expect(e).toMatchObject({ status, code, days_left: days });
    }
  });

  it('thresholds are 30 and 7 days', () => {
    expect([CERT_WARN_DAYS, CERT_FAIL_DAYS]).toEqual([30, 7]);
    expect(thresholdText('system')).toBe('verifies; warn < 30 days left; fail < 7 days or expired');
  });

  it('expiry is judged before verification (an expired certificate also fails to verify)', () => {
    expect(evaluateCert(probe({ leftMs: -2 * DAY, authorized: false, error: 'certificate has expired' }), 'system', NOW)).toMatchObject({ status: 'fail', code: 'CERT_EXPIRED' });
    expect(evaluateCert(probe({ leftMs: -2 * DAY }), 'system', NOW).message).toMatch(/expired 2 days ago/);
  });

  it('a certificate that does not verify fails, whatever its dates', () => {
    const e = evaluateCert(probe({ leftMs: 80 * DAY, authorized: false, error: "Hostname/IP does not match certificate's altnames" }), 'system', NOW);
    expect(e).toMatchObject({ status: 'fail', code: 'CERT_NOT_VERIFIED' });
    expect(e.message).toContain('altnames');
  });

  it('not yet valid (a clock problem) fails', () => {
    expect(evaluateCert(probe({ fromMs: -DAY, leftMs: 90 * DAY }), 'system', NOW)).toMatchObject({ status: 'fail', code: 'CERT_NOT_YET_VALID' });
  });

  it('no certificate at all: HTTPS unreachable', () => {
    expect(evaluateCert({ ok: false, authorized: false, error: 'connect ECONNREFUSED 127.0.0.1:443' }, 'system', NOW)).toMatchObject({
      status: 'fail',
      code: 'HTTPS_UNREACHABLE',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});

describe("evaluateCert: Caddy's internal CA (12-hour certificates, renewed by Caddy)", () => {
  const H = 3_600_000;
  it('a fresh 12-hour certificate passes although it has 0 days left', () => {
    const e = evaluateCert(probe({ fromMs: H, leftMs: 11 * H }), 'caddy-internal', NOW);
    expect(e).toMatchObject({ status: 'pass', code: 'CERT_OK', days_left: 0, hours_left: 11 });
  });
  it('warns when less than a sixth of its life is left (renewal is late), fails when expired or unverified', () => {
    expect(evaluateCert(probe({ fromMs: 11 * H, leftMs: H }), 'caddy-internal', NOW)).toMatchObject({ status: 'warn', code: 'CERT_RENEWAL_LATE' });
    expect(evaluateCert(probe({ fromMs: 13 * H, leftMs: -H }), 'caddy-internal', NOW)).toMatchObject({ status: 'fail', code: 'CERT_EXPIRED' });
    expect(evaluateCert(probe({ fromMs: H, leftMs: 11 * H, authorized: false, error: 'unable to get local issuer certificate' }), 'caddy-internal', NOW)).toMatchObject({
      status: 'fail',
      code: 'CERT_NOT_VERIFIED',
      message: expect.stringContaining("Caddy's internal root"),
    });
  });
});

describe('certReport', () => {
  const view = (extra: Partial<TlsView>): TlsView => ({ ...probe({ leftMs: 20 * DAY }), latencyMs: 9, url: 'https://edge.example.com/', address: '203.0.113.7', port: 443, trust: 'system', protocol: 'TLSv1.3', ...extra });
  it('carries subject, issuer, SANs, dates, days left and the verdict', () => {
    const r = certReport('edge.example.com', view({}), NOW);
    expect(r).toMatchObject({
      domain: 'edge.example.com',
      dialled: '203.0.113.7:443',
      subject: 'edge.example.com',
      issuer: 'R11',
      sans: ['edge.example.com'],
      not_after: iso(NOW.getTime() + 20 * DAY),
      days_left: 20,
      verified: true,
      status: 'warn',
      code: 'CERT_EXPIRES_SOON',
      protocol: 'TLSv1.3',
    });
  });
  it('an IPv6 address is bracketed; a subject-less certificate has subject ""', () => {
    const v = view({ address: '2001:db8::1', port: 8443 });
    v.certificate = { ...v.certificate!, subject: '{}' };
    const r = certReport('edge.example.com', v, NOW);
    expect(r.dialled).toBe('[2001:db8::1]:8443');
    expect(r.subject).toBe('');
  });
});

describe('parseAddress (--address)', () => {
  it('host:port, [v6]:port', () => {
    expect(parseAddress('127.0.0.1:8443')).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(parseAddress('[::1]:443')).toEqual({ host: '::1', port: 443 });
    expect(parseAddress('edge.local:443')).toEqual({ host: 'edge.local', port: 443 });
  });
  it.each(['127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '::1:443', ':443'])('%s is refused with exit 2', (s) => {
    expect(() => parseAddress(s)).toThrow(expect.objectContaining({ exitCode: 2, code: 'INVALID_ADDRESS' }));
  });
});

describe('formatLeft', () => {
  it('days and hours, hours and minutes, minutes', () => {
    expect(formatLeft(2 * DAY + 3 * 3_600_000 + 5)).toBe('2 days 3 h');
    expect(formatLeft(DAY)).toBe('1 day');
    expect(formatLeft(5 * 3_600_000 + 10 * 60_000)).toBe('5 h 10 min');
    expect(formatLeft(12 * 60_000)).toBe('12 min');
    expect(formatLeft(-5)).toBe('0 min');
  });
});
