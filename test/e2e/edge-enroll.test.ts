// `frameworks edge enroll`, run as a user would (the built bin/run.js) against the real engine of
// `bash scripts/infra.sh up` and the stand-in images (HELMSMAN in test/support/docker.ts): a stack
// made by `edge init --tls internal` on free ports of 127.0.0.1 is started, waited for, enrolled and
// its HTTPS verified against Caddy's own root. Every compose project is removed, whatever happens.
import { execSync } from 'node:child_process';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeEntries, writeManifest } from '../support/release-files.js';
import { CliSandbox, ROOT, type CliResult } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { DOCKER_HOST, HELMSMAN, IMAGES, REGISTRY, deleteFromRegistry, docker, dockerEnv, freePort, pushToRegistry, removeComposeProject, requireDocker, uniqueName } from '../support/docker.js';
import { sshdAvailable, startSshd, type Sshd } from '../support/sshd.js';

const SUITE = 'test/e2e/edge-enroll.test.ts';
const gate = await requireDocker(SUITE);
const FIXTURE = join(ROOT, 'test/fixtures/edge/release-manifest.yaml');
const TOKEN = 'bt_enrollE2eToken0123456789abcdefXYZ';
/** This machine cannot grant nofile 1048576: pass the hard limit, as a real run on such a host would. */
const NOFILE = execSync('ulimit -Hn', { shell: '/bin/sh', encoding: 'utf8' }).trim();
const STAGES = ['token', 'images', 'up', 'healthy', 'enrolled', 'quartermaster', 'https'];

interface Stage {
  name: string;
  status: string;
  duration_ms: number;
  detail: string;
}
interface EnrollResult {
  host: string;
  dir: string;
  project: string;
  stages: Stage[];
  node_id: string | null;
  tenant_id: string | null;
  images: Array<{ service: string; image: string; action: string }>;
  quartermaster: { status: string; detail: string; node_listed: boolean | null; token_used_at?: string | null } | null;
  https: { url: string; trust: string; verified: boolean; protocol: string; certificate: { sans: string[]; issuer: string }; health: { status: number; service?: string; version?: string } } | null;
  duration_ms: number;
}

let sb: CliSandbox;
const projects = new Set<string>();
let n = 0;

/** `edge init` of a fresh stack on free ports (not started). */
async function initStack(opts: { token?: string; manifest?: string; dir?: string } = {}): Promise<{ dir: string; project: string; https: number }> {
  const dir = opts.dir ?? join(sb.home, `edge-${++n}`);
  const project = uniqueName('fw-enroll');
  projects.add(project);
  const [http, https] = [await freePort(), await freePort()];
  const args = ['edge', 'init', '--dir', dir, '--release-manifest', opts.manifest ?? FIXTURE, '--allow-unpinned', '--nofile', NOFILE, '--domain', 'edge.test', '--tls', 'internal'];
  args.push('--bind', '127.0.0.1', '--http-port', String(http), '--https-port', String(https), '--project', project);
  if (opts.token) args.push('--token', opts.token);
  const r = await sb.run(args, { env: dockerEnv() });
  expect(r.code, r.stderr).toBe(0);
  return { dir, project, https };
}

const enroll = (args: string[], opts: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {}) =>
  sb.run(['edge', 'enroll', ...args], { env: { ...dockerEnv(), ...opts.env }, ...(opts.input !== undefined ? { input: opts.input } : {}), timeoutMs: opts.timeoutMs ?? 90_000 });

const result = (r: CliResult) => (r.json!.status === 0 ? r.json!.result : (r.json as { result?: unknown }).result) as EnrollResult;
const containersOf = async (project: string) => (await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).split('\n').filter(Boolean);

function expectNoSecret(r: CliResult): void {
  expect(r.stdout).not.toContain(TOKEN);
  expect(r.stderr).not.toContain(TOKEN);
}

beforeAll(() => {
  sb = new CliSandbox('fw-e2e-edge-enroll-');
});
afterAll(async () => {
  for (const p of projects) await removeComposeProject(p).catch(() => undefined);
  sb?.cleanup();
});

describe.skipIf(gate.skip)('edge enroll', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp?.close();
  });

  it('happy path: pulls the missing image, every stage ok with its time, node enrolled, HTTPS verified against Caddy\'s root, Quartermaster confirms', { timeout: 120_000 }, async () => {
    // helmsman comes from the registry and is not in the engine: the images stage must pull it.
    const repo = `e2e/${uniqueName('enroll')}/helmsman`;
    await pushToRegistry(IMAGES.helmsman, repo, '1');
    await docker(['rmi', `${REGISTRY}/${repo}:1`]); // untags only: local/helmsman:1 keeps the image
    const manifest = join(sb.home, 'release-enroll.yaml');
    writeManifest(manifest, 'enroll-1', edgeEntries({ caddy: IMAGES.caddy, mistserver: IMAGES.mistserver, helmsman: `${REGISTRY}/${repo}:1` }));
    const { dir, project } = await initStack({ manifest });
    const envBefore = readFileSync(join(dir, '.edge.env'), 'utf8');
    expect(envBefore).toMatch(/^EDGE_ENROLLMENT_TOKEN=$/m);

    // Quartermaster (contract §3.1) knows what Foghorn enrolled: the node the stand-in Helmsman got, our token used.
    const usedAt = new Date().toISOString();
    cp.route('quartermaster', 'GET', '/nodes', async () => {
      const [id] = (await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.service=helmsman'])).split('\n').filter(Boolean);
      const nodeId = id ? (await docker(['exec', id, 'cat', '/run/helmsman/node_id']).catch(() => '')).trim() : '';
      const nodes = nodeId ? [{ id: 'n-1', node_id: nodeId, cluster_id: 'central-1', node_name: 'edge', node_type: 'edge', status: 'active' }] : null;
      return { status: 200, json: { nodes, count: nodes?.length ?? 0, filters: { cluster_id: '', node_type: 'edge', region: '' } } };
    }, { auth: true });
    cp.route('quartermaster', 'GET', '/admin/bootstrap-tokens', () => ({ status: 200, json: { tokens: [{ id: 't-1', token: TOKEN, kind: 'edge_node', used_at: usedAt }], count: 1 } }), { auth: true });
    const qm = { FRAMEWORKS_QUARTERMASTER_URL: cp.urls.quartermaster, FRAMEWORKS_SERVICE_TOKEN: cp.serviceToken };

    try {
      const r = await enroll(['--dir', dir, '--token-stdin', '--json'], { input: `${TOKEN}\n`, env: qm });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expectNoSecret(r);
      const res = result(r);
      expect(res.stages.map((s) => [s.name, s.status])).toEqual(STAGES.map((s) => [s, 'ok']));
      for (const s of res.stages) expect(s.duration_ms).toBeGreaterThanOrEqual(0);
      expect(res.stages.find((s) => s.name === 'healthy')!.duration_ms).toBeGreaterThan(0);
      expect(res.duration_ms).toBeGreaterThanOrEqual(res.stages.reduce((a, s) => a + s.duration_ms, 0) - 50);
      expect(res.stages[0].detail).toBe('written to .edge.env, mode 0600');
      expect(res.images.find((i) => i.service === 'helmsman')).toEqual({ service: 'helmsman', image: `${REGISTRY}/${repo}:1`, action: 'pulled' });
      expect(res.images.filter((i) => i.action === 'present').map((i) => i.service)).toEqual(['caddy', 'mistserver']);
      expect(res.node_id).toMatch(HELMSMAN.nodeIdPattern);
      expect(res.tenant_id).toBe(HELMSMAN.tenantId);
      expect(res.https).toMatchObject({ trust: 'caddy-internal', verified: true, health: { status: 200, service: 'helmsman', version: 'v1' } });
      expect(res.https!.certificate.sans).toContain('edge.test');
      expect(res.https!.certificate.issuer).toMatch(/Caddy Local Authority/);
      expect(res.quartermaster).toMatchObject({ status: 'ok', node_listed: true, token_used_at: usedAt });
      expect(res.quartermaster!.detail).toContain(`node ${res.node_id} listed in cluster central-1`);
      // The token went into .edge.env (0600) and every other line is as edge init wrote it.
      const envAfter = readFileSync(join(dir, '.edge.env'), 'utf8');
      expect(envAfter).toBe(envBefore.replace(/^EDGE_ENROLLMENT_TOKEN=$/m, `EDGE_ENROLLMENT_TOKEN=${TOKEN}`));
      expect(statSync(join(dir, '.edge.env')).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8')).not.toContain(TOKEN);
      // The image really came from the registry.
      expect((await docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', `${REGISTRY}/${repo}:1`])).trim()).toContain(`${REGISTRY}/${repo}@sha256:`);

      // Again, on the running stack, in human form and without credentials: only re-checks, quickly.
      const again = await enroll(['--dir', dir]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain(`✓ Edge node enrolled: ${res.node_id} (tenant ${HELMSMAN.tenantId})`);
      expect(again.stdout).toMatch(/stages\s+token \d+\.\ds · images \d+\.\ds · up \d+\.\ds · healthy \d+\.\ds · enrolled \d+\.\ds · quartermaster skipped · https \d+\.\ds/);
      expect(again.stderr).toMatch(/✔ Containers started — caddy, helmsman, mistserver \(3 already running\) \(\d+\.\ds\)/);
      expect(again.stderr).toMatch(new RegExp(`✔ Helmsman enrolled — node ${res.node_id}, tenant ${HELMSMAN.tenantId} \\(/node/mode \\+ log\\) \\(\\d+\\.\\ds\\)`));
      expect(again.stderr).toMatch(/↓ Quartermaster lists the node \[SKIPPED: no usable credentials/);
      expect(again.stderr).toMatch(/✔ HTTPS certificate verifies — https:\/\/edge\.test:\d+\/ verified \(Caddy's internal CA\), TLSv1\.3, \/health 200 helmsman v1/);
      expect(again.stderr).toContain(`Next: frameworks edge status --dir ${dir}`);
      expectNoSecret(again);

      // Credentials, but Quartermaster does not answer: "skipped (unreachable)", never a failure.
      const down = await enroll(['--dir', dir, '--json'], { env: { ...qm, FRAMEWORKS_QUARTERMASTER_URL: `http://127.0.0.1:${await freePort()}` } });
      expect(down.code, down.stdout).toBe(0);
      expect(result(down).quartermaster).toMatchObject({ status: 'skipped', node_listed: null });
      expect(result(down).quartermaster!.detail).toMatch(/unreachable: ECONNREFUSED/);
    } finally {
      await removeComposeProject(project);
      await deleteFromRegistry(repo, ['1']).catch(() => undefined);
      await docker(['rmi', `${REGISTRY}/${repo}:1`]).catch(() => undefined);
    }
  });

  it('missing token: the first stage fails with the hint and nothing is started', async () => {
    const { dir, project } = await initStack();
    const r = await enroll(['--dir', dir, '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'ENROLL_TOKEN_MISSING' });
    expect(String(r.json!.message)).toMatch(/failed at stage "token" \(Enrollment token present\): EDGE_ENROLLMENT_TOKEN is empty in .*\.edge\.env: Helmsman cannot enroll without a token\. Nothing was started\./);
    expect(r.json!.suggestions).toContain(`echo "$TOKEN" | frameworks edge enroll --token-stdin --dir ${dir}`);
    const res = result(r);
    expect(res.stages.map((s) => s.status)).toEqual(['failed', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run']);
    expect(await containersOf(project)).toEqual([]);

    const human = await enroll(['--dir', dir]);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/✖ Enrollment token present \(\d+\.\ds\)/);
    expect(human.stderr).toMatch(/✗ edge enroll failed at stage "token"/);
    expect(human.stderr).toContain(`Next: echo "$TOKEN" | frameworks edge enroll --token-stdin --dir ${dir}`);
    expect(await containersOf(project)).toEqual([]);
  });

  it('an invalid token fails the enrollment stage fast, with Helmsman\'s reason', { timeout: 90_000 }, async () => {
    const { dir, project } = await initStack({ token: HELMSMAN.invalidToken });
    try {
      const started = Date.now();
      const r = await enroll(['--dir', dir, '--timeout', '3m', '--json']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.json).toMatchObject({ status: 1, code: 'ENROLLMENT_FAILED' });
      expect(String(r.json!.message)).toMatch(/failed at stage "enrolled" \(Helmsman enrolled\): Helmsman could not enroll: .*enrollment token/);
      expect(r.json!.suggestions).toContain(`frameworks edge logs helmsman --dir ${dir}`);
      const res = result(r);
      expect(res.stages.map((s) => [s.name, s.status])).toEqual([
        ['token', 'ok'],
        ['images', 'ok'],
        ['up', 'ok'],
        ['healthy', 'ok'],
        ['enrolled', 'failed'],
        ['quartermaster', 'not-run'],
        ['https', 'not-run'],
      ]);
      // Fast: at the first look at the log, not after --timeout.
      expect(res.stages[4].duration_ms).toBeLessThan(10_000);
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(res.node_id).toBeNull();
    } finally {
      await removeComposeProject(project);
    }
  });

  it('a stage that cannot finish within --timeout is named, with the command that shows why', { timeout: 90_000 }, async () => {
    const { dir, project } = await initStack({ token: TOKEN });
    // Helmsman reads .edge.env (env_file): this one stays healthy but will not try to enroll for 10 minutes.
    appendFileSync(join(dir, '.edge.env'), 'ENROLL_DELAY_MS=600000\n');
    try {
      const started = Date.now();
      const r = await enroll(['--dir', dir, '--timeout', '20s', '--json']);
      const elapsed = Date.now() - started;
      expect(r.code, r.stdout).toBe(1);
      expect(r.json).toMatchObject({ status: 1, code: 'ENROLL_TIMEOUT' });
      expect(String(r.json!.message)).toMatch(/^edge enroll timed out after 20\.0s: stage "enrolled" \(Helmsman enrolled\) did not finish in \d+\.\ds — not enrolled yet/);
      expect((r.json!.suggestions as string[]).slice(0, 2)).toEqual([`frameworks edge logs helmsman --dir ${dir}`, `frameworks edge status --dir ${dir}`]);
      const res = result(r);
      expect(res.stages.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'timeout', 'not-run', 'not-run']);
      expect(elapsed).toBeGreaterThanOrEqual(19_000);
      expect(elapsed).toBeLessThan(30_000);
    } finally {
      await removeComposeProject(project);
    }
  });
});

if (!sshdAvailable() && process.env.CI) throw new Error(`${SUITE}: /usr/sbin/sshd is missing (bash scripts/infra.sh up installs openssh-server).`);

describe.skipIf(gate.skip || !sshdAvailable())('edge enroll --ssh (the stack on the remote host, through the SSH executor)', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd({ setEnv: { DOCKER_HOST } });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('enrolls over SSH; with a second, unreachable host: one line per stage per host and exit 68', { timeout: 120_000 }, async () => {
    const good = `${sshd.user}@127.0.0.1:${sshd.port}`;
    const { dir, project } = await initStack({ token: TOKEN });
    // The CLI's own DOCKER_HOST leads nowhere: everything must run on the remote host's engine.
    const env = { DOCKER_HOST: `unix://${sb.home}/not-this-one.sock` };
    const ssh = ['--ssh-key', sshd.clientKey, '--accept-new-host-key', '--dir', dir];
    try {
      const r = await enroll(['--ssh', good, ...ssh, '--json'], { env });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const res = result(r);
      expect(res.host).toBe(good);
      expect(res.stages.map((s) => [s.name, s.status])).toEqual(STAGES.map((s) => [s, s === 'quartermaster' ? 'skipped' : 'ok']));
      expect(res.node_id).toMatch(HELMSMAN.nodeIdPattern);
      expect(res.https).toMatchObject({ trust: 'caddy-internal', verified: true, health: { status: 200, version: 'v1' } });
      expect(await containersOf(project)).toHaveLength(3);

      const dead = `${sshd.user}@127.0.0.1:${await freePort()}`;
      const fleet = await enroll(['--ssh', `${good},${dead}`, ...ssh], { env });
      expect(fleet.code, fleet.stderr).toBe(68);
      for (const stage of ['Enrollment token present', 'Images present', 'Containers started', 'Containers running and healthy', 'Helmsman enrolled', 'HTTPS certificate verifies']) {
        expect(fleet.stderr).toMatch(new RegExp(`^\\[${good.replace(/[.]/g, '\\.')}\\] ✓ ${stage} — .* \\(\\d+\\.\\ds\\)$`, 'm'));
      }
      expect(fleet.stderr).toMatch(new RegExp(`^\\[${good.replace(/[.]/g, '\\.')}\\] ↓ Quartermaster lists the node \\(skipped\\)`, 'm'));
      expect(fleet.stdout).toMatch(new RegExp(`^✓ ${good.replace(/[.]/g, '\\.')}  ${res.node_id}  \\d+\\.\\ds$`, 'm'));
      expect(fleet.stdout).toMatch(new RegExp(`^✗ ${dead.replace(/[.]/g, '\\.')}  `, 'm'));
      expect(fleet.stderr).toMatch(/edge enroll failed on 1 of 2 hosts/);
      expectNoSecret(fleet);
    } finally {
      await removeComposeProject(project);
    }
  });
});
