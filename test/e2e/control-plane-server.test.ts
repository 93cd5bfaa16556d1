/**
 * The control-plane test server must itself follow the contract (control-plane.md §1, §2, §4.1, §4.4,
 * §7, §8), or the CLI's e2e tests would prove nothing. Everything here goes over real sockets.
 */
import { createHmac } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckResponse, encodeCheckRequest, probeGrpcHealth } from '@frameworks/sdk/grpc-health';
import { probeHttpHealth } from '@frameworks/sdk/http';
import {
  AUTH_ERRORS,
  GO_ZERO_TIME,
  LOGIN_ERRORS,
  SERVICE_ACCOUNT,
  SERVICES,
  bindLoginRequest,
  goDuration,
  startControlPlane,
  type ControlPlane,
  type ServiceName,
} from '../support/control-plane.js';
import { startGrpcHealthServer, startGrpcServerWithoutHealth } from '../support/grpc-health-server.js';

interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  ms: number;
}

/** One request on a fresh connection (no keep-alive pool), so socket-level faults are seen as-is. */
function http(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | object; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const body = typeof opts.body === 'object' ? JSON.stringify(opts.body) : opts.body;
  const headers = { ...(typeof opts.body === 'object' ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers, agent: false, timeout: opts.timeoutMs ?? 3000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

function json(r: HttpResult): Record<string, unknown> {
  return JSON.parse(r.text) as Record<string, unknown>;
}

function decodeJwtPart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const RFC3339_FRACTIONAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,9}Z$/;
const GO_DURATION = /^\d+(\.\d+)?(ns|µs|ms|s)$/;

describe('control-plane test server (MVP)', () => {
  let cp: ControlPlane;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    cp = await startControlPlane();
    cp.addUser({ email: 'ops@example.com', password, role: 'owner', tenant_id: 'tenant-1', id: 'user-1' });
    cp.addUser({ email: 'gone@example.com', password, active: false });
    cp.addUser({ email: 'new@example.com', password, verified: false });
  });
  afterAll(() => cp.close());
  afterEach(() => cp.reset());

  const login = (body: string | object, headers: Record<string, string> = {}) =>
    http(`${cp.urls.gateway}/auth/login`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  describe('listeners and /health (§2)', () => {
    it('gives every service its own 127.0.0.1 port, Signalman as ws://', () => {
      expect(Object.keys(cp.urls).sort()).toEqual(
        ['control', 'foghorn-http', 'gateway', 'periscope-ingest', 'periscope-query', 'purser', 'quartermaster', 'signalman-ws'].sort(),
      );
      const ports = new Set(Object.values(cp.ports));
      expect(ports.size).toBe(SERVICES.length);
      expect(cp.urls['signalman-ws']).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      for (const [key, url] of Object.entries(cp.urls)) if (key !== 'signalman-ws') expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it('answers GET /health on every service with the Go body', async () => {
      const names: Record<ServiceName, string> = {
        gateway: 'gateway',
        quartermaster: 'quartermaster',
        control: 'commodore',
        'foghorn-http': 'foghorn',
        'periscope-query': 'periscope-query',
        'periscope-ingest': 'periscope-ingest',
        purser: 'purser',
        signalman: 'signalman',
      };
      for (const service of SERVICES) {
        const base = service === 'signalman' ? cp.urls['signalman-ws'].replace(/^ws:/, 'http:') : cp.urls[service as Exclude<ServiceName, 'signalman'>];
        const before = Math.floor(Date.now() / 1000);
        const r = await http(`${base}/health`);
        expect(r.status, service).toBe(200);
        expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
        const body = json(r);
        expect(Object.keys(body)).toEqual(['status', 'service', 'version', 'timestamp', 'checks']);
        expect(body).toMatchObject({ status: 'healthy', service: names[service], version: 'v0.1.0' });
        expect(Number.isInteger(body.timestamp)).toBe(true);
        expect(body.timestamp as number).toBeGreaterThanOrEqual(before);
        expect(body.timestamp as number).toBeLessThanOrEqual(before + 2);
        const checks = body.checks as Record<string, { status: string; message: string; latency: string }>;
        expect(Object.keys(checks).sort()).toEqual(['config', 'database']);
        expect(checks.database).toMatchObject({ status: 'healthy', message: 'Database connection successful' });
        expect(checks.config).toMatchObject({ status: 'healthy', message: 'All required configuration present' });
        expect(checks.database.latency).toMatch(GO_DURATION);
        expect(checks.config.latency).toMatch(GO_DURATION);
      }
    });

    it('unhealthy → 503 with status unhealthy; degraded → 200; healthy again → 200', async () => {
      cp.setHealth('quartermaster', 'unhealthy');
      let r = await http(`${cp.urls.quartermaster}/health`);
      expect(r.status).toBe(503);
      expect(json(r).status).toBe('unhealthy');
      expect((json(r).checks as Record<string, { status: string }>).database.status).toBe('unhealthy');

      cp.setHealth('quartermaster', 'degraded');
      r = await http(`${cp.urls.quartermaster}/health`);
      expect(r.status).toBe(200);
      expect(json(r).status).toBe('degraded');

      cp.setHealth('quartermaster', 'healthy');
      r = await http(`${cp.urls.quartermaster}/health`);
      expect([r.status, json(r).status]).toEqual([200, 'healthy']);
      // Other services are unaffected by one service's state.
      expect((await http(`${cp.urls.purser}/health`)).status).toBe(200);
    });

    it('answers unknown routes (and HEAD /health at MVP) with Gin\'s plain-text 404', async () => {
      for (const [method, path] of [['GET', '/nope'], ['POST', '/health'], ['HEAD', '/health'], ['GET', '/metrics/x']]) {
        const r = await http(`${cp.urls.quartermaster}${path}`, { method });
        expect(r.status, `${method} ${path}`).toBe(404);
        expect(r.headers['content-type']).toBe('text/plain');
        if (method !== 'HEAD') expect(r.text).toBe('404 page not found');
      }
    });

    it('redirects a trailing slash as Gin does (301 for GET)', async () => {
      const r = await http(`${cp.urls.purser}/health/`);
      expect(r.status).toBe(301);
      expect(r.headers.location).toBe('/health');
    });

    it('formats latencies as Go duration strings', () => {
      expect(goDuration(0)).toBe('0s');
      expect(goDuration(850)).toBe('850ns');
      expect(goDuration(2_000)).toBe('2µs');
      expect(goDuration(1_800_000)).toBe('1.8ms');
      expect(goDuration(1_834_567)).toBe('1.834567ms');
      expect(goDuration(1_500_000_000)).toBe('1.5s');
    });
  });

  describe('POST /auth/login through the Gateway (§4.1)', () => {
    it('returns a real HS256 JWT, the zero-valued MVP user and an RFC3339 expires_at 24 h ahead', async () => {
      const before = Math.floor(Date.now() / 1000);
      const r = await login({ email: 'ops@example.com', password });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      const body = json(r) as { token: string; user: Record<string, unknown>; expires_at: string };
      expect(Object.keys(body).sort()).toEqual(['expires_at', 'token', 'user']);
      expect(body.user).toEqual({
        id: 'user-1',
        tenant_id: 'tenant-1',
        email: 'ops@example.com',
        first_name: '',
        last_name: '',
        role: 'owner',
        permissions: null,
        is_active: false,
        is_verified: false,
        created_at: GO_ZERO_TIME,
        updated_at: GO_ZERO_TIME,
      });

      const [h, p, s] = body.token.split('.');
      expect(decodeJwtPart(h)).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(createHmac('sha256', cp.jwtSecret).update(`${h}.${p}`).digest('base64url')).toBe(s);
      const claims = decodeJwtPart(p);
      expect(claims).toMatchObject({ user_id: 'user-1', tenant_id: 'tenant-1', email: 'ops@example.com', role: 'owner' });
      expect(Object.keys(claims).sort()).toEqual(['email', 'exp', 'iat', 'role', 'tenant_id', 'user_id']);
      expect(claims.iat as number).toBeGreaterThanOrEqual(before);
      expect((claims.exp as number) - (claims.iat as number)).toBe(24 * 3600);

      expect(body.expires_at).toMatch(RFC3339_FRACTIONAL);
      expect(Math.floor(Date.parse(body.expires_at) / 1000)).toBe(claims.exp);
      expect(r.headers['set-cookie']).toBeUndefined();
    });

    it('really proxies to Commodore: one POST each, body and headers forwarded', async () => {
      await login({ email: 'ops@example.com', password }, { 'x-trace': 'abc' });
      const atGateway = cp.requestsTo('gateway', '/auth/login');
      const atCommodore = cp.requestsTo('control', '/auth/login');
      expect(atGateway).toHaveLength(1);
      expect(atCommodore).toHaveLength(1);
      expect(atGateway[0].method).toBe('POST');
      expect(JSON.parse(atCommodore[0].body)).toEqual({ email: 'ops@example.com', password });
      expect(atCommodore[0].headers['x-trace']).toBe('abc');
    });

    it.each([
      ['unknown email', 'nobody@example.com', password, LOGIN_ERRORS.invalidCredentials],
      ['wrong password', 'ops@example.com', 'wrong', LOGIN_ERRORS.invalidCredentials],
      ['inactive account', 'gone@example.com', password, 'Account is deactivated'],
      [
        'unverified email',
        'new@example.com',
        password,
        'Please verify your email address before logging in. Check your inbox for the verification email.',
      ],
    ])('401 for %s', async (_case, email, pw, message) => {
      const r = await login({ email, password: pw });
      expect(r.status).toBe(401);
      expect(json(r)).toEqual({ error: message });
    });

    it('400 with the validator text for a missing or malformed email, missing password, bad JSON', async () => {
      const cases: Array<[string | object, string]> = [
        [{ password }, "Key: 'LoginRequest.Email' Error:Field validation for 'Email' failed on the 'required' tag"],
        [{ email: 'not-an-email', password }, "Key: 'LoginRequest.Email' Error:Field validation for 'Email' failed on the 'email' tag"],
        [{ email: 'ops@example.com' }, "Key: 'LoginRequest.Password' Error:Field validation for 'Password' failed on the 'required' tag"],
        [
          {},
          "Key: 'LoginRequest.Email' Error:Field validation for 'Email' failed on the 'required' tag\n" +
            "Key: 'LoginRequest.Password' Error:Field validation for 'Password' failed on the 'required' tag",
        ],
        ['', 'EOF'],
        [{ email: 42, password }, 'json: cannot unmarshal number into Go struct field LoginRequest.email of type string'],
        ['[]', 'json: cannot unmarshal array into Go value of type models.LoginRequest'],
      ];
      for (const [body, message] of cases) {
        const r = await login(body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(json(r)).toEqual({ error: message });
      }
      // Go's JSON syntax errors are approximated; they are 400 with a Go-like text.
      for (const body of ['{nope', 'xyz', '{"email":']) {
        const r = await login(body);
        expect(r.status, body).toBe(400);
        expect(json(r).error).toMatch(/^(invalid character|unexpected EOF)/);
      }
      expect(bindLoginRequest('xyz')).toEqual({ ok: false, error: "invalid character 'x' looking for beginning of value" });
    });

    it('honours jwtTtlSeconds', async () => {
      const short = await startControlPlane({ jwtTtlSeconds: 60 });
      try {
        short.addUser({ email: 'a@example.com', password: 'pw' });
        const r = await http(`${short.urls.gateway}/auth/login`, { method: 'POST', body: { email: 'a@example.com', password: 'pw' } });
        const claims = decodeJwtPart((json(r).token as string).split('.')[1]);
        expect((claims.exp as number) - (claims.iat as number)).toBe(60);
      } finally {
        await short.close();
      }
    });

    it('502 "Service temporarily unavailable" on /auth/* while Commodore is down, and Commodore /health fails', async () => {
      cp.setCommodoreDown(true);
      const r = await login({ email: 'ops@example.com', password });
      expect(r.status).toBe(502);
      expect(json(r)).toEqual({ error: 'Service temporarily unavailable' });
      const me = await http(`${cp.urls.gateway}/auth/me`, { headers: { authorization: `Bearer ${cp.serviceToken}` } });
      expect(me.status).toBe(502);
      await expect(http(`${cp.urls.control}/health`)).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) });
      // The Gateway itself stays healthy.
      expect((await http(`${cp.urls.gateway}/health`)).status).toBe(200);

      cp.setCommodoreDown(false);
      expect((await login({ email: 'ops@example.com', password })).status).toBe(200);
    });

    it('passes Commodore errors through unchanged', async () => {
      cp.inject('control', { kind: 'status', code: 500, body: { error: 'Database error' } }, { path: '/auth/login' });
      const r = await login({ email: 'ops@example.com', password });
      expect(r.status).toBe(500);
      expect(json(r)).toEqual({ error: 'Database error' });
    });

    it('proxies only the MVP /auth routes; the others 404 at Commodore', async () => {
      const logout = await http(`${cp.urls.gateway}/auth/logout`, { method: 'POST', body: {} });
      expect([logout.status, logout.text]).toEqual([404, '404 page not found']);
      expect(cp.requestsTo('control', '/auth/logout')).toHaveLength(1);
      await http(`${cp.urls.gateway}/auth/verify/abc`);
      expect(cp.requestsTo('control', '/verify/:token')).toHaveLength(1);
    });
  });

  describe('auth middleware via GET /auth/me (§1.3)', () => {
    const me = (authorization?: string) =>
      http(`${cp.urls.gateway}/auth/me`, { headers: authorization === undefined ? {} : { authorization } });

    it.each([
      ['no header', undefined, AUTH_ERRORS.missing],
      ['empty header', '', AUTH_ERRORS.missing],
      ['Basic scheme', 'Basic dXNlcjpwdw==', AUTH_ERRORS.malformed],
      ['bare Bearer', 'Bearer', AUTH_ERRORS.malformed],
      ['two spaces', 'Bearer  token', AUTH_ERRORS.malformed],
      ['lower-case scheme', 'bearer token', AUTH_ERRORS.malformed],
      ['unknown token', 'Bearer not-a-token', AUTH_ERRORS.invalid],
    ])('401 for %s', async (_case, header, message) => {
      const r = await me(header);
      expect(r.status).toBe(401);
      expect(json(r)).toEqual({ error: message });
    });

    it('401 "Invalid JWT token" for an expired JWT and for one signed with another secret', async () => {
      const base = { user_id: 'u', tenant_id: 't', email: 'e@example.com', role: 'owner' };
      const expired = cp.signJwt({ ...base, iat: 1_000, exp: 2_000 });
      const foreign = cp.signJwt(base, { secret: 'someone-elses-secret' });
      for (const token of [expired, foreign]) {
        const r = await me(`Bearer ${token}`);
        expect(r.status).toBe(401);
        expect(json(r)).toEqual({ error: 'Invalid JWT token' });
      }
    });

    it('accepts the service token as the service account', async () => {
      const r = await me(`Bearer ${cp.serviceToken}`);
      expect(r.status).toBe(200);
      expect(json(r)).toEqual({
        user_id: '00000000-0000-0000-0000-000000000000',
        tenant_id: '00000000-0000-0000-0000-000000000001',
        email: 'service@internal',
        role: 'service',
      });
      expect(cp.authenticate({ headers: { authorization: `Bearer ${cp.serviceToken}` } })).toEqual({
        ok: true,
        kind: 'service',
        claims: { ...SERVICE_ACCOUNT },
      });
    });

    it('accepts a JWT from login and one minted with signJwt, and records the Authorization header', async () => {
      const token = json(await login({ email: 'ops@example.com', password })).token as string;
      const r = await me(`Bearer ${token}`);
      expect(r.status).toBe(200);
      expect(json(r)).toMatchObject({ user_id: 'user-1', tenant_id: 'tenant-1', email: 'ops@example.com', role: 'owner' });
      expect(cp.requestsTo('gateway', '/auth/me').at(-1)!.headers.authorization).toBe(`Bearer ${token}`);

      const minted = cp.signJwt({ user_id: 'u2', tenant_id: 't2', email: 'x@example.com', role: 'member' });
      const outcome = cp.authenticate({ headers: { authorization: `Bearer ${minted}` } });
      expect(outcome).toMatchObject({ ok: true, kind: 'jwt', claims: { user_id: 'u2', role: 'member' } });
    });
  });

  describe('fault injection', () => {
    it('delay: the answer comes late, and a client timeout fires first when shorter', async () => {
      cp.inject('purser', { kind: 'delay', ms: 300 }, { path: '/health', times: 1 });
      const slow = await http(`${cp.urls.purser}/health`);
      expect(slow.status).toBe(200);
      expect(slow.ms).toBeGreaterThanOrEqual(280);
      const fast = await http(`${cp.urls.purser}/health`);
      expect(fast.ms).toBeLessThan(slow.ms);

      cp.inject('purser', { kind: 'delay', ms: 2000 });
      await expect(http(`${cp.urls.purser}/health`, { timeoutMs: 150 })).rejects.toMatchObject({ code: 'CLIENT_TIMEOUT' });
    });

    it('status: the injected code and JSON error body', async () => {
      cp.inject('quartermaster', { kind: 'status', code: 503, body: { error: 'maintenance' } });
      let r = await http(`${cp.urls.quartermaster}/health`);
      expect([r.status, json(r)]).toEqual([503, { error: 'maintenance' }]);
      cp.clearFaults();
      cp.inject('quartermaster', { kind: 'status', code: 500 });
      r = await http(`${cp.urls.quartermaster}/anything`);
      expect([r.status, json(r)]).toEqual([500, { error: 'Internal Server Error' }]);
    });

    it('garbage: 200, application/json, body that does not parse', async () => {
      cp.inject('periscope-query', { kind: 'garbage' });
      const r = await http(`${cp.urls['periscope-query']}/health`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(() => JSON.parse(r.text)).toThrow(SyntaxError);
    });

    it('reset: the connection is reset without a response (ECONNRESET)', async () => {
      cp.inject('foghorn-http', { kind: 'reset' });
      await expect(http(`${cp.urls['foghorn-http']}/health`)).rejects.toMatchObject({ code: 'ECONNRESET' });
      await expect(fetch(`${cp.urls['foghorn-http']}/health`)).rejects.toThrow();
    });

    it('hang: accepted and never answered', async () => {
      cp.inject('periscope-ingest', { kind: 'hang' });
      await expect(http(`${cp.urls['periscope-ingest']}/health`, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'CLIENT_TIMEOUT' });
      expect(cp.requestsTo('periscope-ingest', '/health')).toHaveLength(1);
    });

    it('scopes faults by path and counts them with times', async () => {
      cp.inject('gateway', { kind: 'status', code: 500 }, { path: '/auth/login', times: 2 });
      expect((await http(`${cp.urls.gateway}/health`)).status).toBe(200);
      expect((await login({ email: 'ops@example.com', password })).status).toBe(500);
      expect((await login({ email: 'ops@example.com', password })).status).toBe(500);
      expect((await login({ email: 'ops@example.com', password })).status).toBe(200);
      expect(cp.requestsTo('gateway', '/auth/login')).toHaveLength(3);
      // The faulted attempts never reached Commodore.
      expect(cp.requestsTo('control', '/auth/login')).toHaveLength(1);

      cp.inject('gateway', { kind: 'status', code: 503 }, { path: /^\/auth\// });
      expect((await http(`${cp.urls.gateway}/auth/me`)).status).toBe(503);
      expect((await http(`${cp.urls.gateway}/health`)).status).toBe(200);
    });

    it('the disarm function removes one fault', async () => {
      const disarm = cp.inject('signalman', { kind: 'status', code: 503 });
      const url = `${cp.urls['signalman-ws'].replace(/^ws:/, 'http:')}/health`;
      expect((await http(url)).status).toBe(503);
      disarm();
      expect((await http(url)).status).toBe(200);
    });
  });

  it('is read correctly by the SDK health probe the CLI uses (ws→http, 503, degraded, reset, hang)', async () => {
    expect(await probeHttpHealth(cp.urls['signalman-ws'], 2000)).toMatchObject({ ok: true, status: 200, health: 'healthy' });
    cp.setHealth('purser', 'unhealthy');
    cp.setHealth('quartermaster', 'degraded');
    expect(await probeHttpHealth(cp.urls.purser, 2000)).toMatchObject({ ok: false, status: 503, health: 'unhealthy' });
    expect(await probeHttpHealth(cp.urls.quartermaster, 2000)).toMatchObject({ ok: true, status: 200, health: 'degraded' });
    cp.inject('control', { kind: 'reset' });
    cp.inject('gateway', { kind: 'hang' });
    expect(await probeHttpHealth(cp.urls.control, 2000)).toMatchObject({ ok: false, errorCode: 'ECONNRESET' });
    expect(await probeHttpHealth(cp.urls.gateway, 150)).toMatchObject({ ok: false, errorCode: 'TIMEOUT' });
  });

  it('close() ends hung and delayed connections promptly', async () => {
    const other = await startControlPlane();
    other.inject('gateway', { kind: 'hang' });
    other.inject('purser', { kind: 'delay', ms: 60_000 });
    const hung = http(`${other.urls.gateway}/health`, { timeoutMs: 10_000 }).catch((e: { code?: string }) => e);
    const delayed = http(`${other.urls.purser}/health`, { timeoutMs: 10_000 }).catch((e: { code?: string }) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await hung).toMatchObject({ code: 'ECONNRESET' });
    expect(await delayed).toMatchObject({ code: 'ECONNRESET' });
    await expect(http(`${other.urls.gateway}/health`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('control-plane test server (HEAD login, §4.4)', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({ loginMode: 'head' });
    cp.addUser({ email: 'ops@example.com', password: 'pw', id: 'user-1', tenant_id: 'tenant-1', first_name: 'Op' });
    cp.addUser({ email: 'new@example.com', password: 'pw', verified: false });
  });
  afterAll(() => cp.close());
  afterEach(() => cp.reset());

  const login = (body: object, path = '/auth/login') => http(`${cp.urls.gateway}${path}`, { method: 'POST', body });

  it('puts the JWT only in the HttpOnly access_token cookie (15 min)', async () => {
    const r = await login({ email: 'ops@example.com', password: 'pw' });
    expect(r.status).toBe(200);
    const body = json(r);
    expect(body.token).toBeUndefined();
    expect(Object.keys(body).sort()).toEqual(['expires_at', 'user']);
    expect(body.expires_at).toMatch(RFC3339_FRACTIONAL);
    expect(body.user).toMatchObject({ id: 'user-1', tenant_id: 'tenant-1', first_name: 'Op', is_active: true, is_verified: true, platform_operator: false });

    const cookies = r.headers['set-cookie'] ?? [];
    const access = cookies.find((c) => c.startsWith('access_token='));
    expect(access).toMatch(/; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax$/);
    expect(cookies.some((c) => c.startsWith('refresh_token='))).toBe(true);
    expect(cookies.some((c) => c.startsWith('tenant_id=tenant-1'))).toBe(true);

    const token = decodeURIComponent(/^access_token=([^;]+)/.exec(access!)![1]);
    const [h, p, s] = token.split('.');
    expect(createHmac('sha256', cp.jwtSecret).update(`${h}.${p}`).digest('base64url')).toBe(s);
    const claims = decodeJwtPart(p);
    expect(claims).toMatchObject({ user_id: 'user-1', tenant_id: 'tenant-1', email: 'ops@example.com', role: 'owner', roles: ['owner'] });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
  });

  it('accepts a trailing slash and answers HEAD /health', async () => {
    expect((await login({ email: 'ops@example.com', password: 'pw' }, '/auth/login/')).status).toBe(200);
    const head = await http(`${cp.urls.quartermaster}/health`, { method: 'HEAD' });
    expect([head.status, head.text]).toEqual([200, '']);
  });

  it('uses the sanitised HEAD error bodies', async () => {
    let r = await login({ email: 'ops@example.com', password: 'wrong' });
    expect([r.status, json(r)]).toEqual([401, { error: 'invalid credentials' }]);
    r = await login({ email: 'new@example.com', password: 'pw' });
    expect([r.status, json(r)]).toEqual([403, { error: 'email not verified', error_code: 'EMAIL_NOT_VERIFIED' }]);
    r = await login({ email: 'nope', password: 'pw' });
    expect(r.status).toBe(400);
    expect(json(r).error).toMatch(/^invalid request: /);
    cp.setCommodoreDown(true);
    r = await login({ email: 'ops@example.com', password: 'pw' });
    expect([r.status, json(r)]).toEqual([503, { error: 'authentication service temporarily unavailable' }]);
  });
});

describe('gRPC health servers (§7)', () => {
  it('SERVING for the empty service name, then NOT_SERVING after setStatus', async () => {
    const srv = await startGrpcHealthServer();
    try {
      expect(srv.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(await probeGrpcHealth(srv.address, 2000)).toMatchObject({ ok: true, health: 'SERVING' });
      srv.setStatus('NOT_SERVING');
      expect(await probeGrpcHealth(srv.address, 2000)).toMatchObject({ ok: false, health: 'NOT_SERVING' });
    } finally {
      await srv.close();
    }
  });

  it('starts NOT_SERVING when told to, and a named unknown service is NOT_FOUND', async () => {
    const srv = await startGrpcHealthServer({ status: 'NOT_SERVING' });
    const client = new grpc.Client(srv.address, grpc.credentials.createInsecure());
    try {
      expect(await probeGrpcHealth(srv.address, 2000)).toMatchObject({ ok: false, health: 'NOT_SERVING' });
      const err = await new Promise<grpc.ServiceError | null>((resolve) => {
        client.makeUnaryRequest(
          '/grpc.health.v1.Health/Check',
          (req: Buffer) => req,
          (res: Buffer) => decodeCheckResponse(res),
          encodeCheckRequest('decklog.Unknown'),
          { deadline: Date.now() + 2000 },
          (e) => resolve(e),
        );
      });
      expect(err?.code).toBe(grpc.status.NOT_FOUND);
    } finally {
      client.close();
      await srv.close();
    }
  });

  it('delayMs makes a short deadline expire', async () => {
    const srv = await startGrpcHealthServer({ delayMs: 1000 });
    try {
      expect(await probeGrpcHealth(srv.address, 200)).toMatchObject({ ok: false, errorCode: 'TIMEOUT' });
    } finally {
      await srv.close();
    }
  });

  it('a server without the health service answers UNIMPLEMENTED', async () => {
    const srv = await startGrpcServerWithoutHealth();
    try {
      expect(await probeGrpcHealth(srv.address, 2000)).toMatchObject({ ok: false, errorCode: 'UNIMPLEMENTED' });
      expect(await probeGrpcHealth(srv.address, 2000, false, { acceptUnimplemented: true })).toMatchObject({ ok: true });
    } finally {
      await srv.close();
    }
  });
});
