// Strict input (issue 7 §5): bad values are refused with exit 2 before anything is run, written or
// sent — a blank --ssh never falls back to this machine, durations are bounded by what a timer can
// hold, ids and names sent to a server carry no control characters, endpoint schemes are enforced —
// and text a server sends back is printed with its control characters escaped.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { DOCKER_HOST } from '../support/docker.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';

const sb = new CliSandbox('fw-e2e-strict-');
const tmp = mkdtempSync(join(tmpdir(), 'fw-e2e-strict-dir-'));
afterAll(() => {
  sb.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});
const INIT = ['edge', 'init', '--domain', 'edge-1.test', '--email', 'ops@example.com', '--tls', 'internal'];
let n = 0;
const freshDir = () => {
  const d = mkdtempSync(join(tmp, `d${++n}-`));
  return d;
};

describe('a blank --ssh is a usage error, never this machine', () => {
  it('edge init --ssh "" exits 2 and writes nothing here', async () => {
    const dir = freshDir();
    const r = await sb.run(['edge', 'init', '--ssh', '', '--domain', 'edge-1.example.com', '--email', 'ops@example.com', '--dir', dir, '--json'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.json).toMatchObject({ status: 2, code: 'EMPTY_SSH_TARGET' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['services up --ssh ","', ['services', 'up', '--ssh', ',']],
    ['edge status --ssh " "', ['edge', 'status', '--ssh', ' ']],
    ['edge preflight --ssh "ops@edge-1.example.com,"', ['edge', 'preflight', '--ssh', 'ops@edge-1.example.com,']],
    ['services status --ssh a --ssh ""', ['services', 'status', '--ssh', 'ops@a.example.com', '--ssh', '']],
  ])('%s exits 2 naming the empty entry', async (_name, args) => {
    const dir = freshDir();
    const r = await sb.run([...args, '--dir', dir], { cwd: dir, env: { DOCKER_HOST } });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--ssh .*(names no host|has an empty entry)/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('durations: one parser, bounded by what a timer can hold, no zero where it means nothing', () => {
  const refused = (r: { code: number; stdout: string; stderr: string; json?: Record<string, unknown> }) => {
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).not.toContain('TimeoutOverflowWarning');
  };

  it('context check --timeout 30d is refused (exit 2), not a TimeoutOverflowWarning and ten instant failures', async () => {
    const r = await sb.run(['context', 'check', '--timeout', '30d']);
    refused(r);
    expect(r.stderr).toMatch(/--timeout "30d" is too long: at most 24d/);
  });

  it('edge enroll --timeout 30d on a real stack folder is refused before anything runs', async () => {
    const dir = freshDir();
    const init = await sb.run([...INIT, '--dir', dir], { env: { DOCKER_HOST } });
    expect(init.code, init.stderr).toBe(0);
    const before = readdirSync(dir).sort();
    const r = await sb.run(['edge', 'enroll', '--timeout', '30d', '--dir', dir, '--json'], { env: { DOCKER_HOST } });
    refused(r);
    expect(r.json).toMatchObject({ code: 'INVALID_DURATION' });
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it.each([
    ['context check', ['context', 'check', '--timeout', '0']],
    ['edge enroll', ['edge', 'enroll', '--timeout', '0s']],
    ['edge update', ['edge', 'update', '--timeout', '0']],
    ['edge drain', ['edge', 'drain', 'node-1', '--wait', '--idle-timeout', '0m']],
    ['services up', ['services', 'up', '--timeout', '0']],
    ['admin nodes list', ['admin', 'nodes', 'list', '--timeout', '0']],
    ['login', ['login', '--email', 'a@example.com', '--password-stdin', '--timeout', '0']],
  ])('%s: a zero timeout is a usage error', async (_name, args) => {
    const dir = freshDir();
    const r = await sb.run([...args, '--json'], { cwd: dir, env: { DOCKER_HOST }, input: 'pw\n' });
    refused(r);
    expect(r.json).toMatchObject({ status: 2, code: 'INVALID_DURATION' });
  });

  it('services up --timeout in seconds past a timer (2592000 = 30 days) is refused; a duration is accepted as well', async () => {
    const dir = freshDir();
    const r = await sb.run(['services', 'up', '--timeout', '2592000', '--dir', dir, '--json'], { env: { DOCKER_HOST } });
    refused(r);
    expect(r.json).toMatchObject({ code: 'INVALID_DURATION' });
    const help = await sb.run(['services', 'up', '--help']);
    expect(help.stdout).toMatch(/--timeout=<value>\s+\[default: 180\] Time to wait for health/);
  });

  it('admin bootstrap-tokens create --ttl 30d is sent as 720h (a server duration, not a timer); --ttl 0, -1h and 200000d (past a Go duration) are refused before anything is sent', async () => {
    const create = ['admin', 'bootstrap-tokens', 'create', '--kind', 'service', '--dry-run', '--json'];
    const env = { SERVICE_TOKEN: 'svc-token-abcdefghijklmnop' };
    const ok = await sb.run([...create, '--ttl', '30d'], { env });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.stringify(ok.json)).toContain('720h');
    for (const ttl of ['0', '-1h', '200000d']) {
      const r = await sb.run([...create, `--ttl=${ttl}`], { env });
      refused(r);
      expect(r.json).toMatchObject({ code: 'INVALID_DURATION' });
    }
  });

  it('services logs --since takes the same grammar as edge logs and refuses anything else before docker runs', async () => {
    const dir = freshDir();
    const plan = await sb.run(['services', 'plan', '--profile', 'billing-only', '--dir', dir], { env: { DOCKER_HOST } });
    expect(plan.code, plan.stderr).toBe(0);
    const r = await sb.run(['services', 'logs', '--since', 'yesterday', '--dir', dir, '--json'], { env: { DOCKER_HOST } });
    refused(r);
    expect(r.json).toMatchObject({ code: 'INVALID_TIME' });
    const d = await sb.run(['services', 'logs', '--since', '2d', '--dir', dir, '--json'], { env: { DOCKER_HOST } });
    expect(d.code, d.stdout + d.stderr).toBe(0);
  });
});

describe('ids, names and metadata sent to a server: no control characters, no absurd lengths, nothing sent', () => {
  const TENANT = '5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10';
  let cp: ControlPlane;
  const cpSb = new CliSandbox('fw-e2e-strict-cp-');
  beforeAll(async () => {
    cp = await startControlPlane();
    const urls = [`quartermaster=${cp.urls.quartermaster}`, `control=${cp.urls.control}`, `foghorn-http=${cp.urls['foghorn-http']}`];
    const set = urls.flatMap((s) => ['--set', s]);
    const r = await cpSb.run(['context', 'create', 'cp', '--use', ...set]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cp?.close();
    cpSb.cleanup();
  });
  afterEach(() => {
    cp.reset();
    cp.clearData();
  });
  const svc = () => ({ FRAMEWORKS_SERVICE_TOKEN: cp.serviceToken });
  const BT = ['admin', 'bootstrap-tokens', 'create', '--tenant-id', TENANT];
  const claims = { user_id: 'a1b2c3d4-0000-4000-8000-000000000001', tenant_id: TENANT, email: 'ops@example.com', role: 'owner' };
  const jwt = () => ({ FRAMEWORKS_JWT: cp.signJwt(claims) });

  it.each([
    ['admin nodes list --cluster-id with a newline', ['admin', 'nodes', 'list', '--cluster-id', 'central-1\nx'],
      /--cluster-id is not accepted: it contains a newline/],
    ['admin nodes show with an escape sequence', ['admin', 'nodes', 'show', 'edge\u001b[2J'], /node id is not accepted: it contains an escape character/],
    ['admin clusters show with 300 characters', ['admin', 'clusters', 'show', 'c'.repeat(300)],
      /cluster id is not accepted: it is 300 characters long \(at most 128\)/],
    ['bootstrap-tokens create --cluster-id with a carriage return', [...BT, '--cluster-id', 'c1\rc2'],
      /--cluster-id is not accepted: it contains a carriage return/],
    ['bootstrap-tokens create --metadata value with an escape', [...BT, '--metadata', 'site=ams\u001b]0;pwned\u0007'], /--metadata site is not accepted/],
    ['bootstrap-tokens create --metadata of 5000 characters', [...BT, '--metadata', `site=${'a'.repeat(5000)}`], /at most 1024/],
    ['services discover --type with a newline', ['services', 'discover', '--type', 'foghorn\nx'], /--type is not accepted: it contains a newline/],
  ])('%s: exit 2, no request reaches Quartermaster', async (_name, args, message) => {
    const r = await cpSb.run([...args, '--json'], { env: svc() });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.json).toMatchObject({ status: 2, code: 'INVALID_INPUT', message: expect.stringMatching(message) });
    expect(cp.requestsTo('quartermaster')).toEqual([]);
  });

  it('admin tokens create --name with a line break: exit 2, nothing reaches Commodore', async () => {
    const r = await cpSb.run(['admin', 'tokens', 'create', '--name', 'ci\nci2', '--json'], { env: jwt() });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.json).toMatchObject({ code: 'INVALID_INPUT' });
    expect(cp.requestsTo('control')).toEqual([]);
  });

  it('edge drain / drain-status with a node id carrying control characters: exit 2, nothing reaches Foghorn', async () => {
    for (const args of [['edge', 'drain', 'edge-1\r\n'], ['edge', 'drain-status', 'edge\u0007-1'], ['edge', 'undrain', 'x'.repeat(200)]]) {
      const r = await cpSb.run([...args, '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.json).toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(cp.requestsTo('foghorn-http')).toEqual([]);
  });

  it('a node name with "\\x1b[2J" and "\\r" from the server is printed escaped: it cannot clear the screen or break the table', async () => {
    cp.addNode({ node_id: 'edge-ams-1', cluster_id: 'central-1', node_name: 'evil\u001b[2J\rname\nrow', node_type: 'edge', region: 'eu\u001b[31m' });
    const list = await cpSb.run(['admin', 'nodes', 'list'], { env: svc() });
    expect(list.code, list.stderr).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(list.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(list.stdout).toContain('edge-ams-1');
    expect(list.stdout.trim().split('\n')).toHaveLength(2); // header + one row: the newline in the name did not add a row
    const show = await cpSb.run(['admin', 'nodes', 'show', 'edge-ams-1'], { env: svc() });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('evil\\x1b[2J\\rname\\nrow');
    // eslint-disable-next-line no-control-regex
    expect(show.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    // --json keeps the value exactly (JSON escapes it).
    const json = await cpSb.run(['admin', 'nodes', 'show', 'edge-ams-1', '--json'], { env: svc() });
    expect((json.json!.result as { node: { node_name: string } }).node.node_name).toBe('evil\u001b[2J\rname\nrow');
  });

  it('an error message a server sends back is printed escaped as well', async () => {
    cp.inject('quartermaster', { kind: 'status', code: 500, body: { error: 'boom\u001b[2J\u001b[Hgone' } });
    const r = await cpSb.run(['admin', 'clusters', 'list'], { env: svc() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('boom\\x1b[2J\\x1b[Hgone');
    expect(r.stderr).not.toContain('\u001b');
  });
});

describe('endpoint schemes per service: set-url, create --set and FRAMEWORKS_<SERVICE>_URL', () => {
  const esb = new CliSandbox('fw-e2e-strict-url-');
  afterAll(() => esb.cleanup());
  const cfg = () => join(esb.frameworksHome, 'config.yaml');

  it('signalman-ws takes ws:// or wss:// only; http services http(s); gRPC host:port or grpc(s)://', async () => {
    expect((await esb.run(['context', 'init'])).code).toBe(0);
    const before = readFileSync(cfg(), 'utf8');
    for (const [svc, url] of [
      ['signalman-ws', 'http://signalman.example.com:18009'],
      ['signalman-ws', 'https://signalman.example.com'],
      ['gateway', 'ws://api.example.com'],
      ['quartermaster', 'grpc://qm.example.com:18002'],
      ['foghorn-grpc', 'http://foghorn.example.com:18019'],
      ['decklog-grpc', 'wss://decklog.example.com:443'],
    ]) {
      const r = await esb.run(['context', 'set-url', svc, url, '--json']);
      expect(r.code, `${svc} ${url}: ${r.stdout}`).toBe(2);
      expect(r.json).toMatchObject({ code: 'INVALID_URL', message: expect.stringContaining(`Invalid URL for ${svc}`) });
      const c = await esb.run(['context', 'create', `x${svc.replace(/-/g, '')}`, '--set', `${svc}=${url}`, '--json']);
      expect(c.code, `create --set ${svc}=${url}`).toBe(2);
    }
    expect(readFileSync(cfg(), 'utf8')).toBe(before);
    const good = [['signalman-ws', 'wss://signalman.example.com'], ['gateway', 'https://api.example.com'], ['decklog-grpc', 'grpcs://decklog.example.com:443']];
    for (const [svc, url] of good) {
      expect((await esb.run(['context', 'set-url', svc, url])).code, `${svc} ${url}`).toBe(0);
    }
  });

  it('a FRAMEWORKS_<SERVICE>_URL with the wrong scheme is refused naming the variable (exit 4), nothing is probed', async () => {
    const r = await esb.run(['context', 'check', '--json'], { env: { FRAMEWORKS_SIGNALMAN_WS_URL: 'http://127.0.0.1:9' } });
    expect(r.code, r.stdout).toBe(4);
    expect(r.json).toMatchObject({ code: 'INVALID_URL', message: expect.stringContaining('FRAMEWORKS_SIGNALMAN_WS_URL') });
    expect(r.json!.suggestions).toContain('unset FRAMEWORKS_SIGNALMAN_WS_URL');
    const g = await esb.run(['context', 'show', '--json'], { env: { FRAMEWORKS_GATEWAY_URL: 'gateway.example.com' } });
    expect(g.code).toBe(4);
  });
});

describe('one stdin secret reader: the same rule for every --*-stdin flag', () => {
  it.each([
    ['login --service-token-stdin', ['login', '--service-token-stdin']],
    ['login --password-stdin', ['login', '--email', 'ops@example.com', '--password-stdin']],
    ['edge enroll --token-stdin', ['edge', 'enroll', '--token-stdin']],
    ['edge init --token-stdin', ['edge', 'init', '--domain', 'edge-1.test', '--email', 'ops@example.com', '--tls', 'internal', '--token-stdin']],
  ])('%s with empty stdin is exit 2 EMPTY_STDIN, nothing written', async (_name, args) => {
    const dir = freshDir();
    const where = args[0] === 'edge' ? ['--dir', dir] : [];
    const r = await sb.run([...args, ...where, '--json'], { input: '', cwd: dir, env: { DOCKER_HOST } });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.json).toMatchObject({ code: 'EMPTY_STDIN', message: expect.stringMatching(/stdin was empty/) });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('edge init --token-stdin keeps the first line without its line ending, as login does', async () => {
    const dir = freshDir();
    const r = await sb.run([...INIT, '--token-stdin', '--dir', dir], { input: 'bt_first-line\r\nsecond line\n' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toMatch(/^EDGE_ENROLLMENT_TOKEN=bt_first-line$/m);
  });
});

describe('one Compose project-name rule and one error code', () => {
  it.each([
    ['edge init --project', ['edge', 'init', '--domain', 'edge-1.test', '--email', 'ops@example.com', '--tls', 'internal', '--project', 'Edge_Stack']],
    ['services plan --project', ['services', 'plan', '--profile', 'billing-only', '--project', 'Central']],
    ['services plan --project (64 characters)', ['services', 'plan', '--profile', 'billing-only', '--project', 'c'.repeat(64)]],
  ])('%s: exit 2 INVALID_PROJECT_NAME, nothing written', async (_name, args) => {
    const dir = freshDir();
    const r = await sb.run([...args, '--dir', dir, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.json).toMatchObject({ code: 'INVALID_PROJECT_NAME', message: expect.stringContaining('is not a Compose project name') });
    expect(readdirSync(dir)).toEqual([]);
  });
});
