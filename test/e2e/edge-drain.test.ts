// `edge drain | undrain | drain-status` against the in-repo Foghorn HTTP (contract §5.2), and
// `edge update --drain` on a real stack: drain → wait until idle → update → set back, also when the update fails.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HELMSMAN, REGISTRY, requireDocker } from '../support/docker.js';
import { edgeCliEnv, startEdgeStack, type EdgeStackFixture } from '../support/edge-stack.js';

const SUITE = 'test/e2e/edge-drain.test.ts';
const gate = await requireDocker(SUITE);
const FAST = ['--poll-interval', '100ms'];

let cp: ControlPlane;
let sb: CliSandbox;
let env: Record<string, string>;

const run = (args: string[], extra: Record<string, string> = {}, timeoutMs = 30_000) => sb.run(args, { env: { ...env, ...extra }, timeoutMs });
const result = <T = Record<string, unknown>>(r: CliResult) => r.json!.result as T;
const modePuts = (node: string) => cp.requestsTo('foghorn-http', `/nodes/${node}/mode`).map((q) => (JSON.parse(q.body) as { mode: string }).mode);
const status = async (node: string) => result<{ operational_mode: string; active_viewers: number }>(await run(['edge', 'drain-status', node, '--json']));

interface DrainReport { node_id: string; mode_before: string; viewers_at_drain: number; idle_after_ms: number | null; restored: boolean; mode_after: string | null; undrain_error: string | null }

beforeAll(async () => {
  // 1000 viewers leave a draining node per second: a drain of a few hundred is over in well under a second.
  cp = await startControlPlane({ drainViewersPerSecond: 1000 });
  sb = new CliSandbox('fw-e2e-edge-drain-');
  env = { FRAMEWORKS_FOGHORN_HTTP_URL: cp.urls['foghorn-http'] };
});
afterAll(async () => {
  await cp?.close();
  sb?.cleanup();
});
afterEach(() => {
  cp.reset();
  cp.clearData();
});

describe('edge drain / undrain / drain-status', () => {
  it('drain sets draining, undrain sets normal; drain-status shows both', async () => {
    cp.setViewers('edge-ams-1', 7);
    const s = await run(['edge', 'drain-status', 'edge-ams-1']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/node:\s+edge-ams-1\nmode:\s+normal\nviewers: 7\nidle:\s+no/);

    const d = await run(['edge', 'drain', 'edge-ams-1', '--json']);
    expect(d.code, d.stdout).toBe(0);
    expect(result(d)).toMatchObject({ node_id: 'edge-ams-1', mode_before: 'normal', operational_mode: 'draining', waited: false, idle_after_ms: null });
    const put = cp.requestsTo('foghorn-http', '/nodes/edge-ams-1/mode')[0];
    expect(put.method).toBe('PUT');
    expect(JSON.parse(put.body)).toEqual({ mode: 'draining', set_by: 'frameworks-cli' });
    expect(put.headers.authorization).toBeUndefined(); // unauthenticated routes: no credential sent
    expect((await status('edge-ams-1')).operational_mode).toBe('draining');

    const u = await run(['edge', 'undrain', 'edge-ams-1']);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain('edge-ams-1 is back in normal mode (was draining)');
    expect(modePuts('edge-ams-1')).toEqual(['draining', 'normal']);
    expect(await status('edge-ams-1')).toMatchObject({ operational_mode: 'normal', idle: true });
  });

  it('--dry-run changes nothing; unknown node → exit 1 and no PUT', async () => {
    cp.setViewers('edge-ams-2', 3);
    const dry = await run(['edge', 'drain', 'edge-ams-2', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(result(dry)).toMatchObject({ dry_run: true, mode_before: 'normal', active_viewers: 3, would_set: 'draining' });
    expect((await run(['edge', 'undrain', 'edge-ams-2', '--dry-run'])).code).toBe(0);
    expect(modePuts('edge-ams-2')).toEqual([]);

    for (const verb of ['drain', 'undrain', 'drain-status']) {
      const r = await run(['edge', verb, 'edge-nope', '--json']);
      expect(r.code, `${verb}: ${r.stdout}`).toBe(1);
      expect(r.json).toMatchObject({ status: 1, code: 'NOT_FOUND' });
      expect(String(r.json!.message)).toContain('Foghorn does not know node edge-nope');
    }
    expect(cp.requestsTo('foghorn-http').filter((q) => q.method === 'PUT')).toHaveLength(0);
    expect((await run(['edge', 'drain-status', 'edge-x'], { FRAMEWORKS_FOGHORN_HTTP_URL: 'http://127.0.0.1:9' })).code).toBe(6);
  });

  it('drain --wait polls until no viewer is left (progress on stderr); a timeout exits 1 and leaves it draining', async () => {
    cp.setViewers('edge-busy', 400);
    const r = await run(['edge', 'drain', 'edge-busy', '--wait', ...FAST]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/edge-busy: \d+ viewer\(s\) left \(draining, \d+s\)/);
    expect(r.stdout).toMatch(/edge-busy is idle \(0 viewers\) after \d+\.\ds/);
    expect(await status('edge-busy')).toMatchObject({ operational_mode: 'draining', active_viewers: 0 });

    cp.setViewers('edge-stuck', 10_000_000);
    const t = await run(['edge', 'drain', 'edge-stuck', '--wait', '--idle-timeout', '400ms', ...FAST, '--json']);
    expect(t.code).toBe(1);
    expect(t.json).toMatchObject({ status: 1, code: 'DRAIN_TIMEOUT' });
    expect((await status('edge-stuck')).operational_mode).toBe('draining');
  });
});

describe.skipIf(gate.skip)('edge update --drain (real stack)', () => {
  let stack: EdgeStackFixture;
  let nodeId: string;
  let updateEnv: Record<string, string>;
  beforeAll(async () => {
    stack = await startEdgeStack(sb, { prefix: 'fw-drain' });
    // The stand-ins as the local registry serves them (edge/*, never moved), so `compose pull` really pulls.
    for (const file of ['docker-compose.edge.yml', '.edge.env']) {
      const path = join(stack.dir, file);
      writeFileSync(path, readFileSync(path, 'utf8').replaceAll('local/', `${REGISTRY}/edge/`));
    }
    await stack.compose('up', '-d', '--wait');
    const deadline = Date.now() + 20_000;
    for (;;) {
      const mode = await stack.exec('helmsman', ['wget', '-qO-', `http://127.0.0.1:${HELMSMAN.port}/node/mode`]).catch(() => '{}');
      nodeId = (JSON.parse(mode) as { node_id?: string }).node_id ?? '';
      if (HELMSMAN.nodeIdPattern.test(nodeId)) break;
      if (Date.now() > deadline) throw new Error(`helmsman did not enroll: ${mode}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    updateEnv = { ...(await edgeCliEnv()), FRAMEWORKS_FOGHORN_HTTP_URL: cp.urls['foghorn-http'] };
  }, 120_000);
  afterAll(async () => {
    await stack?.remove();
  });
  const update = (args: string[]) => run(['edge', 'update', '--dir', stack.dir, '--drain', ...FAST, ...args], updateEnv, 90_000);

  it('drains the node Helmsman names, waits until idle, updates, then sets it back to normal', { timeout: 60_000 }, async () => {
    cp.setViewers(nodeId, 300);
    const r = await update(['--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const res = result<{ stages: Array<{ name: string; status: string }>; drain: DrainReport }>(r);
    expect(res.stages.map((s) => [s.name, s.status])).toEqual([['record', 'ok'], ['pull', 'ok'], ['up', 'ok'], ['healthy', 'ok'], ['https', 'ok']]);
    expect(res.drain).toMatchObject({ node_id: nodeId, mode_before: 'normal', restored: true, mode_after: 'normal', undrain_error: null });
    expect(res.drain.viewers_at_drain).toBeGreaterThan(0);
    expect(res.drain.idle_after_ms).not.toBeNull();
    // Foghorn saw: status, draining, polls down to 0, normal — in that order.
    const log = cp.requestsTo('foghorn-http').map((q) => (q.method === 'PUT' ? `PUT ${(JSON.parse(q.body) as { mode: string }).mode}` : 'GET'));
    expect(log[0]).toBe('GET');
    expect(log[1]).toBe('PUT draining');
    expect(log.at(-1)).toBe('PUT normal');
    expect(log.slice(2, -1).every((x) => x === 'GET')).toBe(true);
    expect(await status(nodeId)).toMatchObject({ operational_mode: 'normal', active_viewers: 0 });

    // Human output: drain progress on stderr, the drain line in the summary.
    cp.setViewers(nodeId, 200);
    const human = await update(['--node-id', nodeId]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toContain(`⏸ ${nodeId}: draining (was normal)`);
    expect(human.stderr).toContain(`⏸ ${nodeId}: back to normal`);
    expect(human.stdout).toMatch(new RegExp(`drain  ${nodeId}: idle after \\d+\\.\\ds, back to normal`));
  });

  it('a failing update still sets the node back, and says so in the result (exit 1)', { timeout: 60_000 }, async () => {
    cp.setViewers(nodeId, 100);
    await stack.forceUnhealthy(true);
    await stack.waitHealth('helmsman', 'unhealthy');
    try {
      const r = await update(['--timeout', '6s', '--json']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.json).toMatchObject({ status: 1, code: 'UPDATE_FAILED' });
      const res = result<{ failed_stage: string; drain: DrainReport }>(r);
      expect(res.failed_stage).toBe('healthy');
      expect(res.drain).toMatchObject({ node_id: nodeId, restored: true, mode_after: 'normal', undrain_error: null });
      expect(modePuts(nodeId)).toEqual(['draining', 'normal']);
      expect((await status(nodeId)).operational_mode).toBe('normal');
    } finally {
      await stack.forceUnhealthy(false);
      await stack.waitHealth('helmsman', 'healthy');
    }
  });

  it('viewers that do not leave in --idle-timeout: nothing updated, node set back (exit 1)', { timeout: 30_000 }, async () => {
    cp.setViewers(nodeId, 10_000_000);
    const r = await update(['--idle-timeout', '300ms', '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'DRAIN_TIMEOUT' });
    expect(String(r.json!.message)).toContain(`Not updated; ${nodeId} goes back to normal.`);
    expect(result<{ drain: DrainReport }>(r).drain).toMatchObject({ idle_after_ms: null, restored: true, mode_after: 'normal' });
    // The command as typed, with the longer wait.
    expect(r.json!.suggestions).toContainEqual(expect.stringMatching(/^frameworks edge update .*--idle-timeout 30m$/));
    expect(modePuts(nodeId)).toEqual(['draining', 'normal']);
  });
});
