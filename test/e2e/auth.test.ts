import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { startGrpcHealthServer, startGrpcServerWithoutHealth, type GrpcHealthServer, type GrpcTestServer } from '../support/grpc-health-server.js';

const EMAIL = 'ops@example.com';
const PASSWORD = 'correct horse battery staple';
let cp: ControlPlane;
let decklog: GrpcHealthServer;
let foghornGrpc: GrpcTestServer;
let sb: CliSandbox;
const DEAD = 'http://127.0.0.1:9'; // discard port: nothing listens, connection refused

const creds = () => join(sb.frameworksHome, 'credentials.yaml');

beforeAll(async () => {
  cp = await startControlPlane({ users: [{ email: EMAIL, password: PASSWORD, role: 'owner' }] });
  decklog = await startGrpcHealthServer();
  foghornGrpc = await startGrpcServerWithoutHealth();
  sb = new CliSandbox();
  const set = Object.entries({ ...cp.urls, 'decklog-grpc': decklog.address, 'foghorn-grpc': foghornGrpc.address }).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const r = await sb.run(['context', 'create', 'cp', '--use', ...set]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await Promise.all([cp?.close(), decklog?.close(), foghornGrpc?.close()]);
  sb?.cleanup();
});
afterEach(() => {
  cp.reset();
  decklog.setStatus('SERVING');
});

const login = (args: string[] = [], password = PASSWORD, env: Record<string, string> = {}) =>
  sb.run(['login', '--email', EMAIL, '--password-stdin', ...args], { input: password + '\n', env });

describe('login with email and password', () => {
  it('stores the JWT and its expiry (0600) and reports it redacted', async () => {
    const r = await login(['--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json!.result as { jwt: { token: string; email: string; expires_at: string } };
    expect(result.jwt.email).toBe(EMAIL);
    expect(result.jwt.token).toMatch(/^eyJh….{4} \(\d+ chars\)$/);
    const stored = readFileSync(creds(), 'utf8');
    const token = /token: (\S+)/.exec(stored)![1];
    expect(token.split('.')).toHaveLength(3);
    expect(r.stdout + r.stderr).not.toContain(token);
    expect(statSync(creds()).mode & 0o777).toBe(0o600);
    const hours = (new Date(result.jwt.expires_at).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23);
    expect(hours).toBeLessThanOrEqual(24);
    // The gateway got exactly one POST with the JSON body of the contract.
    const posts = cp.requestsTo('gateway', '/auth/login');
    expect(posts).toHaveLength(1);
    expect(JSON.parse(String(posts[0].body))).toEqual({ email: EMAIL, password: PASSWORD });

    const status = await sb.run(['auth', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(status.json!.result).toMatchObject({ context: 'cp', authenticated: true, jwt: { email: EMAIL, role: 'owner', source: 'credentials', expired: false }, service_token: null });
    const whoami = await sb.run(['whoami']);
    expect(whoami.stdout).toContain(EMAIL);
  });

  it('a wrong password: exit 3 with the server text, stored credentials untouched', async () => {
    const before = readFileSync(creds(), 'utf8');
    const r = await login(['--json'], 'wrong-password-123');
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ status: 3, name: 'AuthError', code: 'LOGIN_FAILED', message: 'Login failed: Invalid credentials.' });
    expect(readFileSync(creds(), 'utf8')).toBe(before);
  });

  it('a bad email is refused before any request (exit 2)', async () => {
    const r = await sb.run(['login', '--email', 'not-an-email', '--password-stdin'], { input: 'x\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not an email address');
    expect(cp.requestsTo('gateway', '/auth/login')).toHaveLength(0);
  });

  it('without a TTY the password prompt is refused and names the flag', async () => {
    const r = await sb.run(['login', '--email', EMAIL, '--json']);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ code: 'INPUT_REQUIRED' });
    expect((r.json!.suggestions as string[])[0]).toContain('--password-stdin');
    const none = await sb.run(['login']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Nothing to log in with');
  });

  it('an unreachable gateway is exit 6 with the check command', async () => {
    const r = await login(['--gateway-url', DEAD, '--json']);
    expect(r.code).toBe(6);
    expect(r.json).toMatchObject({ status: 6, code: 'UNREACHABLE', name: 'NetworkError' });
    expect((r.json!.suggestions as string[]).join(' ')).toContain('frameworks context check');
  });

  it('a gateway that does not answer in time is exit 6 (timeout)', async () => {
    cp.inject('gateway', { kind: 'hang' });
    const r = await login(['--timeout', '500ms', '--json']);
    expect(r.code).toBe(6);
    expect(r.json).toMatchObject({ code: 'TIMEOUT' });
  });

  it('Commodore down behind the gateway (502) is exit 6 with the server text', async () => {
    cp.setCommodoreDown(true);
    const r = await login(['--json']);
    expect(r.code).toBe(6);
    expect(String(r.json!.message)).toContain('Service temporarily unavailable');
  });

  it('a reply that is not JSON, or a reset connection, fails clearly', async () => {
    cp.inject('gateway', { kind: 'garbage' }, { path: '/auth/login' });
    const garbage = await login(['--json']);
    expect(garbage.code).toBe(1);
    expect(garbage.json).toMatchObject({ code: 'BAD_RESPONSE' });
    cp.clearFaults();
    cp.inject('gateway', { kind: 'reset' }, { path: '/auth/login' });
    const reset = await login(['--json']);
    expect(reset.code).toBe(6);
    // A login POST is never retried: one attempt reached the gateway.
    expect(cp.requestsTo('gateway', '/auth/login')).toHaveLength(2);
  });

  it('precedence for the gateway URL: --gateway-url > FRAMEWORKS_GATEWAY_URL > context', async () => {
    const envDead = await login(['--json'], PASSWORD, { FRAMEWORKS_GATEWAY_URL: DEAD });
    expect(envDead.code).toBe(6);
    const flagWins = await login(['--gateway-url', cp.urls.gateway, '--json'], PASSWORD, { FRAMEWORKS_GATEWAY_URL: DEAD });
    expect(flagWins.code, flagWins.stderr).toBe(0);
  });

  it('accepts the HEAD-era gateway that returns the JWT as a cookie', async () => {
    const head = await startControlPlane({ loginMode: 'head', users: [{ email: EMAIL, password: PASSWORD }] });
    try {
      const r = await login(['--gateway-url', head.urls.gateway, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const exp = new Date((r.json!.result as { jwt: { expires_at: string } }).jwt.expires_at).getTime();
      expect(exp - Date.now()).toBeLessThanOrEqual(900_000);
    } finally {
      await head.close();
    }
  });
});

describe('service token, environment and expiry', () => {
  it('stores a service token from stdin and shows it masked', async () => {
    const r = await sb.run(['login', '--service-token-stdin'], { input: `${cp.serviceToken}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(cp.serviceToken);
    const status = await sb.run(['auth', 'status', '--json']);
    expect(status.json!.result).toMatchObject({ service_token: { source: 'credentials' } });
  });

  it('detects FRAMEWORKS_SERVICE_TOKEN / SERVICE_TOKEN / FRAMEWORKS_JWT from the environment', async () => {
    const jwt = cp.signJwt({ user_id: 'u1', tenant_id: 't1', email: 'ci@example.com', role: 'member' });
    const status = await sb.run(['auth', 'status', '--json'], { env: { SERVICE_TOKEN: 'env-service-token-123', FRAMEWORKS_JWT: jwt } });
    expect(status.json!.result).toMatchObject({ jwt: { source: 'env', env: 'FRAMEWORKS_JWT', email: 'ci@example.com' }, service_token: { source: 'env', env: 'SERVICE_TOKEN' } });
    const other = new CliSandbox();
    try {
      const stored = await other.run(['login', '--json'], { env: { FRAMEWORKS_SERVICE_TOKEN: 'ci-service-token-456' } });
      expect(stored.code, stored.stderr).toBe(0);
      expect(stored.json!.result).toMatchObject({ sources: ['FRAMEWORKS_SERVICE_TOKEN'] });
      expect(readFileSync(join(other.frameworksHome, 'credentials.yaml'), 'utf8')).toContain('service_token: ci-service-token-456');
    } finally {
      other.cleanup();
    }
  });

  it('an expired JWT: refused by login --jwt, and auth status exits 3', async () => {
    const expired = cp.signJwt({ user_id: 'u1', email: 'old@example.com', exp: Math.floor(Date.now() / 1000) - 60 });
    const r = await sb.run(['login', '--jwt', expired, '--json']);
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ code: 'JWT_EXPIRED' });
    const other = new CliSandbox();
    try {
      mkdirSync(other.frameworksHome, { recursive: true, mode: 0o700 });
      writeFileSync(join(other.frameworksHome, 'credentials.yaml'), `version: 1\ncontexts:\n  local:\n    jwt:\n      token: ${expired}\n`, { mode: 0o600 });
      const status = await other.run(['auth', 'status', '--json']);
      expect(status.code).toBe(3);
      expect(status.json).toMatchObject({ status: 3, code: 'JWT_EXPIRED', result: { jwt: { expired: true } } });
      expect(String((status.json!.suggestions as string[])[0])).toContain('frameworks login');
    } finally {
      other.cleanup();
    }
  });

  it('logout removes the stored credentials of the context', async () => {
    const r = await sb.run(['logout', '--json']);
    expect(r.code).toBe(0);
    expect(r.json!.result).toMatchObject({ removed: ['cp'] });
    const status = await sb.run(['auth', 'status', '--json']);
    expect(status.code).toBe(3);
    expect(status.json).toMatchObject({ code: 'NOT_AUTHENTICATED' });
  });
});

describe('context check', () => {
  it('all endpoints healthy: exit 0 with one probe per endpoint', async () => {
    const r = await sb.run(['context', 'check', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const result = r.json!.result as { ok: boolean; probes: Array<{ service: string; ok: boolean; health: string }> };
    expect(result.ok).toBe(true);
    expect(result.probes).toHaveLength(10);
    expect(result.probes.find((p) => p.service === 'decklog-grpc')).toMatchObject({ ok: true, health: 'SERVING' });
    expect(result.probes.find((p) => p.service === 'gateway')).toMatchObject({ ok: true, health: 'healthy' });
    for (const service of ['gateway', 'quartermaster', 'control', 'foghorn-http', 'periscope-query', 'periscope-ingest', 'purser', 'signalman']) {
      expect(cp.requestsTo(service as never, '/health').length, service).toBeGreaterThan(0);
    }
  });

  it('an unhealthy (503) HTTP service or a NOT_SERVING gRPC service fails the check (exit 1) with every result', async () => {
    cp.setHealth('quartermaster', 'unhealthy');
    cp.setHealth('purser', 'degraded');
    decklog.setStatus('NOT_SERVING');
    const r = await sb.run(['context', 'check', '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'CHECK_FAILED' });
    const probes = (r.json!.result as { probes: Array<{ service: string; ok: boolean; status: number | null; health: string | null; condition: string }> }).probes;
    expect(probes.find((p) => p.service === 'quartermaster')).toMatchObject({ ok: false, status: 503, health: 'unhealthy' });
    expect(probes.find((p) => p.service === 'purser')).toMatchObject({ ok: true, health: 'degraded' });
    expect(probes.find((p) => p.service === 'decklog-grpc')).toMatchObject({ ok: false, health: 'NOT_SERVING' });
    const human = await sb.run(['context', 'check']);
    // One status vocabulary: down / degraded / ok, with what the service said as the detail.
    expect(human.stdout).toMatch(/^quartermaster\s+✗ down\s.*HTTP 503 \(unhealthy\)$/m);
    expect(human.stdout).toMatch(/^purser\s+⚠ degraded\s.*HTTP 200 degraded$/m);
    expect(human.stdout).toMatch(/^decklog-grpc\s+✗ down\s.*NOT_SERVING$/m);
    expect(probes.find((p) => p.service === 'purser')).toMatchObject({ condition: 'degraded' });
    expect(human.stderr).toContain('2 of 10 endpoints failed: quartermaster, decklog-grpc');
  });

  it('probes run concurrently: ten hung endpoints cost about one timeout, not ten', async () => {
    for (const s of ['gateway', 'quartermaster', 'control', 'foghorn-http', 'periscope-query', 'periscope-ingest', 'purser', 'signalman'] as const) cp.inject(s, { kind: 'hang' });
    const slowGrpc = await startGrpcHealthServer({ delayMs: 10_000 });
    try {
      const r = await sb.run(['context', 'check', '--timeout', '1s', '--json'], { env: { FRAMEWORKS_DECKLOG_GRPC_URL: slowGrpc.address } });
      expect(r.code).toBe(1);
      const result = r.json!.result as { elapsed_ms: number; probes: Array<{ ok: boolean; error_code: string | null }> };
      expect(result.probes.filter((p) => p.error_code === 'TIMEOUT')).toHaveLength(9);
      expect(result.elapsed_ms).toBeLessThan(3_000);
    } finally {
      await slowGrpc.close();
    }
  });

  it('verifies TLS unless --insecure', async () => {
    const dir = join(sb.home, 'tls');
    mkdirSync(dir);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const server: Server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const strict = await sb.run(['context', 'check', '--only', 'gateway', '--json'], { env: { FRAMEWORKS_GATEWAY_URL: url } });
      expect(strict.code).toBe(1);
      expect((strict.json!.result as { probes: Array<{ error: string }> }).probes[0].error).toMatch(/TLS|certificate/i);
      const insecure = await sb.run(['context', 'check', '--only', 'gateway', '--insecure', '--json'], { env: { FRAMEWORKS_GATEWAY_URL: url } });
      expect(insecure.code, insecure.stdout).toBe(0);
    } finally {
      server.close();
    }
  });

  it('Ctrl-C during a check exits 130; under --json stdout still holds one document', async () => {
    cp.inject('gateway', { kind: 'hang' });
    const interrupted = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const env = Object.fromEntries(Object.entries(sb.baseEnv).filter(([, v]) => v !== undefined)) as Record<string, string>;
        const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.stderr.on('data', (c) => (stderr += c));
        // Interrupt once the command is under way (its process has loaded and is waiting on the probe).
        setTimeout(() => child.kill('SIGINT'), 1_500);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const human = await interrupted(['context', 'check', '--only', 'gateway', '--timeout', '20s']);
    expect(human.code).toBe(130);
    expect(human.stderr).toContain('Interrupted');
    const json = await interrupted(['context', 'check', '--only', 'gateway', '--timeout', '20s', '--json']);
    expect(json.code).toBe(130);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 130, code: 'INTERRUPTED' });
  });

  it('FRAMEWORKS_CONTENT_TYPE=json turns on JSON output like --json', async () => {
    const r = await sb.run(['context', 'list'], { env: { FRAMEWORKS_CONTENT_TYPE: 'json' } });
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 0, result: { current: 'cp' } });
    const v = await sb.run(['version'], { env: { FRAMEWORKS_CONTENT_TYPE: 'json' } });
    expect(JSON.parse(v.stdout).result.cli).toBe('@frameworks/cli');
  });

  it('rejects a bad --timeout or --only value (exit 2)', async () => {
    expect((await sb.run(['context', 'check', '--timeout', 'soon'])).code).toBe(2);
    const only = await sb.run(['context', 'check', '--only', 'gateway,nope']);
    expect(only.code).toBe(2);
    expect(only.stderr).toContain('Unknown service "nope"');
  });
});

describe('secrets never leak', () => {
  it('a canary token appears in no output of any command run with --verbose, nor in the audit log', async () => {
    const canary = `CANARY${Date.now()}xyzzyCANARY`;
    const canaryPassword = `pw-${canary}`;
    const canaryJwt = cp.signJwt({ user_id: 'u9', email: 'canary@example.com', role: 'owner', canary });
    cp.addUser({ email: 'canary@example.com', password: canaryPassword });
    const outputs: string[] = [];
    const run = async (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) => {
      const r = await sb.run([...args, '--verbose'], opts);
      outputs.push(`${r.stdout}\n${r.stderr}`); // not the argv: that is where the test put the canary
      return r;
    };
    await run(['login', '--service-token', canary]);
    await run(['login', '--service-token-stdin', '--json'], { input: canary + '\n' });
    await run(['login', '--email', 'canary@example.com', '--password-stdin'], { input: canaryPassword + '\n' });
    await run(['login', '--email', 'canary@example.com', '--password-stdin', '--json'], { input: 'wrong-' + canary + '\n' });
    await run(['login', '--jwt', canaryJwt, '--json']);
    await run(['auth', 'status']);
    await run(['auth', 'status', '--json'], { env: { SERVICE_TOKEN: canary, FRAMEWORKS_JWT: canaryJwt } });
    await run(['context', 'show', '--json']);
    await run(['context', 'show']);
    await run(['context', 'check', '--only', 'gateway,decklog-grpc']);
    await run(['context', 'list', '--json'], { env: { FRAMEWORKS_SERVICE_TOKEN: canary } });
    await run(['version']);
    await run(['login', '--bogus-flag', canary]);
    await run(['logout']);
    const all = outputs.join('\n');
    expect(outputs).toHaveLength(14);
    expect(all).toContain('→ POST'); // --verbose traces really were printed
    expect(all).not.toContain(canary);
    expect(all).not.toContain(canaryJwt);
    expect(all).not.toContain(canaryJwt.split('.')[2]);
    const audit = readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8');
    expect(audit).toContain('"command":"login"');
    expect(audit).not.toContain(canary);
    expect(audit).not.toContain(canaryJwt);
  });
});
