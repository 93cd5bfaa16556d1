import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Executor, RunResult } from '@frameworks/sdk';
import { isFrameworksError } from '@frameworks/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeUp } from '../src/pipeline/stack-stages.js';
import { checkQuartermaster, unusable } from '../src/enroll/quartermaster.js';
import { isCanonicalNodeId, parseLogFields, parseNodeMode, scanHelmsmanLogs } from '../src/enroll/signals.js';
import { Pipeline, formatDuration, type Stage } from '../src/pipeline/stages.js';
import { driveWithProgress } from '../src/pipeline/drive.js';
import { setEnvValue, writeToken } from '../src/enroll/token.js';

// The stand-in Helmsman's lines (test/support/docker.ts HELMSMAN), as `compose logs` delivers their text.
const STARTING = 'level=info msg="Helmsman starting" version=v1 port=18007 node_id=edge-1';
const REGISTERED = 'level=info msg="Helmsman registered" node_id=edge-1 foghorn_addr=localhost:18019';
const ENROLLED = 'level=info msg="Edge node enrolled via Quartermaster" node_id=edge-261126024416 tenant_id=5eed0000-0000-4000-8000-000000000001';
const FAILED = 'level=warn msg="Edge enrollment failed; continuing without mapping" node_id=edge-1 error="invalid enrollment token"';

describe('.edge.env token edit', () => {
  const env = '# header\nEDGE_ENROLLMENT_TOKEN=\n# a comment\nFOGHORN_CONTROL_ADDR=localhost:18019\n';

  it('sets the value in place and keeps every other line', () => {
    expect(setEnvValue(env, 'EDGE_ENROLLMENT_TOKEN', 'bt_x')).toBe('# header\nEDGE_ENROLLMENT_TOKEN=bt_x\n# a comment\nFOGHORN_CONTROL_ADDR=localhost:18019\n');
  });

  it('replaces every duplicate (docker reads the last one), keeps `export`, appends a missing key', () => {
    expect(setEnvValue('A=1\nexport EDGE_ENROLLMENT_TOKEN=old\nEDGE_ENROLLMENT_TOKEN=older\n', 'EDGE_ENROLLMENT_TOKEN', 'new')).toBe(
      'A=1\nexport EDGE_ENROLLMENT_TOKEN=new\nEDGE_ENROLLMENT_TOKEN=new\n',
    );
    expect(setEnvValue('A=1', 'EDGE_ENROLLMENT_TOKEN', 'new')).toBe('A=1\nEDGE_ENROLLMENT_TOKEN=new\n');
    expect(setEnvValue('', 'EDGE_ENROLLMENT_TOKEN', 'new')).toBe('EDGE_ENROLLMENT_TOKEN=new\n');
    // A key that merely ends with the name is another key.
    expect(setEnvValue('MY_EDGE_ENROLLMENT_TOKEN=x\n', 'EDGE_ENROLLMENT_TOKEN', 'y')).toBe('MY_EDGE_ENROLLMENT_TOKEN=x\nEDGE_ENROLLMENT_TOKEN=y\n');
  });

  it('writes through the executor with mode 0600, and not at all when unchanged', async () => {
    const files = new Map([['/e/.edge.env', env]]);
    const writes: Array<[string, number | undefined]> = [];
    const ex: Executor = {
      name: 'fake',
      run: async () => ({ code: 0, stdout: '', stderr: '', display: '' }) as RunResult,
      readFile: async (p) => files.get(p)!,
      writeFile: async (p, d, mode) => void (files.set(p, d), writes.push([p, mode])),
      exists: async (p) => files.has(p),
      close: async () => undefined,
    };
    expect(await writeToken(ex, '/e', 'bt_tok')).toBe(true);
    expect(writes).toEqual([['/e/.edge.env', 0o600]]);
    expect(files.get('/e/.edge.env')).toContain('EDGE_ENROLLMENT_TOKEN=bt_tok\n# a comment');
    expect(await writeToken(ex, '/e', 'bt_tok')).toBe(false);
    expect(writes).toHaveLength(1);
  });
});

describe('Helmsman enrollment signals', () => {
  it('parses logfmt and JSON lines', () => {
    expect(parseLogFields(FAILED)).toEqual({ level: 'warn', msg: 'Edge enrollment failed; continuing without mapping', node_id: 'edge-1', error: 'invalid enrollment token' });
    expect(parseLogFields('{"level":"info","msg":"Edge node enrolled via Quartermaster","node_id":"edge-x1","tenant_id":"t","n":3,"o":{}}')).toEqual({
      level: 'info',
      msg: 'Edge node enrolled via Quartermaster',
      node_id: 'edge-x1',
      tenant_id: 't',
      n: '3',
    });
    expect(parseLogFields('msg="with \\"quotes\\"" k=v')).toEqual({ msg: 'with "quotes"', k: 'v' });
  });

  it('folds the log: pre-enrollment id, success with node and tenant, failures with their reason', () => {
    expect(scanHelmsmanLogs([STARTING, REGISTERED, ENROLLED])).toEqual({
      preId: 'edge-1',
      registered: true,
      enrolled: { nodeId: 'edge-261126024416', tenantId: '5eed0000-0000-4000-8000-000000000001' },
    });
    expect(scanHelmsmanLogs([STARTING, FAILED, FAILED])).toEqual({ preId: 'edge-1', registered: false, failed: { reason: 'invalid enrollment token', fatal: true } });
    // A later success clears an earlier failure; a failure after success ("token already used" on reconnect) does not undo it.
    expect(scanHelmsmanLogs([FAILED, ENROLLED]).failed).toBeUndefined();
    expect(scanHelmsmanLogs([ENROLLED, FAILED]).failed).toBeUndefined();
    // HEAD: ControlError codes; QM unavailable is worth waiting for, a refused token is not.
    expect(scanHelmsmanLogs(['level=warn msg="Received control error from Foghorn" code=ENROLLMENT_UNAVAILABLE error="quartermaster unreachable"']).failed).toEqual({
      reason: 'ENROLLMENT_UNAVAILABLE: quartermaster unreachable',
      fatal: false,
    });
    expect(scanHelmsmanLogs(['level=warn msg="Received control error from Foghorn" code=ENROLLMENT_FAILED']).failed?.fatal).toBe(true);
    expect(scanHelmsmanLogs(['plain text', '']).registered).toBe(false);
  });

  it('canonical ids: edge-YYMMDDhhmmss, or any edge-… id the node did not have before', () => {
    expect(isCanonicalNodeId('edge-261126024416', ['edge-1'])).toBe(true);
    // edge init derives NODE_NAME from the domain: "edge-1" is the name, not an enrollment.
    expect(isCanonicalNodeId('edge-1', ['edge-1', undefined])).toBe(false);
    expect(isCanonicalNodeId('edge-ams-7', ['edge-1'])).toBe(true);
    expect(isCanonicalNodeId('8f3c2a1b9d0e', [])).toBe(false);
    expect(isCanonicalNodeId(undefined, [])).toBe(false);
    expect(isCanonicalNodeId('edge-', [])).toBe(false);
  });

  it('/node/mode bodies', () => {
    expect(parseNodeMode('{"mode":"normal","node_id":"edge-1"}')).toEqual({ mode: 'normal', nodeId: 'edge-1' });
    expect(parseNodeMode('{"error":"not found","path":"/node/mode"}')).toBeUndefined();
    expect(parseNodeMode('<html>')).toBeUndefined();
  });
});

describe('compose up summary', () => {
  it('v2 and v1 progress lines', () => {
    expect(
      summarizeUp([
        ' Container p-mistserver-1  Running',
        ' Container p-helmsman-1  Recreate',
        ' Container p-helmsman-1  Recreated',
        ' Container p-caddy-1  Recreate',
        ' Container p-caddy-1  Recreated',
        ' Container p-helmsman-1  Starting',
        ' Container p-helmsman-1  Started',
        ' Container p-caddy-1  Starting',
        ' Container p-caddy-1  Started',
      ]),
    ).toBe('2 recreated, 1 already running');
    expect(summarizeUp([' Container a-1  Creating', ' Container a-1  Created', ' Container a-1  Starting', ' Container a-1  Started'])).toBe('1 started');
    expect(summarizeUp(['Creating p_mistserver_1 ... done', 'Recreating p_helmsman_1 ... done', 'p_caddy_1 is up-to-date'])).toBe('1 started, 1 recreated, 1 already running');
    expect(summarizeUp([])).toBe('');
  });
});

describe('Pipeline: one budget, stages named on failure', () => {
  const stage = (name: string, run: Stage['run'], extra: Partial<Stage> = {}): Stage => ({ name, title: `Stage ${name}`, hints: [`frameworks edge logs ${name}`], run, ...extra });

  it('runs the stages in order with their times; warn and skipped do not stop it', async () => {
    const order: string[] = [];
    const p = new Pipeline(
      [
        stage('a', async () => (order.push('a'), { detail: 'first' })),
        stage('b', async () => (order.push('b'), { detail: 'best effort', status: 'skipped' })),
        stage('c', async () => {
          order.push('c');
          await new Promise((r) => setTimeout(r, 30));
          return { detail: 'third', status: 'warn' };
        }),
      ],
      { timeoutMs: 5000, what: 'edge test', codePrefix: 'TEST' },
    );
    const ends: string[] = [];
    await p.runAll({ onEnd: (r) => ends.push(`${r.name}:${r.status}`) });
    expect(order).toEqual(['a', 'b', 'c']);
    expect(ends).toEqual(['a:ok', 'b:skipped', 'c:warn']);
    expect(p.reports[2].duration_ms).toBeGreaterThanOrEqual(25);
    expect(p.reports.map((r) => r.detail)).toEqual(['first', 'best effort', 'third']);
  });

  it('a failing stage keeps its error code and exit code, puts its hints first, and the rest are not-run', async () => {
    const { FrameworksError } = await import('@frameworks/sdk');
    const p = new Pipeline(
      [
        stage('a', async () => ({ detail: 'ok' })),
        stage('b', async () => {
          throw new FrameworksError('helmsman unhealthy', { code: 'COMPOSE_UNHEALTHY', exitCode: 1, suggestions: ['docker compose -p x logs helmsman'] });
        }),
        stage('c', async () => ({ detail: 'never' })),
      ],
      { timeoutMs: 5000, what: 'edge test', codePrefix: 'TEST' },
    );
    const err = await p.runAll().catch((e: unknown) => e);
    expect((err as Error).message).toBe('helmsman unhealthy');
    expect(p.reports.map((r) => r.status)).toEqual(['ok', 'failed', 'not-run']);
    const final = p.error(err, { partial: true });
    expect(final).toMatchObject({ code: 'COMPOSE_UNHEALTHY', exitCode: 1, result: { partial: true } });
    expect(final.message).toBe('edge test failed at stage "b" (Stage b): helmsman unhealthy');
    expect(final.suggestions).toEqual(['frameworks edge logs b', 'docker compose -p x logs helmsman']);
  });

  it('a stage that does not finish in what is left is a timeout naming the stage, its last progress and hints', async () => {
    const p = new Pipeline(
      [
        stage('fast', async () => ({ detail: 'done' })),
        stage('stuck', async (run) => {
          run.progress('waiting for helmsman (health: starting)');
          await new Promise((r) => setTimeout(r, 10_000));
          return { detail: 'never' };
        }),
      ],
      { timeoutMs: 300, what: 'edge test', codePrefix: 'TEST' },
    );
    const started = Date.now();
    const err = await p.runAll().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(p.reports.map((r) => r.status)).toEqual(['ok', 'timeout']);
    const final = p.error(err, null);
    expect(isFrameworksError(final)).toBe(true);
    expect(final.code).toBe('TEST_TIMEOUT');
    expect(final.exitCode).toBe(1);
    expect(final.message).toMatch(/^edge test timed out after 0\.3s: stage "stuck" \(Stage stuck\) did not finish in \d\.\ds — waiting for helmsman \(health: starting\)$/);
    expect(final.suggestions).toEqual(['frameworks edge logs stuck']);
  });

  it('stage progress is shown with the time left to the stage bound; a timeout still quotes the bare text', async () => {
    const shown: string[] = [];
    const p = new Pipeline(
      [
        stage('wait', async (run) => {
          run.progress('waiting for helmsman (health: starting)');
          return { detail: 'done' };
        }, { maxMs: 30_000 }),
      ],
      { timeoutMs: 60_000, what: 'edge test', codePrefix: 'TEST' },
    );
    await p.runAll({ onProgress: (_s, text) => shown.push(text) });
    expect(shown).toEqual([expect.stringMatching(/^waiting for helmsman \(health: starting\) \((29|30) s left\)$/)]);
  });

  it('--json on a terminal: driveWithProgress draws each wait on the spinner and prints each stage as it ends, on stderr', async () => {
    const waits: string[] = [];
    const printed: Array<[string, NodeJS.WriteStream | undefined]> = [];
    let stopped = false;
    const p = new Pipeline(
      [
        stage('a', async (run) => {
          run.progress('docker compose up -d');
          return { detail: 'up' };
        }),
        stage('b', async () => ({ detail: 'enrolled' })),
      ],
      { timeoutMs: 60_000, what: 'edge test', codePrefix: 'TEST' },
    );
    await driveWithProgress(p, 'local', { wait: (t) => waits.push(t), print: (l, s) => printed.push([l, s]), stop: () => (stopped = true) });
    expect(waits[0]).toBe('Stage a');
    expect(waits[1]).toMatch(/^Stage a: docker compose up -d \(\d+ s left\)$/);
    expect(printed.map(([l]) => l)).toEqual([expect.stringMatching(/^✓ Stage a — up \(/), expect.stringMatching(/^✓ Stage b — enrolled \(/)]);
    expect(printed.every(([, s]) => s === process.stderr)).toBe(true);
    expect(stopped).toBe(true);
  });

  it('each stage gets only what remains; a capped stage gets at most its cap', async () => {
    const seen: number[] = [];
    const p = new Pipeline(
      [
        stage('eat', async () => {
          await new Promise((r) => setTimeout(r, 200));
          return { detail: '' };
        }),
        stage('capped', async (run) => (seen.push(run.remainingMs()), { detail: '' }), { maxMs: 100 }),
        stage('rest', async (run) => (seen.push(run.remainingMs()), { detail: '' })),
      ],
      { timeoutMs: 1000, what: 'edge test', codePrefix: 'TEST' },
    );
    await p.runAll();
    expect(seen[0]).toBeLessThanOrEqual(100);
    expect(seen[1]).toBeLessThanOrEqual(800);
    expect(seen[1]).toBeGreaterThan(500);
  });

  it('formats durations', () => {
    expect(formatDuration(420)).toBe('0.4s');
    expect(formatDuration(12_340)).toBe('12.3s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(300_000)).toBe('5m00s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });
});

describe('Quartermaster check (best effort)', () => {
  let server: Server;
  let base: string;
  let nodes: unknown = null;
  let status = 200;
  const AUTH = 'Bearer svc_test_token_123456';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.headers.authorization !== AUTH) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"No authorization header"}');
      const url = new URL(req.url!, 'http://x');
      if (status !== 200) return void res.writeHead(status, { 'content-type': 'text/plain' }).end('404 page not found');
      if (url.pathname === '/nodes') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ nodes, count: 0 }));
      if (url.pathname === '/admin/bootstrap-tokens') {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tokens: [{ token: 'bt_other' }, { token: 'bt_mine', used_at: '2026-01-01T00:00:00Z' }], count: 2 }));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const access = () => ({ url: base, authorization: AUTH, context: 'test' });

  it('ok when the node is listed; reports the token used_at without printing the token', async () => {
    nodes = [{ node_id: 'edge-1', cluster_id: 'c-1', node_type: 'edge' }];
    const q = await checkQuartermaster(access(), { nodeId: 'edge-1', token: 'bt_mine', budgetMs: 2000 });
    expect(q).toEqual({ status: 'ok', detail: 'node edge-1 listed in cluster c-1; token used at 2026-01-01T00:00:00Z', node_listed: true, token_used_at: '2026-01-01T00:00:00Z', cluster_id: 'c-1' });
    expect(JSON.stringify(q)).not.toContain('bt_mine');
  });

  it('warn when the node is not listed within the budget (null list, as MVP returns it)', async () => {
    nodes = null;
    const q = await checkQuartermaster(access(), { nodeId: 'edge-1', budgetMs: 300, intervalMs: 100 });
    expect(q).toMatchObject({ status: 'warn', node_listed: false });
    expect(q.detail).toBe('node edge-1 not listed by Quartermaster (0 edge nodes)');
  });

  it('while polling, it says what it waits for (the node, at which Quartermaster)', async () => {
    nodes = null;
    const said: string[] = [];
    await checkQuartermaster(access(), { nodeId: 'edge-1', budgetMs: 1500, intervalMs: 100, onWait: (t) => said.push(t) });
    expect(said.length).toBeGreaterThan(0);
    expect(said[0]).toBe(`waiting for Quartermaster ${base} to list node edge-1`);
  });

  it('skipped: no credentials, refused, HEAD (404), unreachable', async () => {
    expect(await checkQuartermaster({ skip: 'no credentials' }, { nodeId: 'e', budgetMs: 100 })).toEqual({ status: 'skipped', detail: 'no credentials', node_listed: null });
    expect((await checkQuartermaster({ ...access(), authorization: 'Bearer nope' }, { nodeId: 'e', budgetMs: 1000 })).detail).toMatch(/credentials refused \(401\)/);
    status = 404;
    expect((await checkQuartermaster(access(), { nodeId: 'e', budgetMs: 1000 })).detail).toMatch(/no REST API here \(404\)/);
    status = 200;
    // A port that was free a moment ago (fetch refuses the well-known "bad ports" such as 9 outright).
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const dead = await checkQuartermaster({ ...access(), url: `http://127.0.0.1:${port}` }, { nodeId: 'e', budgetMs: 1000 });
    expect(dead).toMatchObject({ status: 'skipped', node_listed: null });
    expect(dead.detail).toMatch(/unreachable: ECONNREFUSED/);
    expect(unusable({ status: 503 })).toBe('unavailable (HTTP 503)');
    expect(unusable({ status: 200 })).toBeUndefined();
  });
});
