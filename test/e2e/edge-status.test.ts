// `frameworks edge status` run as a user would (the built bin/run.js) against a real edge stack on the
// private engine (stand-in images): healthy → 0; an unhealthy or stopped service → 1 with the exact
// fix; Compose v1; Quartermaster's view through the contract stand-in; --ssh and a fleet (exit 68).
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { composeV1Available, dockerEnv, requireDocker } from '../support/docker.js';
import { DOMAIN, edgeCliEnv, sshdIn, startEdgeStack, v1OnlyPath, writeSshConfig, type EdgeStackFixture, type SshSide } from '../support/edge-stack.js';
import { sshdAvailable } from '../support/sshd.js';

const sh = promisify(execFile);

interface Service {
  service: string;
  state: string;
  health: string;
  status: 'pass' | 'warn' | 'fail';
  restarts?: number;
  image?: string;
  image_id?: string;
  uptime_s?: number;
  container?: string;
  problem?: string;
  fix?: string;
}
interface Report {
  host: string;
  verdict: 'healthy' | 'degraded';
  problems: string[];
  suggestions: string[];
  notes: string[];
  compose: { kind: string };
  summary: { up: number; healthy: number; total: number };
  services: Service[];
  https: { ok: boolean; handshake: boolean; health: { status: number } };
  cert: { days_left: number; hours_left: number; issuer: string; verified: boolean; trust: string; sans: string[]; status: string };
  dns: { status: string; value: string };
  node: { node_id?: string; mode?: string };
  quartermaster: { status: string; note: string; node?: { node_id: string; status: string; health_score: number } } | null;
}

const gate = await requireDocker('edge status e2e');
const sb = new CliSandbox('fw-e2e-edge-status-');
let stack: EdgeStackFixture;
let env: Record<string, string>;

const status = (args: string[], extra: Record<string, string | undefined> = {}, timeoutMs = 45_000): Promise<CliResult> =>
  sb.run(['edge', 'status', '--dir', stack.dir, ...args], { env: { ...env, ...extra }, timeoutMs });
const report = (r: CliResult) => ((r.json!.status === 0 ? r.json!.result : r.json!.result) as Report);
const byService = (r: Report) => Object.fromEntries(r.services.map((s) => [s.service, s]));

beforeAll(async () => {
  if (gate.skip) return;
  env = await edgeCliEnv();
  stack = await startEdgeStack(sb, { prefix: 'fw-st' });
});
afterAll(async () => {
  await stack?.remove();
  sb.cleanup();
});

describe.skipIf(gate.skip)('edge status (Compose v2)', () => {
  it('a healthy stack: exit 0; services, HTTPS /health, certificate, DNS skipped for edge.test, Helmsman node id', async () => {
    const r = await status(['--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = report(r);
    expect(rep.verdict).toBe('healthy');
    expect(rep.summary).toEqual({ up: 3, healthy: 3, total: 3 });
    expect(rep.compose.kind).toBe('v2');
    for (const s of rep.services) {
      expect(s).toMatchObject({ state: 'running', health: 'healthy', status: 'pass', restarts: 0 });
      expect(s.image).toMatch(/^local\/(caddy|mistserver|helmsman):/);
      expect(s.image_id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(s.uptime_s).toBeGreaterThanOrEqual(0);
    }
    expect(rep.services.map((s) => s.service)).toEqual(['caddy', 'mistserver', 'helmsman']);
    expect(rep.https).toMatchObject({ ok: true, handshake: true, health: { status: 200 } });
    // tls internal: Caddy's 12-hour certificate, verified against its own root
    expect(rep.cert).toMatchObject({ verified: true, trust: 'caddy-internal', sans: [DOMAIN], status: 'pass' });
    expect(rep.cert.issuer).toMatch(/Caddy Local Authority/);
    expect(rep.cert.hours_left).toBeGreaterThan(6);
    expect(rep.dns).toMatchObject({ status: 'skip', value: `${DOMAIN} does not resolve (a test/internal name)` });
    expect(rep.node).toMatchObject({ mode: 'normal', node_id: expect.stringMatching(/^edge-\d{12}$/) });
    // No credentials in the sandbox: a note, not a degradation
    expect(rep.quartermaster).toMatchObject({ status: 'no-credentials' });
    expect(rep.notes.join('\n')).toMatch(/Quartermaster's view not checked/);
  });

  it('human form: one row per service, HTTPS/certificate/DNS/node lines, ✓ healthy', async () => {
    const r = await status([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SERVICE\s+STATUS\s+STATE\s+HEALTH\s+RESTARTS\s+UPTIME\s+IMAGE/m);
    for (const s of ['caddy', 'mistserver', 'helmsman']) expect(r.stdout).toMatch(new RegExp(`^${s}\\s+✓ ok\\s+running\\s+healthy\\s+0\\s`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^✓ HTTPS\\s+https://${DOMAIN}:${stack.httpsPort}/ → /health 200`, 'm'));
    expect(r.stdout).toMatch(/^✓ certificate\s+\d+ h( \d+ min)? left, issuer Caddy Local Authority/m);
    expect(r.stdout).toMatch(/^– DNS\s+edge\.test does not resolve/m);
    expect(r.stdout).toMatch(/✓ healthy: 3\/3 services healthy/);
  });

  it("Quartermaster's view of the node, with the context's credential; unreachable is only a note", async () => {
    const cp: ControlPlane = await startControlPlane();
    try {
      const nodeId = report(await status(['--json'])).node.node_id!;
      cp.route('quartermaster', 'GET', '/nodes', (ctx) => ({
        status: 200,
        json: { nodes: [{ id: 'uuid-1', node_id: nodeId, node_type: 'edge', node_name: 'edge-1', cluster_id: 'c1', status: 'active', health_score: 0.97, last_heartbeat: '2025-06-01T11:59:00Z', tags: {}, metadata: {} }], count: 1, filters: { node_type: ctx.query.get('node_type') ?? '' } },
      }), { auth: true });
      const r = await status(['--json'], { FRAMEWORKS_QUARTERMASTER_URL: cp.urls.quartermaster, FRAMEWORKS_SERVICE_TOKEN: cp.serviceToken });
      expect(r.code, r.stdout).toBe(0);
      expect(report(r).quartermaster).toMatchObject({ status: 'ok', node: { node_id: nodeId, status: 'active', health_score: 0.97 } });
      const calls = cp.requestsTo('quartermaster', '/nodes');
      expect(calls).toHaveLength(1);
      expect(calls[0].query).toBe('?node_type=edge');
      expect(calls[0].headers.authorization).toBe(`Bearer ${cp.serviceToken}`);
      expect(r.stdout).not.toContain(cp.serviceToken);

      const wrong = await status(['--json'], { FRAMEWORKS_QUARTERMASTER_URL: cp.urls.quartermaster, FRAMEWORKS_SERVICE_TOKEN: 'not-the-token' });
      expect(wrong.code).toBe(0);
      expect(report(wrong).quartermaster!.status).toBe('unauthorized');
    } finally {
      await cp.close();
    }
    const down = await status(['--json'], { FRAMEWORKS_SERVICE_TOKEN: 'some-token' });
    expect(down.code).toBe(0);
    expect(report(down).quartermaster).toMatchObject({ status: 'unreachable', note: expect.stringMatching(/^Quartermaster unreachable/) });
  });

  it('helmsman unhealthy → exit 1, degraded, names helmsman, fix = frameworks edge logs helmsman …', async () => {
    await stack.forceUnhealthy(true);
    try {
      await stack.waitHealth('helmsman', 'unhealthy');
      const r = await status(['--json']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.json).toMatchObject({ status: 1, code: 'EDGE_DEGRADED' });
      const rep = report(r);
      expect(rep.verdict).toBe('degraded');
      expect(byService(rep).helmsman).toMatchObject({ state: 'running', health: 'unhealthy', status: 'fail', fix: `frameworks edge logs helmsman --tail 100 --dir ${stack.dir}` });
      expect(byService(rep).helmsman.problem).toMatch(/^unhealthy: /);
      expect(rep.problems[0]).toMatch(/^helmsman: unhealthy/);
      // Caddy answers /health from Helmsman: 503 now
      expect(rep.https.health.status).toBe(503);
      expect(r.json!.suggestions).toEqual(expect.arrayContaining([`frameworks edge logs helmsman --tail 100 --dir ${stack.dir}`, `frameworks edge doctor --dir ${stack.dir}`]));

      const human = await status([]);
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/^helmsman\s+✗ down\s+running\s+unhealthy/m);
      expect(human.stderr).toMatch(/^✗ The edge is degraded: helmsman: unhealthy/m);
      expect(human.stderr).toContain(`Next: frameworks edge logs helmsman --tail 100 --dir ${stack.dir}`);
    } finally {
      await stack.forceUnhealthy(false);
      await stack.waitHealth('helmsman', 'healthy');
    }
  });

  it('a stopped service → exit 1, degraded; its fix is the exact compose command, and running it heals the stack', async () => {
    await stack.compose('stop', 'mistserver');
    const r = await status(['--json']);
    expect(r.code, r.stdout).toBe(1);
    const mist = byService(report(r)).mistserver;
    expect(mist).toMatchObject({ state: 'exited', status: 'fail' });
    const fix = `docker compose -p ${stack.project} -f ${stack.dir}/docker-compose.edge.yml --env-file ${stack.dir}/.edge.env up -d`;
    expect(mist.fix).toBe(fix);
    expect(report(r).problems).toContain(`mistserver: ${mist.problem}`);
    await sh('sh', ['-c', fix], { env: { ...process.env, ...dockerEnv() }, timeout: 60_000 });
    await stack.waitHealth('mistserver', 'healthy');
    expect((await status([])).code).toBe(0);
  });

  it('a folder that is not an edge stack: exit 1 with the init command', async () => {
    const empty = join(sb.home, 'not-a-stack');
    mkdirSync(empty, { recursive: true });
    const r = await sb.run(['edge', 'status', '--dir', empty, '--json'], { env });
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'EDGE_NOT_INITIALISED' });
    expect((r.json!.suggestions as string[])[0]).toMatch(/^frameworks edge init .* --dir /);
  });
});

const v1 = !gate.skip && (await composeV1Available());
if (!gate.skip && !v1) {
  if (process.env.CI) throw new Error('docker-compose v1 is missing: bash scripts/infra.sh up installs it');
  console.warn('edge status e2e: docker-compose v1 not installed: the v1 case is skipped');
}

describe.skipIf(gate.skip || !v1)('edge status with Compose v1 (containers proj_svc_1, found by labels all the same)', () => {
  let v1stack: EdgeStackFixture;
  beforeAll(async () => {
    v1stack = await startEdgeStack(sb, { kind: 'v1', prefix: 'fw-st1' });
  });
  afterAll(async () => {
    await v1stack?.remove();
  });

  it('healthy → exit 0 with compose v1; a stopped service → exit 1', async () => {
    const path = v1OnlyPath(sb.home);
    const r = await sb.run(['edge', 'status', '--dir', v1stack.dir, '--json'], { env: { ...env, PATH: path } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = report(r);
    expect(rep.compose.kind).toBe('v1');
    expect(rep.services.map((s) => [s.service, s.container, s.health])).toEqual([
      ['caddy', `${v1stack.project}_caddy_1`, 'healthy'],
      ['mistserver', `${v1stack.project}_mistserver_1`, 'healthy'],
      ['helmsman', `${v1stack.project}_helmsman_1`, 'healthy'],
    ]);
    await v1stack.compose('stop', 'helmsman');
    const down = await sb.run(['edge', 'status', '--dir', v1stack.dir, '--json'], { env: { ...env, PATH: path } });
    expect(down.code).toBe(1);
    const helmsman = byService(report(down)).helmsman;
    expect(helmsman).toMatchObject({ state: 'exited', status: 'fail' });
    expect(helmsman.fix).toBe(`docker-compose -p ${v1stack.project} -f ${v1stack.dir}/docker-compose.edge.yml --env-file ${v1stack.dir}/.edge.env up -d`);
  });
});

if (!gate.skip && !sshdAvailable() && process.env.CI) throw new Error('edge status e2e: /usr/sbin/sshd is missing (bash scripts/infra.sh up installs openssh-server).');

describe.skipIf(gate.skip || !sshdAvailable())('edge status --ssh (through the SSH executor) and a fleet', () => {
  let onStack: SshSide;
  let elsewhere: SshSide;
  beforeAll(async () => {
    // Sessions of the first sshd start beside the stack (a relative --dir finds it), of the second in an empty folder.
    const empty = join(sb.home, 'no-edge-here');
    mkdirSync(empty, { recursive: true });
    [onStack, elsewhere] = await Promise.all([sshdIn(dirname(stack.dir)), sshdIn(empty)]);
    writeSshConfig(sb, { 'edge-a': onStack.sshd, 'edge-b': onStack.sshd, 'edge-c': elsewhere.sshd });
  });
  afterAll(async () => {
    await Promise.all([onStack?.stop(), elsewhere?.stop()]);
  });

  it('--ssh alias: the same report, read on the remote host', async () => {
    const r = await sb.run(['edge', 'status', '--ssh', 'edge-a', '--dir', basename(stack.dir), '--json'], { env: { ...env, DOCKER_HOST: 'unix:///nonexistent.sock' }, timeoutMs: 45_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = report(r);
    expect(rep.host).toBe('edge-a');
    expect(rep.summary).toEqual({ up: 3, healthy: 3, total: 3 });
    expect(rep.https.health.status).toBe(200);
    expect(rep.node.node_id).toMatch(/^edge-\d{12}$/);
  });

  it('a fleet of three, one without an edge stack: one row per host, exit 68', async () => {
    const r = await sb.run(['edge', 'status', '--ssh', 'edge-a,edge-b', '--ssh', 'edge-c', '--dir', basename(stack.dir), '--json'], { env, timeoutMs: 50_000 });
    expect(r.code, r.stdout + r.stderr).toBe(68);
    expect(r.json).toMatchObject({ status: 68, code: 'PARTIAL_FAILURE' });
    const rows = r.json!.result as Array<{ host: string; ok: boolean; verdict: string; services: string | null; cert_days: number | null; error: { code: string } | null }>;
    expect(rows.map((x) => [x.host, x.ok, x.verdict, x.services])).toEqual([
      ['edge-a', true, 'healthy', '3/3'],
      ['edge-b', true, 'healthy', '3/3'],
      ['edge-c', false, 'failed', null],
    ]);
    expect(rows[2].error).toMatchObject({ code: 'EDGE_NOT_INITIALISED' });
    expect(rows[0].cert_days).toBe(0);

    const human = await sb.run(['edge', 'status', '--ssh', 'edge-a,edge-b,edge-c', '--dir', basename(stack.dir)], { env, timeoutMs: 50_000 });
    expect(human.code).toBe(68);
    expect(human.stdout).toMatch(/^HOST\s+SERVICES\s+HEALTH\s+CERT\s+VERDICT$/m);
    expect(human.stdout).toMatch(/^edge-a\s+3\/3 up\s+3\/3 healthy\s+0 d\s+✓ healthy$/m);
    expect(human.stdout).toMatch(/^edge-c\s+.*✗ failed: No \.edge\.env in /m);
    expect(human.stderr).toMatch(/1 of 3 hosts/);
  });
});
