import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { IMAGES, docker, dockerEnv } from '../support/docker.js';
import { bareRepo, monorepoFiles, tempRoot } from '../support/workspace-fixtures.js';

/** The monorepo's dev compose on the test engine, with the generated override pointing at local tags. */
describe('workspace dev', () => {
  let sb: CliSandbox;
  let dir: string;
  const tag = `devtest-${process.pid}`;
  const project = `fwdev-${process.pid}`;
  const dev = (verb: string, ...args: string[]) => sb.run(['workspace', 'dev', verb, '--dir', dir, '--project', project, ...args], { env: dockerEnv(), timeoutMs: 120_000 });

  beforeAll(async () => {
    sb = new CliSandbox('fw-wsdev-');
    const repos = tempRoot();
    await bareRepo(repos, 'monorepo', monorepoFiles());
    dir = join(sb.home, 'ws');
    const r = await sb.run(['workspace', 'init', '--dir', dir, '--repo', `file://${repos}/monorepo.git`]);
    expect(r.code, r.stderr).toBe(0);
    // What `build … --image` leaves in the engine: local tags of runnable stand-ins.
    await docker(['tag', IMAGES.helmsman, `frameworks-helmsman:${tag}`]);
    await docker(['tag', IMAGES.mistserver, `frameworks-mistserver:${tag}`]);
  }, 60_000);
  afterAll(async () => {
    await docker(['compose', '-p', project, 'down', '-v', '-t', '1']).catch(() => undefined);
    await docker(['volume', 'rm', '-f', `${project}_mistdata`]).catch(() => undefined);
    await docker(['rmi', `frameworks-helmsman:${tag}`, `frameworks-mistserver:${tag}`]).catch(() => undefined);
    sb?.cleanup();
  });

  it('down when nothing runs: exit 0, and it says so', async () => {
    const r = await dev('down');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Nothing runs in fwdev-\d+: nothing to stop/);
    const json = await dev('down', '--json');
    expect(json.json).toMatchObject({ status: 0, result: { was_running: false, stopped: [] } });
  });

  it('up: the override points the built services at local tags, the secrets example is copied, the stack runs them', async () => {
    const r = await dev('up', '--helmsman-tag', tag, '--mist-tag', tag, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({
      local_images: { helmsman: `frameworks-helmsman:${tag}`, mistserver: `frameworks-mistserver:${tag}` },
      secrets_env: 'copied',
      make_env: 'ran',
      services: ['helmsman', 'mistserver'],
    });
    const override = readFileSync(join(dir, 'monorepo', 'docker-compose.override.frameworks.yml'), 'utf8');
    expect(override).toContain(`  helmsman:\n    image: frameworks-helmsman:${tag}\n`);
    expect(readFileSync(join(dir, 'monorepo', 'config/env/secrets.env'), 'utf8')).toBe('FW_TEST_SECRET=change-me\n');
    // make env ran after the copy: .env is generated from the secrets.
    expect(readFileSync(join(dir, 'monorepo', '.env'), 'utf8')).toBe('FW_TEST_SECRET=change-me\n');
    const images = await docker(['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Image}}']);
    expect(images.split('\n').filter(Boolean).sort()).toEqual([`frameworks-helmsman:${tag}`, `frameworks-mistserver:${tag}`]);
    const status = await dev('status', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect((status.json!.result as { services: Array<{ service: string; state: string }> }).services.map((s) => [s.service, s.state])).toEqual([
      ['helmsman', 'running'],
      ['mistserver', 'running'],
    ]);
    // workspace status names the stack file that uses each local image: the generated override.
    const ws = await sb.run(['workspace', 'status', '--dir', dir, '--json'], { env: dockerEnv() });
    const local = (ws.json!.result as { images: Array<{ ref: string; used_by: string[] }> }).images;
    // The generated override is excluded from git: the clone does not look edited.
    const mono = (ws.json!.result as { repositories: Array<{ name: string; dirty_files: string[] }> }).repositories[0];
    expect(mono.dirty_files).not.toContain('docker-compose.override.frameworks.yml');
    expect(local.find((i) => i.ref === `frameworks-helmsman:${tag}`)?.used_by).toEqual([join(dir, 'monorepo', 'docker-compose.override.frameworks.yml')]);
    const logs = await dev('logs', '--only', 'helmsman', '--tail', '20', '--json');
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.json!.result).toMatchObject({ project });
    for (const l of (logs.json!.result as { lines: Array<{ service: string }> }).lines) expect(l.service).toBe('helmsman');
  });

  it('a filled secrets.env is never overwritten; down keeps volumes, down --volumes removes them', async () => {
    const secrets = join(dir, 'monorepo', 'config/env/secrets.env');
    writeFileSync(secrets, 'FW_TEST_SECRET=filled-by-me\n');
    const up = await dev('up', '--helmsman-tag', tag, '--mist-tag', tag);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('config/env/secrets.env is there: kept as it is');
    expect(readFileSync(secrets, 'utf8')).toBe('FW_TEST_SECRET=filled-by-me\n');
    const down = await dev('down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/Stopped helmsman, mistserver .*volumes kept/);
    expect(await docker(['volume', 'ls', '-q', '--filter', `name=${project}_mistdata`])).toContain(`${project}_mistdata`);
    expect((await dev('up', '--helmsman-tag', tag, '--mist-tag', tag)).code).toBe(0);
    const gone = await dev('down', '--volumes');
    expect(gone.code, gone.stderr).toBe(0);
    expect((await docker(['volume', 'ls', '-q', '--filter', `name=${project}_mistdata`])).trim()).toBe('');
  }, 120_000);
});
