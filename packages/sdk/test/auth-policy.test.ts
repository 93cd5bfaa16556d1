import { describe, expect, it } from 'vitest';
import { chooseCredential, collectCredentials } from '../src/auth/policy.js';
import type { FrameworksError } from '../src/errors.js';

const jwtWithExp = (exp: number) =>
  ['{"alg":"HS256","typ":"JWT"}', JSON.stringify({ user_id: 'u', exp })].map((s) => Buffer.from(s).toString('base64url')).join('.') + '.c2ln';
const future = jwtWithExp(Math.floor(Date.now() / 1000) + 3600);
const past = jwtWithExp(Math.floor(Date.now() / 1000) - 60);

function refusal(fn: () => unknown): FrameworksError {
  try {
    fn();
  } catch (e) {
    return e as FrameworksError;
  }
  throw new Error('expected a refusal');
}

describe('auth policy', () => {
  it('prefers the JWT, falls back to the service token where allowed', () => {
    const both = collectCredentials({ jwt: { token: future }, service_token: 'svc-123456' }, {});
    expect(chooseCredential('jwt-or-service', both, 'c')?.kind).toBe('jwt');
    expect(chooseCredential('service', both, 'c')?.kind).toBe('service');
    expect(chooseCredential('jwt', both, 'c')?.header).toBe(`Bearer ${future}`);
    expect(chooseCredential('none', both, 'c')).toBeUndefined();
  });

  it('uses the service token when the JWT expired, with a warning', () => {
    const warnings: string[] = [];
    const creds = collectCredentials({ jwt: { token: past }, service_token: 'svc-123456' }, {});
    expect(chooseCredential('jwt-or-service', creds, 'c', (w) => warnings.push(w))?.kind).toBe('service');
    expect(warnings[0]).toMatch(/expired/);
  });

  it('refuses an expired JWT with exit 3 and the login command', () => {
    const err = refusal(() => chooseCredential('jwt', collectCredentials({ jwt: { token: past } }, {}), 'prod'));
    expect(err.exitCode).toBe(3);
    expect(err.code).toBe('JWT_EXPIRED');
    expect(err.suggestions[0]).toContain('frameworks login --context prod');
  });

  it('refuses with exit 3 when nothing fits the policy', () => {
    expect(refusal(() => chooseCredential('service', collectCredentials({ jwt: { token: future } }, {}), 'c')).exitCode).toBe(3);
    expect(refusal(() => chooseCredential('jwt', collectCredentials({ service_token: 'svc-123456' }, {}), 'c')).exitCode).toBe(3);
  });

  it('environment credentials win over stored ones', () => {
    const creds = collectCredentials({ service_token: 'stored-123456' }, { SERVICE_TOKEN: 'env-1234567', FRAMEWORKS_JWT: future });
    expect(creds.serviceToken).toMatchObject({ token: 'env-1234567', source: 'env', envVar: 'SERVICE_TOKEN' });
    expect(creds.jwt).toMatchObject({ source: 'env', envVar: 'FRAMEWORKS_JWT' });
    const both = collectCredentials({}, { SERVICE_TOKEN: 'a-1234567', FRAMEWORKS_SERVICE_TOKEN: 'b-1234567' });
    expect(both.serviceToken?.token).toBe('b-1234567');
  });
});
