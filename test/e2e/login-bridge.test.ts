/**
 * Login as today's Gateway (Bridge) does it (contract §4.4): the device-code flow with its
 * pending / slow_down / denied / expired answers, and `login --token` checked at
 * `GET /auth/token/validate` before anything is stored. (Cookie login: auth.test.ts.)
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { startControlPlane, type ControlPlane, type StoredDeveloperToken } from '../support/control-plane.js';

const EMAIL = 'ops@example.com';

let cp: ControlPlane;
let sb: CliSandbox;

const creds = () => join(sb.frameworksHome, 'credentials.yaml');
const stored = () => (existsSync(creds()) ? readFileSync(creds(), 'utf8') : '');
const login = (args: string[]) => sb.run(['login', '--gateway-url', cp.urls.gateway, ...args], { timeoutMs: 60_000 });

beforeAll(async () => {
  cp = await startControlPlane({ loginMode: 'head', users: [{ email: EMAIL, password: 'pw-123456', role: 'owner' }] });
  sb = new CliSandbox('fw-login-bridge-');
});
afterAll(async () => {
  await cp?.close();
  sb?.cleanup();
});
afterEach(async () => {
  cp.reset();
  await sb.run(['logout', '--all']);
});

describe('login --device', () => {
  it('shows the URL and the code, polls through authorization_pending twice, then stores the JWT (0600, never printed whole)', async () => {
    cp.bridge.deviceFlow({ email: EMAIL, pending: 2, interval: 1 });
    const r = await login(['--device']);
    expect(r.code, r.stderr).toBe(0);
    const start = cp.requestsTo('gateway', '/auth/device/start');
    expect(start).toHaveLength(1);
    expect(JSON.parse(start[0].body)).toEqual({ client_id: 'cli', scope: 'account' });
    expect(r.stderr).toMatch(/Open http:\/\/127\.0\.0\.1:\d+\/device\?user_code=[0-9A-F]{4}-[0-9A-F]{4} and confirm the code [0-9A-F]{4}-[0-9A-F]{4}/);
    expect(cp.bridge.devicePolls).toBe(3);
    const polls = cp.requestsTo('gateway', '/auth/device/poll').map((q) => JSON.parse(q.body) as { client_id: string; device_code: string });
    expect(polls.every((p) => p.client_id === 'cli' && p.device_code.length > 0)).toBe(true);
    const file = stored();
    const token = /token: (\S+)/.exec(file)![1];
    expect(token.split('.')).toHaveLength(3);
    expect(file).toContain(`email: ${EMAIL}`);
    expect(statSync(creds()).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain(token);
    expect(r.stdout).toContain(`Stored JWT for context "local" (${EMAIL})`);
    // The stored JWT works: auth status sees it.
    const status = await sb.run(['auth', 'status', '--json']);
    expect(status.code, status.stdout).toBe(0);
  });

  it('slow_down adds to the interval and still ends in a login (--json: one document, no prompt text on stdout)', async () => {
    cp.bridge.deviceFlow({ email: EMAIL, slowDown: 1, pending: 0, interval: 1 });
    const r = await login(['--device', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({ sources: ['device login'], jwt: { email: EMAIL } });
    expect(cp.bridge.devicePolls).toBe(2);
  });

  it('access_denied is exit 3 and nothing is stored', async () => {
    cp.bridge.deviceFlow({ email: EMAIL, pending: 1, outcome: 'deny', interval: 1 });
    const r = await login(['--device', '--json']);
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ code: 'DEVICE_ACCESS_DENIED' });
    expect(stored()).not.toContain('jwt');
  });

  it('expired_token is exit 3 naming the code; a wait bounded by --device-timeout ends the same way', async () => {
    cp.bridge.deviceFlow({ email: EMAIL, pending: 0, outcome: 'expire', interval: 1 });
    const expired = await login(['--device', '--json']);
    expect(expired.code).toBe(3);
    expect(expired.json).toMatchObject({ code: 'DEVICE_CODE_EXPIRED' });

    cp.bridge.deviceFlow({ email: EMAIL, pending: 1000, interval: 1 });
    const bounded = await login(['--device', '--device-timeout', '1500ms', '--json']);
    expect(bounded.code).toBe(3);
    expect(bounded.json).toMatchObject({ code: 'DEVICE_CODE_EXPIRED' });
    expect(String(bounded.json!.message)).toContain('within 2 s');
    expect(cp.bridge.devicePolls).toBeLessThanOrEqual(3);
    expect(stored()).not.toContain('jwt');
  });
});

describe('login --token', () => {
  it('validates at GET /auth/token/validate, then stores the token with what the Gateway said', async () => {
    const user = cp.findUser(EMAIL)!;
    const jwt = cp.signJwt({ user_id: user.id, tenant_id: user.tenant_id, email: EMAIL, role: 'owner' });
    const r = await login(['--token', jwt, '--json']);
    expect(r.code, r.stdout).toBe(0);
    const calls = cp.requestsTo('gateway', '/auth/token/validate');
    expect(calls).toHaveLength(1);
    expect(calls[0].method).toBe('GET');
    expect(calls[0].headers.authorization).toBe(`Bearer ${jwt}`);
    expect(stored()).toContain(jwt);
    expect(r.stdout).not.toContain(jwt);
  });

  it('a developer API token (fw_…) the Gateway accepts is stored as the Bearer credential too', async () => {
    const user = cp.findUser(EMAIL)!;
    const value = `fw_${'ab12'.repeat(16)}`;
    (cp.developerTokens as StoredDeveloperToken[]).push({
      id: '0c7f5f8e-7d7a-4b1a-8f3e-3f2f6b2a1c11', user_id: user.id, token_value: value, token_name: 'ci', permissions: ['read'],
      expires_at: null, created_at: new Date().toISOString(), active: true,
    });
    const r = await login(['--token', value, '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(stored()).toContain(value);
    expect(stored()).toContain(`user_id: ${user.id}`);
    const status = await sb.run(['auth', 'status', '--json']);
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).not.toContain(value);
  });

  it('a token the Gateway does not accept is exit 3 and nothing is stored', async () => {
    const forged = cp.signJwt({ user_id: 'x', email: EMAIL }, { secret: 'not-the-secret' });
    const r = await login(['--token', forged, '--json']);
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(stored()).not.toContain(forged);
  });
});
