// `frameworks edge doctor`: preflight + services + HTTPS + certificate in one report, against a real
// stack. This machine cannot grant containers nofile=1048576 (see edge-preflight.test.ts), so a full
// doctor fails here on that check — with its fix; --skip preflight shows the stack alone passing.
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import { requireDocker } from '../support/docker.js';
import { DOMAIN, edgeCliEnv, sshdIn, startEdgeStack, writeSshConfig, type EdgeStackFixture, type SshSide } from '../support/edge-stack.js';
import { sshdAvailable } from '../support/sshd.js';

type Status = 'pass' | 'warn' | 'fail' | 'skip';
interface Item {
  id: string;
  category: string;
  status: Status;
  value: string;
  hint?: string;
  fix?: string;
}
interface Section {
  ok: boolean;
  skipped?: boolean;
  items: Item[];
}
interface Report {
  host: string;
  ok: boolean;
  sections: { preflight: Section; services: Section; https: Section; cert: Section };
  next_steps: string[];
  summary: { pass: number; warn: number; fail: number; skip: number };
  duration_ms: number;
}

const gate = await requireDocker('edge doctor e2e');
const sb = new CliSandbox('fw-e2e-edge-doctor-');
let stack: EdgeStackFixture;
let env: Record<string, string>;

const doctor = (args: string[], dir = stack.dir): Promise<CliResult> => sb.run(['edge', 'doctor', '--dir', dir, ...args], { env, timeoutMs: 50_000 });
const report = (r: CliResult) => r.json!.result as Report;
const items = (r: Report) => Object.values(r.sections).flatMap((s) => s.items);
const item = (r: Report, id: string) => items(r).find((i) => i.id === id)!;

/** The contract of every report: fails (and warnings) carry a fix; ok ⇔ no failure; exit 1 ⇔ not ok. */
function expectConsistent(r: CliResult): Report {
  const rep = report(r);
  expect(Object.keys(rep.sections)).toEqual(['preflight', 'services', 'https', 'cert']);
  for (const i of items(rep)) {
    if (i.status === 'fail' || i.status === 'warn') expect(i.fix, `${i.id} has no fix`).toMatch(/\S/);
    else expect(i.fix, i.id).toBeUndefined();
  }
  const failed = items(rep).filter((i) => i.status === 'fail');
  expect(rep.ok).toBe(failed.length === 0);
  expect(r.code).toBe(rep.ok ? 0 : 1);
  for (const [name, s] of Object.entries(rep.sections)) expect(s.ok, name).toBe(!s.items.some((i) => i.status === 'fail'));
  // next steps: the failures' fixes first, each once
  expect(new Set(rep.next_steps).size).toBe(rep.next_steps.length);
  expect(rep.next_steps.slice(0, new Set(failed.map((i) => i.fix)).size).sort()).toEqual([...new Set(failed.map((i) => i.fix!))].sort());
  if (!rep.ok) expect(r.json).toMatchObject({ status: 1, code: 'EDGE_DOCTOR_FAILED', suggestions: rep.next_steps });
  return rep;
}

beforeAll(async () => {
  if (gate.skip) return;
  env = await edgeCliEnv();
  stack = await startEdgeStack(sb, { prefix: 'fw-dr' });
});
afterAll(async () => {
  await stack?.remove();
  sb.cleanup();
});

describe.skipIf(gate.skip)('edge doctor', () => {
  it('--json: {host, ok, sections, next_steps}; a healthy stack passes services/https/cert; host checks with their fixes', async () => {
    const started = performance.now();
    const r = await doctor(['--json']);
    const wall = Math.round(performance.now() - started);
    const rep = expectConsistent(r);
    console.log(`edge doctor wall time (whole CLI run): ${wall} ms; report duration_ms ${rep.duration_ms}`);
    expect(rep.host).toBe('local');
    expect(rep.sections.services).toMatchObject({ ok: true });
    expect(rep.sections.https).toMatchObject({ ok: true });
    expect(rep.sections.cert).toMatchObject({ ok: true });
    expect(item(rep, 'service:helmsman')).toMatchObject({ status: 'pass', value: 'running, healthy' });
    expect(item(rep, 'health')).toMatchObject({ status: 'pass', value: 'GET /health → HTTP 200' });
    expect(item(rep, 'cert').value).toMatch(/by Caddy Local Authority.*; verified$/);
    // preflight checks the ports the stack publishes: held by this stack, a pass
    expect(item(rep, `port-${stack.httpsPort}`)).toMatchObject({ status: 'pass', value: expect.stringMatching(/^held by this edge stack/) });
    expect(item(rep, 'dns')).toMatchObject({ status: 'skip', value: `${DOMAIN} does not resolve (a test/internal name)` });
    // remedies by category: a sysctl about ports is tuned, never "free the port"
    const portRange = item(rep, 'sysctl:net.ipv4.ip_local_port_range');
    if (portRange.status === 'warn') expect(portRange.fix).toBe('frameworks edge tune --write');
    const nofile = item(rep, 'nofile');
    if (nofile.status === 'fail') expect(nofile.fix).toMatch(/LimitNOFILE=1048576/);
    expect(wall).toBeLessThan(20_000);
  });

  it('--skip preflight on a healthy stack: exit 0, "Edge node healthy"', async () => {
    const r = await doctor(['--skip', 'preflight', '--json']);
    const rep = expectConsistent(r);
    expect(r.code).toBe(0);
    expect(rep.sections.preflight).toEqual({ ok: true, skipped: true, items: [] });
    const human = await doctor(['--skip', 'preflight']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^– Host \(preflight\) \(skipped\)$/m);
    expect(human.stdout).toMatch(/^✓ Services$/m);
    expect(human.stdout).toContain('✓ Edge node healthy — all checks passed');
  });

  it('helmsman unhealthy: exit 1; its fix is `frameworks edge logs helmsman … --dir <dir>`', async () => {
    await stack.forceUnhealthy(true);
    try {
      await stack.waitHealth('helmsman', 'unhealthy');
      const r = await doctor(['--skip', 'preflight', '--json']);
      const rep = expectConsistent(r);
      expect(r.code).toBe(1);
      const logsFix = `frameworks edge logs helmsman --tail 100 --dir ${stack.dir}`;
      expect(item(rep, 'service:helmsman')).toMatchObject({ status: 'fail', fix: logsFix });
      expect(item(rep, 'health')).toMatchObject({ status: 'fail', value: 'GET /health → HTTP 503', fix: logsFix });
      expect(rep.next_steps[0]).toBe(logsFix);
      const human = await doctor(['--skip', 'preflight']);
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/^✗ Services$/m);
      expect(human.stdout).toMatch(new RegExp(`✗ service:helmsman\\s+running: unhealthy: .*${logsFix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(human.stderr).toMatch(/^✗ Edge doctor: 2 checks failed\.$/m);
      expect(human.stderr).toContain(`Next: ${logsFix}`);
    } finally {
      await stack.forceUnhealthy(false);
      await stack.waitHealth('helmsman', 'healthy');
    }
  });

  it('a stopped service: its fix is the exact `docker compose … up -d` of this stack', async () => {
    await stack.compose('stop', 'mistserver');
    try {
      const rep = expectConsistent(await doctor(['--skip', 'preflight,https', '--json']));
      expect(item(rep, 'service:mistserver')).toMatchObject({
        status: 'fail',
        value: 'exited (exit 0)',
        fix: `docker compose -p ${stack.project} -f ${stack.dir}/docker-compose.edge.yml --env-file ${stack.dir}/.edge.env up -d`,
      });
      expect(rep.sections.https).toEqual({ ok: true, skipped: true, items: [] });
    } finally {
      await stack.compose('start', 'mistserver');
      await stack.waitHealth('mistserver', 'healthy');
    }
  });

  it('a folder that is not an edge stack: host checks still run; services fail with the init command', async () => {
    const empty = join(sb.home, 'empty-edge');
    mkdirSync(empty, { recursive: true });
    const r = await doctor(['--json'], empty);
    const rep = expectConsistent(r);
    expect(r.code).toBe(1);
    expect(rep.sections.preflight.items.length).toBeGreaterThan(10);
    expect(item(rep, 'stack')).toMatchObject({ status: 'fail', fix: expect.stringMatching(new RegExp(`^frameworks edge init .* --dir ${empty}$`)) });
    expect(item(rep, 'https').status).toBe('skip');
  });

  it('bad --skip value exits 2', async () => {
    const r = await doctor(['--skip', 'everything', '--json']);
    expect(r.code).toBe(2);
  });
});

describe.skipIf(gate.skip || !sshdAvailable())('edge doctor --ssh', () => {
  let side: SshSide;
  beforeAll(async () => {
    side = await sshdIn(dirname(stack.dir));
    writeSshConfig(sb, { 'edge-a': side.sshd });
  });
  afterAll(async () => {
    await side?.stop();
  });

  it('the same report from the remote host; fixes carry --ssh', async () => {
    const r = await sb.run(['edge', 'doctor', '--ssh', 'edge-a', '--dir', basename(stack.dir), '--json'], { env: { ...env, DOCKER_HOST: 'unix:///nonexistent.sock' }, timeoutMs: 50_000 });
    const rep = expectConsistent(r);
    expect(rep.host).toBe('edge-a');
    expect(rep.sections.services.ok).toBe(true);
    expect(item(rep, 'docker').status).toBe('pass');
    for (const i of items(rep).filter((x) => x.fix?.startsWith('frameworks edge logs'))) expect(i.fix).toMatch(/ --ssh edge-a$/);
    const tune = items(rep).find((i) => i.category === 'sysctl' && i.status === 'warn');
    if (tune) expect(tune.fix).toBe('frameworks edge tune --write --ssh edge-a');
  });
});
