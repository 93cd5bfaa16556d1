// One change at a time per stack, and interrupts that leave a record: `frameworks edge update` run as
// a user would against the real engine, the local registry and an sshd. Two updates started 50 ms
// apart, stale and foreign locks, --lock-wait, the lock over --ssh, and Ctrl-C (SIGINT to the
// process) while the containers are being replaced, with and without --rollback-on-failure.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, type CliResult } from '../support/cli.js';
import { DOCKER_HOST, dockerEnv, removeComposeProject, requireDocker, retagInRegistry } from '../support/docker.js';
import { publishRelease, runningImages, startReleaseStack, type Release } from '../support/edge-release.js';
import { spawnCli } from '../support/spawn-cli.js';
import { sshdAvailable, startSshd, type Sshd } from '../support/sshd.js';

const SUITE = 'test/e2e/edge-lock.test.ts';
const gate = await requireDocker(SUITE);

interface Change {
  service: string;
  changed: boolean;
  before: { image_id: string } | null;
  after: { image_id: string } | null;
}
interface UpdateResult {
  services: Change[];
  rolled_back: { to: Array<{ service: string; image_id: string }> } | null;
  rollback_commands: string[];
  restore_command: string | null;
  failed_stage?: string;
}
interface AuditLine {
  command: string;
  outcome: string;
  exit_code: number;
  error_code?: string;
}

let sb: CliSandbox;
let rel: Release;
let stack: { dir: string; project: string };
const lockFile = () => join(stack.dir, '.frameworks.lock');
const update = (args: string[], env: Record<string, string> = dockerEnv()) => sb.run(['edge', 'update', '--dir', stack.dir, ...args], { env, timeoutMs: 150_000 });
const resultOf = (r: CliResult) => r.json!.result as UpdateResult;
const audit = (): AuditLine[] => readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditLine);
const holder = (o: { machine?: string; pid?: number; message?: string } = {}) =>
  JSON.stringify({ user: 'ops', machine: o.machine ?? hostname(), pid: o.pid ?? process.pid, command: 'frameworks edge update', started_at: new Date(Date.now() - 125_000).toISOString(), message: o.message ?? null });
/** A pid that certainly ran on this machine and is gone now. */
const deadPid = () => spawnSync('true').pid!;
const allRunning = async (project: string) => Object.fromEntries(Object.entries(await runningImages(project)).map(([s, c]) => [s, c.state]));

beforeAll(async () => {
  sb = new CliSandbox('fw-e2e-edge-lock-');
  if (gate.skip) return;
  rel = await publishRelease(sb);
  stack = await startReleaseStack(sb, rel);
}, 150_000);
afterAll(async () => {
  if (stack) await removeComposeProject(stack.project).catch(() => undefined);
  await rel?.remove();
  sb?.cleanup();
});

describe.skipIf(gate.skip)('edge update: one change at a time per stack (host-side lock)', () => {
  it('two updates started 50 ms apart: exactly one proceeds, the other exits 1 LOCKED naming the holder; every container runs afterwards', { timeout: 150_000 }, async () => {
    await retagInRegistry(`${rel.base}/helmsman`, 'v2', 'current');
    const first = update(['--json']);
    await new Promise((r) => setTimeout(r, 50));
    const second = update(['--json']);
    const runs = await Promise.all([first, second]);
    expect(runs.map((r) => r.code).sort(), runs.map((r) => r.stdout).join('\n')).toEqual([0, 1]);
    const loser = runs.find((r) => r.code === 1)!;
    expect(loser.json).toMatchObject({ status: 1, code: 'LOCKED' });
    expect(String(loser.json!.message)).toMatch(new RegExp(`^The stack in ${stack.dir} is locked by ${userInfo().username}@${hostname()} \\(pid \\d+, "frameworks edge update", for \\d+s\\)\\. Nothing was changed\\.$`));
    expect(loser.json!.suggestions).toEqual([
      `frameworks edge lock status --dir ${stack.dir}`,
      `frameworks edge lock release --dir ${stack.dir} --force   # only when that run is really gone`,
      `frameworks edge update --dir ${stack.dir} --lock-wait 5m   # wait for it instead`,
    ]);
    const winner = runs.find((r) => r.code === 0)!;
    expect(resultOf(winner).services.find((s) => s.service === 'helmsman')).toMatchObject({ changed: true, after: { image_id: rel.ids.v2 } });
    expect(await allRunning(stack.project)).toEqual({ caddy: 'running', helmsman: 'running', mistserver: 'running' });
    expect((await runningImages(stack.project)).helmsman.image).toBe(rel.ids.v2);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('a lock left by a process of this machine that is gone is taken over, with a warning', { timeout: 90_000 }, async () => {
    writeFileSync(lockFile(), holder({ pid: deadPid() }) + '\n');
    const r = await update(['--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json!.warnings).toContainEqual({ code: 'LOCK_TAKEN_OVER', message: expect.stringMatching(/^Took over the lock of the stack in .*: its holder ops@\S+ \(pid \d+, "frameworks edge update"\) is no longer running\.$/) });
    expect(existsSync(lockFile())).toBe(false);
  });

  it('a lock from another machine is refused and nothing is touched; lock status shows it; release needs --force', { timeout: 60_000 }, async () => {
    writeFileSync(lockFile(), holder({ machine: 'build-host-7', pid: 4242, message: 'kernel upgrade' }) + '\n');
    const before = await runningImages(stack.project);
    const r = await update(['--json']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'LOCKED', message: expect.stringContaining('locked by ops@build-host-7 (pid 4242, "frameworks edge update", for 2m0') });
    expect(String(r.json!.message)).toContain(': kernel upgrade)');
    expect(await runningImages(stack.project)).toEqual(before);
    const status = await sb.run(['edge', 'lock', 'status', '--dir', stack.dir, '--json']);
    expect(status.json).toMatchObject({ status: 0, result: { locked: true, liveness: 'unknown', holder: { machine: 'build-host-7', pid: 4242, message: 'kernel upgrade' } } });
    const refused = await sb.run(['edge', 'lock', 'release', '--dir', stack.dir, '--json']);
    expect(refused.json).toMatchObject({ status: 1, code: 'LOCK_HELD', suggestions: [`frameworks edge lock release --dir ${stack.dir} --force   # only when that run is really gone`] });
    expect(existsSync(lockFile())).toBe(true);
    const forced = await sb.run(['edge', 'lock', 'release', '--dir', stack.dir, '--force', '--json']);
    expect(forced.json).toMatchObject({ status: 0, result: { released: true, holder: { machine: 'build-host-7' } } });
    expect(existsSync(lockFile())).toBe(false);
    expect(audit().at(-1)).toMatchObject({ command: 'edge:lock:release', outcome: 'ok', exit_code: 0 });
  });

  it('--lock-wait 5s waits for a live holder and proceeds once it is done', { timeout: 90_000 }, async () => {
    // This test process holds it (alive, this machine) and lets go after 1.5 s.
    writeFileSync(lockFile(), holder() + '\n');
    setTimeout(() => execSync(`rm -f ${JSON.stringify(lockFile())}`), 1_500);
    const r = await update(['--lock-wait', '5s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Waiting for the lock of the stack in \S+, held by ops@\S+ \(pid \d+, "frameworks edge update", for 2m0\ds\)…/);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('every verb that changes the stack takes it: init --force and enroll are refused too, and leave the files as they were', { timeout: 60_000 }, async () => {
    writeFileSync(lockFile(), holder({ machine: 'build-host-7' }) + '\n');
    const files = ['.edge.env', 'docker-compose.edge.yml', 'Caddyfile'];
    const before = files.map((f) => readFileSync(join(stack.dir, f), 'utf8'));
    const init = await sb.run(['edge', 'init', '--dir', stack.dir, '--domain', 'other.test', '--tls', 'internal', '--release-manifest', rel.manifest, '--allow-unpinned', '--force', '--json'], { env: dockerEnv() });
    expect(init.json).toMatchObject({ status: 1, code: 'LOCKED' });
    const enroll = await sb.run(['edge', 'enroll', '--dir', stack.dir, '--json'], { env: dockerEnv() });
    expect(enroll.json).toMatchObject({ status: 1, code: 'LOCKED' });
    expect(files.map((f) => readFileSync(join(stack.dir, f), 'utf8'))).toEqual(before);
    expect((await sb.run(['edge', 'lock', 'release', '--dir', stack.dir, '--force'])).code).toBe(0);
  });

  it('edge cert --reload changes the running Caddy: a foreign lock refuses it (LOCKED); the plain check does not wait for the lock', { timeout: 60_000 }, async () => {
    const held = holder({ machine: 'build-host-7', message: 'cert rotation' }) + '\n';
    writeFileSync(lockFile(), held);
    try {
      const reload = await sb.run(['edge', 'cert', '--reload', '--dir', stack.dir, '--json'], { env: dockerEnv() });
      expect(reload.code, reload.stdout).toBe(1);
      expect(reload.json).toMatchObject({ status: 1, code: 'LOCKED', message: expect.stringContaining('locked by ops@build-host-7') });
      expect(String(reload.json!.message)).toContain(': cert rotation)');
      expect(reload.json!.suggestions).toContain(`frameworks edge cert --reload --dir ${stack.dir} --lock-wait 5m   # wait for it instead`);
      const check = await sb.run(['edge', 'cert', '--dir', stack.dir, '--json'], { env: dockerEnv() });
      expect(check.json!.code).not.toBe('LOCKED');
      expect(readFileSync(lockFile(), 'utf8')).toBe(held);
      // The refused reload is in the audit log (a change that did not happen); the plain check is not.
      expect(audit().at(-1)).toMatchObject({ command: 'edge:cert', outcome: 'failed', exit_code: 1, error_code: 'LOCKED' });
    } finally {
      rmSync(lockFile(), { force: true });
    }
  });

  describe.skipIf(!sshdAvailable())('over --ssh', () => {
    let sshd: Sshd;
    beforeAll(async () => {
      sshd = await startSshd({ setEnv: { DOCKER_HOST } });
    });
    afterAll(async () => {
      await sshd?.stop();
    });

    it('the lock is taken on the remote host: a foreign one refuses the update there, lock release --force over ssh removes it', { timeout: 90_000 }, async () => {
      const target = `${sshd.user}@127.0.0.1:${sshd.port}`;
      const ssh = ['--ssh', target, '--ssh-key', sshd.clientKey, '--accept-new-host-key'];
      const env = { DOCKER_HOST: `unix://${sb.home}/not-this-one.sock` };
      writeFileSync(lockFile(), holder({ machine: 'build-host-7' }) + '\n');
      const r = await update([...ssh, '--json'], env);
      expect(r.json).toMatchObject({ status: 1, code: 'LOCKED', message: expect.stringContaining(`The stack in ${stack.dir} on ${target} is locked by ops@build-host-7`) });
      const status = await sb.run(['edge', 'lock', 'status', '--dir', stack.dir, ...ssh, '--json'], { env });
      expect(status.json).toMatchObject({ result: { host: target, locked: true, holder: { machine: 'build-host-7' } } });
      const forced = await sb.run(['edge', 'lock', 'release', '--dir', stack.dir, ...ssh, '--force', '--json'], { env });
      expect(forced.json).toMatchObject({ status: 0, result: { released: true } });
      expect(existsSync(lockFile())).toBe(false);
      const ok = await update([...ssh, '--json'], env);
      expect(ok.code, ok.stdout).toBe(0);
      expect(existsSync(lockFile())).toBe(false);
    });
  });
});

describe.skipIf(gate.skip)('edge update: Ctrl-C leaves a record', () => {
  /** Start an update to the never-healthy image and SIGINT it once helmsman runs that image (the healthy wait is in flight). */
  const interruptAfterRecreate = async (args: string[]) => {
    if ((await runningImages(stack.project)).helmsman?.image !== rel.ids.v2) {
      await retagInRegistry(`${rel.base}/helmsman`, 'v2', 'current');
      expect((await update(['--json'])).code).toBe(0);
    }
    await retagInRegistry(`${rel.base}/helmsman`, 'bad', 'current');
    const run = spawnCli(['edge', 'update', '--dir', stack.dir, '--timeout', '3m', ...args], { ...sb.baseEnv, DOCKER_HOST });
    const deadline = Date.now() + 90_000;
    while ((await runningImages(stack.project)).helmsman?.image !== rel.ids.bad) {
      if (Date.now() > deadline) throw new Error(`helmsman was not recreated; stderr: ${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    run.child.kill('SIGINT');
    return run;
  };

  it('with --rollback-on-failure: exit 130, the recorded images run again, and the audit log says "interrupted"', { timeout: 150_000 }, async () => {
    const run = await interruptAfterRecreate(['--rollback-on-failure', '--json']);
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.json).toMatchObject({ status: 130, code: 'INTERRUPTED' });
    expect(String(r.json!.message)).toMatch(/^edge update was interrupted (?:at|before) stage "healthy" .*Rolled back to the recorded images: helmsman /);
    expect(resultOf(r).rolled_back!.to.find((t) => t.service === 'helmsman')!.image_id).toBe(rel.ids.v2);
    expect(await runningImages(stack.project)).toMatchObject({ helmsman: { state: 'running', image: rel.ids.v2 } });
    expect(audit().at(-1)).toMatchObject({ command: 'edge:update', outcome: 'interrupted', exit_code: 130, error_code: 'INTERRUPTED' });
    expect(existsSync(lockFile())).toBe(false);
  });

  it('without it: exit 130, and the JSON result lists what changed and the command that restores it (which works)', { timeout: 150_000 }, async () => {
    const run = await interruptAfterRecreate(['--json']);
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.json).toMatchObject({ status: 130, code: 'INTERRUPTED' });
    const res = resultOf(r);
    expect(res.services.find((s) => s.service === 'helmsman')).toMatchObject({ changed: true, before: { image_id: rel.ids.v2 }, after: { image_id: rel.ids.bad } });
    expect(res.services.filter((s) => s.changed).map((s) => s.service)).toEqual(['helmsman']);
    expect(res.restore_command).toBe(res.rollback_commands.join(' && '));
    expect(String(r.json!.message)).toContain(`to restore the recorded images run: ${res.restore_command}`);
    expect((r.json!.suggestions as string[])[0]).toBe(`${res.restore_command}   # roll back to the recorded images`);
    expect(existsSync(lockFile())).toBe(false);
    execSync(res.restore_command!, { env: { ...process.env, DOCKER_HOST }, stdio: 'pipe', shell: '/bin/sh' });
    expect((await runningImages(stack.project)).helmsman.image).toBe(rel.ids.v2);
  });

  it('a second Ctrl-C aborts at once, with a warning; the audit line is still written', { timeout: 150_000 }, async () => {
    const run = await interruptAfterRecreate(['--rollback-on-failure']);
    await run.waitFor(/rolling back/);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('⚠ Aborted at once: the step in flight was cut off and may be half done.');
    expect(audit().at(-1)).toMatchObject({ command: 'edge:update', outcome: 'interrupted', exit_code: 130 });
    // Its lock stays behind with a dead pid: the next run on this machine takes it over.
    const status = await sb.run(['edge', 'lock', 'status', '--dir', stack.dir, '--json']);
    expect(status.json).toMatchObject({ result: { locked: true, liveness: 'dead' } });
  });
});

const netns = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

describe.skipIf(!netns)('edge tune --write: one tuning at a time per host', () => {
  it('holds /run/frameworks/edge-tune.lock (under --root here): a foreign holder refuses it, nothing is written or applied', () => {
    const ns = `fwlock-${process.pid}`;
    const root = mkdtempSync(join(tmpdir(), 'fw-tune-lock-'));
    mkdirSync(join(root, 'run', 'frameworks'), { recursive: true });
    writeFileSync(join(root, 'run', 'frameworks', 'edge-tune.lock'), holder({ machine: 'build-host-7' }) + '\n');
    execSync(`ip netns add ${ns}`);
    try {
      // In a namespace of its own: even a run that ignored the lock could change nothing but the namespace.
      const inNs = spawnSync('ip', ['netns', 'exec', ns, process.execPath, BIN, 'edge', 'tune', '--write', '--root', root, '--apply-keys', 'net.core.somaxconn', '--json'], {
        env: Object.fromEntries(Object.entries(sb.baseEnv).filter(([, v]) => v !== undefined)) as Record<string, string>,
        encoding: 'utf8',
      });
      const json = JSON.parse(inNs.stdout) as { status: number; code: string; message: string };
      expect(inNs.status).toBe(1);
      expect(json).toMatchObject({ status: 1, code: 'LOCKED', message: expect.stringMatching(/^Kernel tuning of this host is locked by ops@build-host-7 /) });
      expect(readdirSync(root)).toEqual(['run']);
    } finally {
      execSync(`ip netns del ${ns}`);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
