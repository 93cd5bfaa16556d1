/**
 * Reaching the control plane through an SSH host (`--via`, a context's `via`, `context check --ssh`)
 * and hosts behind ProxyJump chains, with real sshd and a real network split: the CLI runs inside
 * a network namespace (the operator's laptop) whose only way out is a veth link to the jump host's
 * sshd; the control plane listens on the host's 127.0.0.1, which the namespace cannot reach.
 * Needs root (ip netns); CI runs as root.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFile, chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, ROOT, type CliResult } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { startGrpcHealthServer, startGrpcServerWithoutHealth, type GrpcTestServer } from '../support/grpc-health-server.js';
import { startSshd, type Sshd } from '../support/sshd.js';

const sh = promisify(execFile);
const TENANT = '5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10';
const USER = { email: 'ops@example.com', password: 'pw-for-via-tests', role: 'owner', is_provider: true, tenant_id: TENANT };

// One namespace per test process: unique names and a /30 of 10.213.0.0/16 from the pid.
const tag = `${process.pid % 100000}`;
const NS = `fwvia${tag}`;
const VETH = [`fwva${tag}`, `fwvb${tag}`];
const octet = process.pid % 250;
const HOST_IP = `10.213.${octet}.1`;
const NS_IP = `10.213.${octet}.2`;
const IN_NS = ['ip', 'netns', 'exec', NS];

let cp: ControlPlane;
let decklog: GrpcTestServer;
let foghornGrpc: GrpcTestServer;
let jump: Sshd; // listens on the veth address (reachable from the namespace) and on 127.0.0.1
let inner: Sshd; // 127.0.0.1 only: the second hop of the ProxyJump chain
let sb: CliSandbox;
let via: string;

const env = () => ({ FRAMEWORKS_SERVICE_TOKEN: cp.serviceToken, SSH_AUTH_SOCK: undefined });
const run = (args: string[], extra: Record<string, string | undefined> = {}) => sb.run(args, { prefix: IN_NS, env: { ...env(), ...extra }, timeoutMs: 60_000 });
const ok = (r: CliResult) => expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);

async function cleanupNetwork(): Promise<void> {
  await sh('ip', ['link', 'del', VETH[0]]).catch(() => undefined);
  await sh('ip', ['netns', 'del', NS]).catch(() => undefined);
}

beforeAll(async () => {
  await cleanupNetwork();
  await sh('ip', ['netns', 'add', NS]);
  await sh('ip', ['link', 'add', VETH[0], 'type', 'veth', 'peer', 'name', VETH[1]]);
  await sh('ip', ['link', 'set', VETH[1], 'netns', NS]);
  await sh('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', VETH[0]]);
  await sh('ip', ['link', 'set', VETH[0], 'up']);
  await sh('ip', ['netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_IP}/30`, 'dev', VETH[1]]);
  await sh('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', VETH[1], 'up']);
  await sh('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);

  [cp, decklog, foghornGrpc, jump, inner] = await Promise.all([
    startControlPlane({ users: [USER], drainViewersPerSecond: 1000 }),
    startGrpcHealthServer(),
    startGrpcServerWithoutHealth(),
    startSshd({ listen: [HOST_IP, '127.0.0.1'] }),
    startSshd(),
  ]);
  via = `${jump.user}@${HOST_IP}:${jump.port}`;
  cp.addProviderTenant(TENANT);
  cp.addCluster({ cluster_id: 'central-1', cluster_name: 'Central', access: [TENANT] });
  cp.addNode({ node_id: 'node-a', cluster_id: 'central-1', node_type: 'edge', region: 'eu' });
  cp.addServiceInstance({ service_id: 'foghorn', instance_id: 'inst-fog-1', cluster_id: 'central-1', host: '10.0.0.5', port: 18008 });

  sb = new CliSandbox('fw-via-');
  const ssh = join(sb.home, '.ssh');
  await mkdir(ssh, { recursive: true, mode: 0o700 });
  // Both servers authorize the same generated client key; it is this "laptop"'s default key.
  await copyFile(jump.clientKey, join(ssh, 'id_ed25519'));
  await chmod(join(ssh, 'id_ed25519'), 0o600);
  await appendFile(join(inner.dir, 'authorized_keys'), await readFile(`${jump.clientKey}.pub`, 'utf8'));
  await writeFile(join(ssh, 'known_hosts'), [jump.knownHostsLine(HOST_IP), jump.knownHostsLine('127.0.0.1'), inner.knownHostsLine()].join('\n') + '\n');
  await writeFile(
    join(ssh, 'config'),
    [
      'Host hop1', `  HostName ${HOST_IP}`, `  Port ${jump.port}`, `  User ${jump.user}`,
      'Host hop2', '  HostName 127.0.0.1', `  Port ${inner.port}`, `  User ${inner.user}`,
      'Host behind-two', '  HostName 127.0.0.1', `  Port ${jump.port}`, `  User ${jump.user}`, '  ProxyJump hop1,hop2',
      'Host hop1-only', `  HostName ${HOST_IP}`, `  Port ${jump.port}`, `  User ${jump.user}`, '  ProxyJump none',
      '',
    ].join('\n'),
  );
  const set = Object.entries({ ...cp.urls, 'decklog-grpc': decklog.address, 'foghorn-grpc': foghornGrpc.address }).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  ok(await sb.run(['context', 'create', 'lab', '--use', ...set]));
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([cp?.close(), decklog?.close(), foghornGrpc?.close(), jump?.stop(), inner?.stop()]);
  await cleanupNetwork();
  sb?.cleanup();
});

/** Every control-plane command of the CLI, with what its --json result must show. */
const COMMANDS: Array<{ args: string[]; check: (result: Record<string, unknown>) => void }> = [
  { args: ['admin', 'nodes', 'list'], check: (r) => expect(JSON.stringify(r)).toContain('node-a') },
  { args: ['admin', 'nodes', 'show', 'node-a'], check: (r) => expect(JSON.stringify(r)).toContain('node-a') },
  { args: ['admin', 'clusters', 'list'], check: (r) => expect(JSON.stringify(r)).toContain('central-1') },
  { args: ['admin', 'clusters', 'show', 'central-1'], check: (r) => expect(JSON.stringify(r)).toContain('central-1') },
  { args: ['admin', 'bootstrap-tokens', 'create', '--tenant-id', TENANT], check: (r) => expect(JSON.stringify(r)).toContain(TENANT) },
  { args: ['admin', 'bootstrap-tokens', 'list'], check: (r) => expect(JSON.stringify(r)).toContain(TENANT) },
  { args: ['services', 'health'], check: (r) => expect(JSON.stringify(r)).toContain('inst-fog-1') },
  { args: ['services', 'discover', '--type', 'foghorn'], check: (r) => expect(JSON.stringify(r)).toContain('inst-fog-1') },
  { args: ['edge', 'drain-status', 'edge-ams-1'], check: (r) => expect(r).toMatchObject({ node_id: 'edge-ams-1' }) },
  { args: ['edge', 'drain', 'edge-ams-1', '--wait', '--poll-interval', '100ms'], check: (r) => expect(JSON.stringify(r)).toContain('draining') },
  { args: ['edge', 'undrain', 'edge-ams-1'], check: (r) => expect(JSON.stringify(r)).toContain('normal') },
];

describe('the laptop cannot reach the control plane directly', { timeout: 120_000 }, () => {
  it('a direct call fails with exit 6 (the split is real)', async () => {
    const r = await run(['admin', 'nodes', 'list', '--json']);
    expect(r.code, r.stdout).toBe(6);
    const check = await run(['context', 'check', '--only', 'quartermaster', '--json']);
    expect(check.code).toBe(1);
    expect(check.json!.result).toMatchObject({ probed_from: 'this machine', via: null });
  });
});

describe('--via user@host', { timeout: 240_000 }, () => {
  it('every admin, services, drain command and login work through the jump host (--json), over one SSH connection each', async () => {
    cp.setViewers('edge-ams-1', 3);
    for (const c of COMMANDS) {
      const before = await jump.logCount(/Accepted publickey/);
      const r = await run([...c.args, '--via', via, '--json']);
      ok(r);
      c.check(r.json!.result as Record<string, unknown>);
      expect(await jump.logCount(/Accepted publickey/), c.args.join(' ')).toBe(before + 1);
    }
  });

  it('login --email through the jump host, then developer tokens create/list/revoke', async () => {
    const login = await sb.run(['login', '--email', USER.email, '--password-stdin', '--via', via], { prefix: IN_NS, input: `${USER.password}\n`, env: { SSH_AUTH_SOCK: undefined } });
    ok(login);
    const jwtEnv = { FRAMEWORKS_SERVICE_TOKEN: undefined };
    const created = await run(['admin', 'tokens', 'create', '--name', 'ci', '--via', via, '--json'], jwtEnv);
    ok(created);
    const list = await run(['admin', 'tokens', 'list', '--via', via, '--json'], jwtEnv);
    ok(list);
    const id = cp.developerTokens[0].id;
    const revoke = await run(['admin', 'tokens', 'revoke', id, '--yes', '--via', via, '--json'], jwtEnv);
    ok(revoke);
    expect(revoke.json!.result).toMatchObject({ id, revoked: true, token_name: 'ci' });
    const revokeBootstrap = await run(['admin', 'bootstrap-tokens', 'revoke', String((cp.bootstrapTokens[0] as { id: string }).id), '--yes', '--via', via]);
    ok(revokeBootstrap);
  });

  it('context check --via and --ssh probe every endpoint from the jump host; text and --json say so', async () => {
    for (const flag of ['--via', '--ssh']) {
      const json = await run(['context', 'check', flag, via, '--json']);
      ok(json);
      expect(json.json!.result).toMatchObject({ ok: true, passed: 10, probed_from: via, via });
      const text = await run(['context', 'check', flag, via]);
      ok(text);
      expect(text.stdout).toContain(`Probes from ${via}`);
      expect(text.stdout).toContain('quartermaster');
    }
  });

  it('keeps the endpoint\'s Host header, TLS SNI and certificate name through the tunnel', async () => {
    // An HTTPS endpoint whose certificate names only "localhost": it verifies only if the name checked
    // is the endpoint's, not the tunnel's 127.0.0.1; and "localhost" must be the far side's.
    const dir = await mkdtemp(join(tmpdir(), 'fw-via-tls-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    await sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost']);
    const { createServer } = await import('node:https');
    const seen: Array<{ sni: string | undefined; host: string | undefined }> = [];
    const server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
      seen.push({ sni: (req.socket as import('node:tls').TLSSocket).servername || undefined, host: req.headers.host });
      res.setHeader('content-type', 'application/json');
      res.end('{"status":"healthy"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const url = `https://localhost:${port}`;
      const r = await run(['context', 'check', '--only', 'gateway', '--via', via, '--json'], { FRAMEWORKS_GATEWAY_URL: url, NODE_EXTRA_CA_CERTS: cert });
      ok(r);
      expect(seen).toEqual([{ sni: 'localhost', host: `localhost:${port}` }]);
      // The same endpoint from this side of the split does not exist.
      const direct = await run(['context', 'check', '--only', 'gateway', '--json'], { FRAMEWORKS_GATEWAY_URL: url, NODE_EXTRA_CA_CERTS: cert });
      expect(direct.code).toBe(1);
      // And the plain HTTP calls kept the endpoint's own Host header.
      const q = cp.requestsTo('quartermaster').at(-1);
      expect(q?.headers.host).toBe(new URL(cp.urls.quartermaster).host);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--verbose says which path the calls take', async () => {
    const r = await run(['admin', 'clusters', 'list', '--via', via, '--verbose']);
    ok(r);
    expect(r.stderr).toContain(`control-plane calls go via ${via}`);
    expect(r.stderr).toMatch(/tunnel 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+/);
  });

  it('an empty or malformed --via is exit 2 with a hint, before anything is sent', async () => {
    const before = cp.requests.length;
    for (const bad of ['', 'a b', 'ops@']) {
      const r = await run(['admin', 'nodes', 'list', '--via', bad, '--json']);
      expect(r.code, `${bad}: ${r.stdout}`).toBe(2);
      expect(r.json!.code).toMatch(/^(EMPTY_VIA_TARGET|INVALID_SSH_TARGET)$/);
      expect((r.json!.suggestions as string[]).join(' ')).toContain('--via');
    }
    expect(cp.requests.length).toBe(before);
  });

  it('an unreachable jump host is exit 6 naming it', async () => {
    const r = await run(['admin', 'nodes', 'list', '--via', `${jump.user}@${HOST_IP}:1`, '--json']);
    expect(r.code, r.stdout).toBe(6);
    expect(r.json!.message).toContain(`${HOST_IP}:1`);
  });
});

describe("a context's via", { timeout: 240_000 }, () => {
  it('context set writes via (validated), show shows it, and every command goes through it (text)', async () => {
    const bad = await sb.run(['context', 'set', 'lab', 'api', 'soap', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json!.message).toContain('rest | grpc | auto');
    const badVia = await sb.run(['context', 'set', 'lab', 'via', 'a b', '--json']);
    expect(badVia.code).toBe(2);
    ok(await sb.run(['context', 'set', 'lab', 'via', via]));
    const show = await sb.run(['context', 'show', '--json']);
    expect(show.json!.result).toMatchObject({ via });
    cp.setViewers('edge-ams-1', 2);
    for (const c of COMMANDS) {
      const r = await run(c.args);
      ok(r);
    }
    const check = await run(['context', 'check', '--json']);
    ok(check);
    expect(check.json!.result).toMatchObject({ probed_from: via });
    ok(await sb.run(['context', 'set', 'lab', 'via', '--unset']));
    expect((await run(['admin', 'nodes', 'list'])).code).toBe(6);
  });

  it('context set: booleans and api are validated and stored; --unset removes them', async () => {
    const r = await sb.run(['context', 'set', 'lab', 'gateway-only', 'yes', '--json']);
    expect(r.code).toBe(2);
    expect(r.json!.message).toContain('true | false');
    ok(await sb.run(['context', 'set', 'lab', 'gateway-fallback', 'true']));
    ok(await sb.run(['context', 'set', 'lab', 'grpc-plaintext', 'false']));
    ok(await sb.run(['context', 'set', 'lab', 'api', 'auto']));
    const show = await sb.run(['context', 'show', '--json']);
    expect(show.code).toBe(0);
    const yaml = await readFile(join(sb.frameworksHome, 'config.yaml'), 'utf8');
    expect(yaml).toMatch(/gateway:\s+fallback: true/);
    expect(yaml).toMatch(/api: auto/);
    for (const k of ['gateway-fallback', 'grpc-plaintext', 'api']) ok(await sb.run(['context', 'set', 'lab', k, '--unset']));
    expect(await readFile(join(sb.frameworksHome, 'config.yaml'), 'utf8')).not.toMatch(/fallback|plaintext|api:/);
  });
});

describe('jump host failures', { timeout: 120_000 }, () => {
  it('a changed jump-host key is refused like the executor refuses it', async () => {
    const kh = join(sb.home, '.ssh', 'known_hosts');
    const saved = await readFile(kh, 'utf8');
    await jump.restart({ hostKey: 'alternate' });
    try {
      const r = await run(['admin', 'nodes', 'list', '--via', via, '--json']);
      expect(r.code, r.stdout).toBe(6);
      expect(r.json!.code).toBe('HOST_KEY_CHANGED');
      expect(await readFile(kh, 'utf8')).toBe(saved);
    } finally {
      await jump.restart({ hostKey: 'first' });
    }
  });

  it('the jump host dying mid-run is exit 6 naming it', async () => {
    cp.reset();
    cp.setViewers('edge-slow', 1_000_000);
    const tmp = await mkdtemp(join(tmpdir(), 'fw-via-die-'));
    try {
      const child = spawn(IN_NS[0], [...IN_NS.slice(1), process.execPath, BIN, 'edge', 'drain', 'edge-slow', '--wait', '--poll-interval', '100ms', '--idle-timeout', '5m', '--via', via, '--json'], {
        env: Object.fromEntries(Object.entries({ ...sb.baseEnv, ...env() }).filter(([, v]) => v !== undefined)) as Record<string, string>,
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      const exited = new Promise<number | null>((r) => child.on('close', r));
      // Kill the jump host once the drain is under way (the mode is set and polls have started).
      for (let i = 0; i < 300 && cp.requestsTo('foghorn-http').filter((q) => q.path.includes('drain-status')).length < 3; i++) await new Promise((r) => setTimeout(r, 50));
      await jump.kill();
      const code = await exited;
      expect(code, stdout).toBe(6);
      const doc = JSON.parse(stdout) as { code: string; message: string };
      expect(doc.code).toBe('SSH_JUMP_LOST');
      expect(doc.message).toContain(via);
    } finally {
      await rm(tmp, { recursive: true, force: true });
      await jump.restart();
    }
  });
});

describe('hosts behind ProxyJump', { timeout: 120_000 }, () => {
  it('an edge verb reaches a host behind a two-hop ProxyJump chain (~/.ssh/config), and with --ssh-jump', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fw-via-edge-'));
    try {
      const before = await inner.logCount(/Accepted publickey/);
      const viaConfig = await run(['edge', 'lock', 'status', '--dir', dir, '--ssh', 'behind-two', '--json']);
      ok(viaConfig);
      expect(await inner.logCount(/Accepted publickey/)).toBe(before + 1);
      const direct = await run(['edge', 'lock', 'status', '--dir', dir, '--ssh', `${jump.user}@127.0.0.1:${jump.port}`, '--json']);
      expect(direct.code).toBe(6);
      const flag = await run(['edge', 'lock', 'status', '--dir', dir, '--ssh', `${jump.user}@127.0.0.1:${jump.port}`, '--ssh-jump', `hop1,${inner.user}@127.0.0.1:${inner.port}`, '--json']);
      ok(flag);
      const none = await run(['edge', 'lock', 'status', '--dir', dir, '--ssh', 'hop1-only', '--json']);
      ok(none);
      const blank = await run(['edge', 'lock', 'status', '--dir', dir, '--ssh', 'behind-two', '--ssh-jump', 'hop1,', '--json']);
      expect(blank.code).toBe(2);
      expect(blank.json!.code).toBe('INVALID_SSH_JUMP');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a changed host key at a middle hop is refused', async () => {
    await inner.restart({ hostKey: 'alternate' });
    try {
      const r = await run(['edge', 'lock', 'status', '--dir', '/tmp', '--ssh', 'behind-two', '--json']);
      expect(r.code, r.stdout).toBe(6);
      expect(r.json!.code).toBe('HOST_KEY_CHANGED');
    } finally {
      await inner.restart({ hostKey: 'first' });
    }
  });
});
