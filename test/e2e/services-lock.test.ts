// `frameworks services up|down` hold the plan folder's lock on the host they change, and an
// interrupted up says what it started and how to go back. Stand-in images on the private engine.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import { DOCKER_HOST, IMAGES, MISTSERVER, docker, freePort, removeComposeProject, requireDocker, uniqueName } from '../support/docker.js';
import { spawnCli } from '../support/spawn-cli.js';

const gate = await requireDocker('services lock e2e');
const sb = new CliSandbox('fw-e2e-svc-lock-');
const tmp = mkdtempSync(join(tmpdir(), 'fw-e2e-svc-lock-'));
const projects: string[] = [];
afterAll(async () => {
  for (const p of projects) await removeComposeProject(p).catch(() => undefined);
  sb.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});
const svc = (args: string[], timeoutMs = 120_000): Promise<CliResult> => sb.run(['services', ...args], { timeoutMs, env: { DOCKER_HOST } });
const states = async (project: string) => {
  const out = await docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Label "com.docker.compose.service"}} {{.State}}']);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(' ')));
};

/** A plan of two stand-in services (health on MistServer's :8080; `healthPath` that never answers → never healthy). */
async function plan(healthPath = '/health'): Promise<{ dir: string; project: string }> {
  const dir = join(tmp, uniqueName('plan'));
  const project = uniqueName('fw-svc-lock');
  projects.push(project);
  const [a, b] = [await freePort(), await freePort()];
  const cat = join(tmp, `${project}.yaml`);
  writeFileSync(
    cat,
    [
      'schema_version: 1',
      'services:',
      `  quartermaster: { title: Quartermaster, role: control, image: ${IMAGES.mistserver}, ports: ["127.0.0.1:${a}:${MISTSERVER.port}"], health: { protocol: http, path: ${healthPath}, port: ${MISTSERVER.port} } }`,
      `  decklog: { title: Decklog, role: routing, image: ${IMAGES.mistserver}, ports: ["127.0.0.1:${b}:${MISTSERVER.port}"], health: { protocol: http, path: ${healthPath}, port: ${MISTSERVER.port} } }`,
      'profiles:',
      '  central-all: [quartermaster, decklog]',
      '',
    ].join('\n'),
  );
  const r = await svc(['plan', '--catalog', cat, '--project', project, '--dir', dir]);
  expect(r.code, r.stderr).toBe(0);
  return { dir, project };
}

describe.skipIf(gate.skip)('services up/down: one change at a time per plan folder', () => {
  let p: { dir: string; project: string };
  beforeAll(async () => {
    p = await plan();
  });

  it('two ups started 50 ms apart: exactly one proceeds, the other exits 1 LOCKED naming the holder; both services run and are healthy', { timeout: 150_000 }, async () => {
    const first = svc(['up', '--dir', p.dir, '--json']);
    await new Promise((r) => setTimeout(r, 50));
    const second = svc(['up', '--dir', p.dir, '--json']);
    const runs = await Promise.all([first, second]);
    expect(runs.map((r) => r.code).sort(), runs.map((r) => r.stdout).join('\n')).toEqual([0, 1]);
    const loser = runs.find((r) => r.code === 1)!;
    expect(loser.json).toMatchObject({ code: 'LOCKED', message: expect.stringMatching(new RegExp(`^The stack in ${p.dir} is locked by \\S+@${hostname()} \\(pid \\d+, "frameworks services up", for \\d+s\\)\\. Nothing was changed\\.$`)) });
    expect((loser.json!.suggestions as string[])[0]).toBe(`frameworks services lock status --dir ${p.dir}`);
    const winner = runs.find((r) => r.code === 0)!;
    expect((winner.json!.result as { services: Array<{ service: string; state: string; health: string }> }).services.map((s) => [s.service, s.state, s.health])).toEqual([
      ['decklog', 'running', 'healthy'],
      ['quartermaster', 'running', 'healthy'],
    ]);
    expect(await states(p.project)).toEqual({ decklog: 'running', quartermaster: 'running' });
    expect(existsSync(join(p.dir, '.frameworks.lock'))).toBe(false);
  });

  it('a foreign lock stops down (nothing stopped); services lock release --force removes it; --lock-message is shown to the next run', { timeout: 90_000 }, async () => {
    const lock = join(p.dir, '.frameworks.lock');
    writeFileSync(lock, JSON.stringify({ user: 'ops', machine: 'ci-runner-3', pid: 77, command: 'frameworks services up', started_at: new Date().toISOString(), message: null }) + '\n');
    const down = await svc(['down', '--yes', '--dir', p.dir, '--json']);
    expect(down.json).toMatchObject({ status: 1, code: 'LOCKED', message: expect.stringContaining('locked by ops@ci-runner-3 (pid 77, "frameworks services up", for ') });
    expect(await states(p.project)).toEqual({ decklog: 'running', quartermaster: 'running' });
    const status = await svc(['lock', 'status', '--dir', p.dir, '--json']);
    expect(status.json).toMatchObject({ result: { locked: true, liveness: 'unknown', holder: { machine: 'ci-runner-3' } } });
    expect((await svc(['lock', 'release', '--dir', p.dir])).code).toBe(1);
    expect((await svc(['lock', 'release', '--dir', p.dir, '--force'])).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
    // A run records --lock-message in its lock; a run refused by such a lock sees why.
    const holder = spawnCli(['services', 'up', '--dir', p.dir, '--lock-message', 'rolling out 1.4'], { ...sb.baseEnv, DOCKER_HOST });
    const deadline = Date.now() + 20_000;
    let recorded: { message?: string; pid?: number } | undefined;
    while (!recorded && Date.now() < deadline) {
      try {
        recorded = JSON.parse(readFileSync(lock, 'utf8'));
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    expect((await holder.done).code).toBe(0);
    expect(recorded).toMatchObject({ message: 'rolling out 1.4', command: 'frameworks services up' });
    // The same lock, held by a live process of this machine (the test itself), so that the refusal does not race the run's end.
    writeFileSync(lock, JSON.stringify({ ...recorded, pid: process.pid }) + '\n');
    const refused = await svc(['down', '--yes', '--dir', p.dir, '--json']);
    expect(refused.json).toMatchObject({ code: 'LOCKED', message: expect.stringContaining(': rolling out 1.4)') });
    rmSync(lock);
  });
});

describe.skipIf(gate.skip)('services up: Ctrl-C leaves a record', () => {
  it('exit 130 INTERRUPTED; the JSON result lists what up started and the command that stops just that (which works); audit "interrupted"', { timeout: 120_000 }, async () => {
    const p = await plan('/never-there');
    const run = spawnCli(['services', 'up', '--dir', p.dir, '--json'], { ...sb.baseEnv, DOCKER_HOST });
    const deadline = Date.now() + 60_000;
    while (Object.values(await states(p.project)).filter((s) => s === 'running').length < 2) {
      if (Date.now() > deadline) throw new Error(`services did not start; stderr: ${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.json).toMatchObject({ status: 130, code: 'INTERRUPTED' });
    const res = r.json!.result as { started: string[]; restore_command: string; services: Array<{ service: string; state: string }> };
    expect([...res.started].sort()).toEqual(['decklog', 'quartermaster']);
    expect(res.restore_command).toBe(`frameworks services down --only ${res.started.join(',')} --yes --dir ${p.dir}`);
    expect(String(r.json!.message)).toBe(`Interrupted. services up had run docker compose up -d: started ${res.started.join(', ')}; not healthy yet: decklog, quartermaster. To go back: ${res.restore_command}`);
    const audit = readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { command: string; outcome: string; exit_code: number });
    expect(audit.at(-1)).toMatchObject({ command: 'services:up', outcome: 'interrupted', exit_code: 130 });
    expect(existsSync(join(p.dir, '.frameworks.lock'))).toBe(false);
    const restore = await svc(res.restore_command.replace(/^frameworks services /, '').split(' '));
    expect(restore.code, restore.stderr).toBe(0);
    expect(await states(p.project)).toEqual({});
  });

  it('services down interrupted (SIGINT) while it holds the lock: exit 130 INTERRUPTED, audit "interrupted", the lock released', { timeout: 120_000 }, async () => {
    const p = await plan();
    expect((await svc(['up', '--dir', p.dir])).code).toBe(0);
    const lock = join(p.dir, '.frameworks.lock');
    const run = spawnCli(['services', 'down', '--yes', '--dir', p.dir, '--json'], { ...sb.baseEnv, DOCKER_HOST });
    const deadline = Date.now() + 60_000;
    // The lock is held from the start of the change to its end (compose down stops the containers in between).
    while (!existsSync(lock)) {
      if (Date.now() > deadline) throw new Error(`down did not take the lock; stderr: ${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.json).toMatchObject({ status: 130, code: 'INTERRUPTED' });
    const audit = readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { command: string; outcome: string; exit_code: number });
    expect(audit.at(-1)).toMatchObject({ command: 'services:down', outcome: 'interrupted', exit_code: 130 });
    expect(existsSync(lock)).toBe(false);
  });

  it('SIGTERM (a service manager stopping it) is handled like Ctrl-C: exit 130 INTERRUPTED with the record', { timeout: 120_000 }, async () => {
    const p = await plan('/never-there');
    const run = spawnCli(['services', 'up', '--dir', p.dir], { ...sb.baseEnv, DOCKER_HOST });
    const deadline = Date.now() + 60_000;
    while (Object.values(await states(p.project)).filter((s) => s === 'running').length < 2) {
      if (Date.now() > deadline) throw new Error(`services did not start; stderr: ${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('⚠ Terminated: no new step starts');
    expect(r.stderr).toMatch(/✗ Interrupted\. services up had run docker compose up -d: started \S+, \S+; not healthy yet: decklog, quartermaster\. To go back: frameworks services down --only /);
    expect(existsSync(join(p.dir, '.frameworks.lock'))).toBe(false);
  });
});
