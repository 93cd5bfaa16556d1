// `frameworks edge update`, run as a user would, against the real engine and the local registry of
// `bash scripts/infra.sh up`. A release is published the way a registry sees it: the stack runs
// <repo>/helmsman:current, and the test moves that tag in the registry (retagInRegistry) to v2, or to
// an image that never becomes healthy (helmsman:2 with HELMSMAN.forceUnhealthyFile baked in).
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import {
  DOCKER_HOST,
  HELMSMAN,
  REGISTRY,
  deleteFromRegistry,
  docker,
  dockerEnv,
  removeComposeProject,
  requireDocker,
  retagInRegistry,
} from '../support/docker.js';
import { RELEASE_TOKEN, publishRelease, startReleaseStack, type Release } from '../support/edge-release.js';
import { edgeEntries, writeSource } from '../support/release-files.js';
import { python, runInPty, screenLines } from '../support/pty.js';
import { sshdAvailable, startSshd, type Sshd } from '../support/sshd.js';

const SUITE = 'test/e2e/edge-update.test.ts';
const gate = await requireDocker(SUITE);
const TOKEN = RELEASE_TOKEN;

interface Change {
  service: string;
  image: string;
  before: { image_id: string; digest: string | null } | null;
  after: { image_id: string; digest: string | null } | null;
  changed: boolean;
}
interface UpdateResult {
  host: string;
  stages: Array<{ name: string; status: string; duration_ms: number; detail: string }>;
  services: Change[];
  https: { verified: boolean; health: { status: number; version?: string } } | null;
  rolled_back: { to: Array<{ service: string; image_id: string }>; retagged: Array<{ service: string; how: string }> } | null;
  rollback_commands: string[];
  failed_stage?: string;
  cause?: { code: string; message: string };
}
interface DryRow {
  service: string;
  image: string;
  running: { image_id: string; digest: string | null } | null;
  available_digest: string | null;
  verdict: string;
}

let sb: CliSandbox;
const projects = new Set<string>();
const releases: Release[] = [];

const resultOf = (r: CliResult) => (r.json as { result?: unknown }).result as UpdateResult;
const byService = (list: Change[], s: string) => list.find((c) => c.service === s)!;

/** A release of our own (helmsman :current = v1, :v2, :bad); removed after the suite. */
async function publish(): Promise<Release> {
  const rel = await publishRelease(sb, 'update');
  releases.push(rel);
  return rel;
}

/** init + enroll a stack on free ports of 127.0.0.1 (enroll over `ssh` when given). */
async function startStack(manifest: string, ssh: string[] = [], env: Record<string, string> = dockerEnv()): Promise<{ dir: string; project: string }> {
  const stack = await startReleaseStack(sb, { manifest }, ssh, env, 'fw-update');
  projects.add(stack.project);
  return stack;
}

const update = (args: string[], env: Record<string, string> = dockerEnv()) => sb.run(['edge', 'update', ...args], { env, timeoutMs: 120_000 });

async function helmsmanContainer(project: string): Promise<{ id: string; image: string; version: string }> {
  const [id] = (await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.service=helmsman'])).split('\n').filter(Boolean);
  const image = (await docker(['inspect', '--format', '{{.Image}}', id])).trim();
  const health = JSON.parse(await docker(['exec', id, 'wget', '-qO-', `http://127.0.0.1:${HELMSMAN.port}/health`]).catch(() => '{}')) as { version?: string };
  return { id, image, version: health.version ?? '' };
}

beforeAll(() => {
  sb = new CliSandbox('fw-e2e-edge-update-');
});
afterAll(async () => {
  for (const p of projects) await removeComposeProject(p).catch(() => undefined);
  for (const rel of releases) await rel.remove();
  sb?.cleanup();
});

describe.skipIf(gate.skip)('edge update (one stack, a release at a time)', () => {
  let rel: Release;
  let stack: { dir: string; project: string };
  beforeAll(async () => {
    rel = await publish();
    stack = await startStack(rel.manifest);
  }, 120_000);

  it('--dry-run shows the running digest and the registry\'s, and changes nothing', async () => {
    await retagInRegistry(`${rel.base}/helmsman`, 'v2', 'current');
    const before = await helmsmanContainer(stack.project);
    const r = await update(['--dir', stack.dir, '--dry-run', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rows = (r.json!.result as { dry_run: boolean; services: DryRow[] }).services;
    expect(rows.map((x) => [x.service, x.verdict])).toEqual([
      ['caddy', 'up-to-date'],
      ['helmsman', 'would-pull'],
      ['mistserver', 'up-to-date'],
    ]);
    const h = rows.find((x) => x.service === 'helmsman')!;
    expect(h.running!.digest).toBe(rel.digests.v1);
    expect(h.available_digest).toBe(rel.digests.v2);
    expect(await helmsmanContainer(stack.project)).toEqual(before);
    const human = await update(['--dir', stack.dir, '--dry-run']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/helmsman\s+\S+\/helmsman:current\s+running sha256:[a-f0-9]{12}\s+registry sha256:[a-f0-9]{12}\s+→ would-pull/);
    expect(human.stderr).toContain('Dry run: nothing was pulled or restarted.');
  });

  it('pulls and runs v2: every stage ok, before/after digests per service, /health says v2', { timeout: 90_000 }, async () => {
    const r = await update(['--dir', stack.dir, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const res = resultOf(r);
    expect(res.stages.map((s) => [s.name, s.status])).toEqual([
      ['record', 'ok'],
      ['pull', 'ok'],
      ['up', 'ok'],
      ['healthy', 'ok'],
      ['https', 'ok'],
    ]);
    expect(res.stages.find((s) => s.name === 'pull')!.detail).toMatch(/^new image for helmsman \(/);
    expect(byService(res.services, 'helmsman')).toMatchObject({
      changed: true,
      before: { image_id: rel.ids.v1, digest: rel.digests.v1 },
      after: { image_id: rel.ids.v2, digest: rel.digests.v2 },
    });
    expect(byService(res.services, 'caddy').changed).toBe(false);
    expect(byService(res.services, 'mistserver').changed).toBe(false);
    expect(res.https).toMatchObject({ verified: true, health: { status: 200, version: 'v2' } });
    expect(await helmsmanContainer(stack.project)).toMatchObject({ image: rel.ids.v2, version: 'v2' });
  });

  it.skipIf(!python)('--json on a terminal: stderr shows each stage as it ends, stdout keeps the one document; in a pipe stderr stays empty', { timeout: 120_000 }, async () => {
    const file = join(sb.home, 'update.json');
    const r = await runInPty(['edge', 'update', '--dir', stack.dir, '--json'], { env: { ...sb.baseEnv, ...dockerEnv() }, stdoutFile: file, cols: 100, timeoutSec: 100 });
    expect(r.code, r.text).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ status: 0, result: { stages: expect.any(Array) } });
    const lines = screenLines(r.output);
    for (const title of ['Running images recorded', 'Images pulled', 'Containers running and healthy', 'HTTPS certificate verifies']) {
      expect(lines.some((l) => l.startsWith(`✓ ${title}`)), `${title} in:\n${lines.join('\n')}`).toBe(true);
    }
    const piped = await update(['--dir', stack.dir, '--json']);
    expect(piped.code, piped.stdout).toBe(0);
    expect(piped.stderr).toBe('');
  });

  it('a failed update without --rollback-on-failure leaves the stack and prints the exact rollback command (which works)', { timeout: 90_000 }, async () => {
    await retagInRegistry(`${rel.base}/helmsman`, 'bad', 'current');
    const r = await update(['--dir', stack.dir, '--timeout', '15s', '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'UPDATE_FAILED' });
    expect(String(r.json!.message)).toMatch(/^edge update timed out after 15\.0s: stage "healthy" .*helmsman.*The stack was left as it is \(helmsman changed\); --rollback-on-failure would have restored the recorded images\./);
    const res = resultOf(r);
    expect(res.failed_stage).toBe('healthy');
    expect(byService(res.services, 'helmsman').after!.image_id).toBe(rel.ids.bad);
    const ref = `${REGISTRY}/${rel.base}/helmsman:current`;
    expect(res.rollback_commands[0]).toBe(`docker tag ${rel.ids.v2} ${ref}`);
    expect(res.rollback_commands[1]).toMatch(new RegExp(`^docker compose -p ${stack.project} --project-directory ${stack.dir} -f ${stack.dir}/docker-compose\\.edge\\.yml --env-file ${stack.dir}/\\.edge\\.env up -d$`));
    const hint = (r.json!.suggestions as string[])[0];
    expect(hint).toBe(`${res.rollback_commands.join(' && ')}   # roll back to the recorded images`);
    expect(await helmsmanContainer(stack.project)).toMatchObject({ image: rel.ids.bad });
    // The printed command, run as printed, puts v2 back.
    execSync(hint.replace(/\s+#.*$/, ''), { env: { ...process.env, DOCKER_HOST }, stdio: 'pipe', shell: '/bin/sh' });
    expect((await helmsmanContainer(stack.project)).image).toBe(rel.ids.v2);
  });

  it('--rollback-on-failure restores the recorded images, waits until healthy and says so (exit 1)', { timeout: 90_000 }, async () => {
    const r = await update(['--dir', stack.dir, '--timeout', '15s', '--rollback-on-failure', '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'UPDATE_ROLLED_BACK' });
    expect(String(r.json!.message)).toMatch(/stage "healthy".*Rolled back to the recorded images: helmsman \S+\/helmsman:current \(sha256:[a-f0-9]{12}\); every container is running and healthy again\./);
    const res = resultOf(r);
    expect(res.rolled_back!.retagged).toEqual([{ service: 'helmsman', image: `${REGISTRY}/${rel.base}/helmsman:current`, image_id: rel.ids.v2, how: 'tag' }]);
    expect(res.rolled_back!.to.find((t) => t.service === 'helmsman')!.image_id).toBe(rel.ids.v2);
    // The recorded image runs again, and it is healthy.
    const now = await helmsmanContainer(stack.project);
    expect(now).toMatchObject({ image: rel.ids.v2, version: 'v2' });
    expect(byService(res.services, 'helmsman')).toMatchObject({ changed: false, after: { image_id: rel.ids.v2 } });
    const human = await update(['--dir', stack.dir, '--dry-run']);
    expect(human.code).toBe(0);
  });

  it('a pull that fails changes nothing and says so', async () => {
    await deleteFromRegistry(`${rel.base}/helmsman`, ['current']);
    const r = await update(['--dir', stack.dir, '--rollback-on-failure', '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'UPDATE_FAILED' });
    expect(String(r.json!.message)).toMatch(/failed at stage "pull".*Nothing changed: the stack still runs the recorded images\./);
    expect(resultOf(r).cause!.code).toBe('COMPOSE_PULL_FAILED');
    expect((await helmsmanContainer(stack.project)).image).toBe(rel.ids.v2);
  });
});

if (!sshdAvailable() && process.env.CI) throw new Error(`${SUITE}: /usr/sbin/sshd is missing (bash scripts/infra.sh up installs openssh-server).`);

describe.skipIf(gate.skip || !sshdAvailable())('edge update --ssh', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd({ setEnv: { DOCKER_HOST } });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('enroll and update over SSH: v1 → v2 on the remote engine', { timeout: 120_000 }, async () => {
    const rel = await publish();
    const good = `${sshd.user}@127.0.0.1:${sshd.port}`;
    const ssh = ['--ssh', good, '--ssh-key', sshd.clientKey, '--accept-new-host-key'];
    // The CLI's own DOCKER_HOST leads nowhere: everything runs on the remote host's engine.
    const env = { DOCKER_HOST: `unix://${sb.home}/not-this-one.sock` };
    const stack = await startStack(rel.manifest, ssh, env);
    await retagInRegistry(`${rel.base}/helmsman`, 'v2', 'current');
    const r = await update(['--dir', stack.dir, ...ssh, '--json'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const res = resultOf(r);
    expect(res.host).toBe(good);
    expect(byService(res.services, 'helmsman')).toMatchObject({ changed: true, before: { digest: rel.digests.v1 }, after: { digest: rel.digests.v2 } });
    expect(res.https).toMatchObject({ verified: true, health: { version: 'v2' } });
    expect(await helmsmanContainer(stack.project)).toMatchObject({ image: rel.ids.v2, version: 'v2' });
  });
});

describe.skipIf(gate.skip)('edge update --image / --channel: the new pin is recorded in the stack\'s files', () => {
  let rel: Release;
  let stack: { dir: string; project: string };
  const compose = () => readFileSync(join(stack.dir, 'docker-compose.edge.yml'), 'utf8');
  const env = () => readFileSync(join(stack.dir, '.edge.env'), 'utf8');
  beforeAll(async () => {
    rel = await publish();
    stack = await startStack(rel.manifest);
  }, 120_000);

  it('--dry-run shows the change and writes nothing', async () => {
    const v2 = `${REGISTRY}/${rel.base}/helmsman:v2`;
    const [composeBefore, envBefore] = [compose(), env()];
    const r = await update(['--dir', stack.dir, '--image', `helmsman=${v2}`, '--dry-run', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const repin = (r.json!.result as { repin: { images: unknown[]; written: boolean; files: Array<{ diff: string }> } }).repin;
    expect(repin).toMatchObject({ written: false, images: [{ service: 'helmsman', from: `${REGISTRY}/${rel.base}/helmsman:current`, to: v2 }] });
    expect(repin.files.map((f) => f.diff).join('\n')).toContain(`+HELMSMAN_IMAGE=${v2}`);
    expect([compose(), env()]).toEqual([composeBefore, envBefore]);
    // The registry rows describe what the new pin would pull, not the current pin.
    const h = (r.json!.result as { services: Array<DryRow & { previous_image?: string }> }).services.find((x) => x.service === 'helmsman')!;
    expect(h).toMatchObject({ image: v2, previous_image: `${REGISTRY}/${rel.base}/helmsman:current`, available_digest: rel.digests.v2, verdict: 'would-pull' });
  });

  it('--dry-run with --image naming a tag the registry does not have: exit 1 UPDATE_IMAGE_NOT_FOUND, nothing written', async () => {
    const [composeBefore, envBefore] = [compose(), env()];
    const missing = `${REGISTRY}/${rel.base}/helmsman:no-such-tag`;
    const r = await update(['--dir', stack.dir, '--image', `helmsman=${missing}`, '--dry-run', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.json).toMatchObject({ code: 'UPDATE_IMAGE_NOT_FOUND' });
    expect(String(r.json!.message)).toContain(missing);
    expect([compose(), env()]).toEqual([composeBefore, envBefore]);
  });

  it('--channel pins the channel\'s images in the compose file and .edge.env, then the update runs them', { timeout: 90_000 }, async () => {
    const source = writeSource(join(sb.home, `source-${rel.base.split('/')[1]}`), {
      'c-2': edgeEntries({ caddy: `${REGISTRY}/${rel.base}/caddy:2.6.2`, mistserver: `${REGISTRY}/${rel.base}/mistserver:1`, helmsman: `${REGISTRY}/${rel.base}/helmsman:v2` }),
    }, { canary: 'c-2' });
    const r = await update(['--dir', stack.dir, '--channel', 'canary', '--release-source', source, '--allow-unpinned', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const v2 = `${REGISTRY}/${rel.base}/helmsman:v2`;
    expect(compose()).toContain(`image: "${v2}"`);
    expect(env()).toMatch(new RegExp(`^HELMSMAN_IMAGE=${v2.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(env()).toMatch(/^EDGE_CHANNEL=canary$/m);
    expect(env()).toMatch(/^EDGE_RELEASE=c-2$/m);
    expect(env()).toContain(`EDGE_ENROLLMENT_TOKEN=${TOKEN}`);
    expect((r.json!.result as { repin: { written: boolean } }).repin.written).toBe(true);
    expect(await helmsmanContainer(stack.project)).toMatchObject({ image: rel.ids.v2, version: 'v2' });
  });

  it('--image with a tag the registry does not have: the update changes nothing, the files keep their pin', { timeout: 90_000 }, async () => {
    const [composeBefore, envBefore] = [compose(), env()];
    const r = await update(['--dir', stack.dir, '--image', `helmsman=${REGISTRY}/${rel.base}/helmsman:no-such-tag`, '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ code: 'UPDATE_FAILED' });
    expect([compose(), env()]).toEqual([composeBefore, envBefore]);
    expect((await helmsmanContainer(stack.project)).image).toBe(rel.ids.v2);
  });

  it('--image onto an image that never becomes healthy, with --rollback-on-failure: the old pin and the old image are back', { timeout: 90_000 }, async () => {
    const [composeBefore, envBefore] = [compose(), env()];
    const bad = `helmsman=${REGISTRY}/${rel.base}/helmsman:bad`;
    const r = await update(['--dir', stack.dir, '--image', bad, '--rollback-on-failure', '--timeout', '15s', '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ code: 'UPDATE_ROLLED_BACK' });
    expect([compose(), env()]).toEqual([composeBefore, envBefore]);
    expect(await helmsmanContainer(stack.project)).toMatchObject({ image: rel.ids.v2, version: 'v2' });
  });

  it('a bad --image is a usage error before anything is touched', async () => {
    const [composeBefore, envBefore] = [compose(), env()];
    const r = await update(['--dir', stack.dir, '--image', 'nginx=nginx:1', '--json']);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ code: 'INVALID_IMAGE' });
    expect([compose(), env()]).toEqual([composeBefore, envBefore]);
  });
});
