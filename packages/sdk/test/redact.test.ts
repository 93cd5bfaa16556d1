import { afterEach, describe, expect, it } from 'vitest';
import { allowSecret, clearSecrets, mask, redact, redactValue, registerSecret } from '../src/redact.js';

afterEach(() => clearSecrets());

describe('redact', () => {
  it('masks a registered secret wherever it appears', () => {
    registerSecret('s3cr3t-service-token-value');
    const out = redact('sent Authorization: token s3cr3t-service-token-value to host; again s3cr3t-service-token-value');
    expect(out).not.toContain('s3cr3t-service-token-value');
    expect(out).toContain('s3cr…alue');
  });

  it('masks JWTs, bearer headers and token-shaped values it was never told about', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiYWJjZGVmIn0.c2lnbmF0dXJlLXZhbHVlLWhlcmU';
    expect(redact(`token=${jwt}`)).not.toContain(jwt);
    expect(redact('Authorization: Bearer abcdefghijklmnop')).not.toContain('abcdefghijklmnop');
    expect(redact('{"password":"hunter2-very-long"}')).not.toContain('hunter2-very-long');
    expect(redact('fwk_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd')).not.toContain('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  });

  it('leaves ordinary text alone', () => {
    expect(redact('context prod: gateway http://localhost:18000')).toBe('context prod: gateway http://localhost:18000');
  });

  it('deep-redacts values under secret-named keys', () => {
    const out = redactValue({ flags: { password: 'abc', 'service-token': 'zzzzzzzzzzzz-zzzz', email: 'a@b.c' } });
    expect(out.flags.password).toBe('****');
    expect(out.flags['service-token']).not.toContain('zzzzzzzzzzzz-zzzz');
    expect(out.flags.email).toBe('a@b.c');
  });

  it('shows an allowed secret whole (a token displayed once at creation)', () => {
    registerSecret('bt_0123456789abcdef0123456789abcdef');
    allowSecret('bt_0123456789abcdef0123456789abcdef');
    expect(redact('token: bt_0123456789abcdef0123456789abcdef')).toContain('bt_0123456789abcdef0123456789abcdef');
    // …but never in a strict record such as the audit log.
    expect(redact('token: bt_0123456789abcdef0123456789abcdef', { strict: true })).not.toContain('bt_0123456789abcdef0123456789abcdef');
  });

  it('mask never reveals more than 8 characters of a secret', () => {
    expect(mask('short')).toBe('****');
    expect(mask('0123456789abcdefghij')).toBe('0123…ghij (20 chars)');
  });
});
