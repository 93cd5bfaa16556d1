// `frameworks services plan|up|status|logs|down` run as a user would (the built bin/run.js): the
// planner on its own (profiles, include/exclude, unknown names, dry run, all-or-nothing with hand
// edits, --force), then a plan of stand-in images on the private engine: up → status → logs →
// down, an interrupted up (exit 130, no file touched) and status over --ssh.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, ROOT, type CliResult } from '../support/cli.js';
import { DOCKER_HOST, IMAGES, MISTSERVER, freePort, removeComposeProject, requireDocker, uniqueName } from '../support/docker.js';
import { sshdIn, writeSshConfig, type SshSide } from '../support/edge-stack.js';
import { sshdAvailable } from '../support/sshd.js';

const sb = new CliSandbox('fw-e2e-services-');
const tmp = mkdtempSync(join(tmpdir(), 'fw-e2e-svc-'));
afterAll(() => {
  sb.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});
let n = 0;
const freshDir = () => join(tmp, `plan-${++n}`);
const svc = (args: string[], timeoutMs = 30_000): Promise<CliResult> => sb.run(['services', ...args], { timeoutMs, env: { DOCKER_HOST } });
const readPlan = (dir: string) => readFileSync(join(dir, 'plan.yaml'), 'utf8');
const fragments = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('svc-')).sort();
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

const PROFILES: Record<string, string[]> = {
  'central-all': ['commodore', 'decklog', 'foghorn', 'gateway', 'periscope_ingest', 'periscope_query', 'purser', 'quartermaster', 'signalman'],
  'control-core': ['commodore', 'gateway', 'quartermaster'],
  'routing-only': ['decklog', 'foghorn', 'signalman'],
  'analytics-suite': ['periscope_ingest', 'periscope_query'],
  'billing-only': ['purser'],
  // The interfaces group is only in these two, never in the default (central-all).
  interfaces: ['marketing', 'webapp'],
  'central-with-interfaces': ['commodore', 'decklog', 'foghorn', 'gateway', 'marketing', 'periscope_ingest', 'periscope_query', 'purser', 'quartermaster', 'signalman', 'webapp'],
};

describe('services plan', () => {
  it.each(Object.entries(PROFILES))('--profile %s writes one fragment per service, plan.yaml and .central.env', async (profile, services) => {
    const dir = freshDir();
    const r = await svc(['plan', '--profile', profile, '--dir', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json!.result as { profile: string; services: string[]; project: string; files: Array<{ name: string; action: string; mode: string }> };
    expect(result).toMatchObject({ profile, services, project: 'frameworks-central' });
    expect(fragments(dir)).toEqual(services.map((s) => `svc-${s}.yml`).sort());
    expect(result.files.map((f) => f.action)).toEqual([...services.map(() => 'created'), 'created', 'created']);
    expect(statSync(join(dir, '.central.env')).mode & 0o777).toBe(0o600);
    const plan = readPlan(dir);
    expect(plan).toContain(`profile: ${profile}`);
    for (const s of services) expect(plan).toMatch(new RegExp(`svc-${s}\\.yml: sha256:[0-9a-f]{64}`));
    for (const f of fragments(dir)) expect(readFileSync(join(dir, f), 'utf8')).not.toContain('container_name');
    expect((r.json!.warnings as Array<{ code: string }>).map((w) => w.code)).toContain('IMAGES_NOT_PINNED');
  });

  it('--include/--exclude (comma-separated, repeated) → a custom selection; the release manifest pins digests', async () => {
    const dir = freshDir();
    const manifest = join(ROOT, 'test/fixtures/services/release-manifest.yaml');
    const r = await svc(['plan', '--profile', 'control-core', '--include', 'purser, decklog', '--exclude', 'gateway', '--exclude', 'decklog', '--release-manifest', manifest, '--dir', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({ profile: 'custom', services: ['commodore', 'purser', 'quartermaster'] });
    expect(readFileSync(join(dir, 'svc-purser.yml'), 'utf8')).toContain(`image: "ghcr.io/livepeer-frameworks/frameworks-purser@sha256:${'1'.repeat(64)}"`);
    expect(readFileSync(join(dir, 'svc-commodore.yml'), 'utf8')).toContain('image: "frameworks/commodore:latest"');
    expect(r.json!.warnings).toEqual([expect.objectContaining({ code: 'IMAGES_NOT_PINNED', message: expect.stringMatching(/^Not pinned to a digest: commodore \(/) })]);
  });

  it('unknown profile or service → exit 2 with the list, nothing written', async () => {
    const dir = freshDir();
    const p = await svc(['plan', '--profile', 'everything', '--dir', dir]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('Unknown profile "everything". Profiles: central-all, control-core, routing-only, analytics-suite, billing-only, interfaces, central-with-interfaces.');
    const s = await svc(['plan', '--include', 'quartermaster,navigator', '--dir', dir, '--json']);
    expect(s.code).toBe(2);
    expect(s.json).toMatchObject({ code: 'UNKNOWN_SERVICE', message: expect.stringContaining('"navigator" in --include. Known services: commodore, decklog, foghorn, gateway, marketing, periscope_ingest') });
    const i = await svc(['plan', '--image', 'nope=local/busybox:1', '--dir', dir]);
    expect(i.code).toBe(2);
    const it2 = await svc(['plan', '--interactive', '--dir', dir]);
    expect(it2.code).toBe(2);
    expect(it2.stderr).toMatch(/prompting is off/);
    expect(existsSync(dir)).toBe(false);
  });

  it('--dry-run prints the files and writes nothing', async () => {
    const dir = freshDir();
    const r = await svc(['plan', '--profile', 'billing-only', '--dir', dir, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`# ---- ${join(dir, 'svc-purser.yml')}  (0644`);
    expect(r.stdout).toContain('restart: unless-stopped');
    expect(r.stderr).toContain('Dry run: nothing was written.');
    expect(existsSync(dir)).toBe(false);
  });

  it('a hand-edited fragment stops a re-plan (exit 1, named, nothing written) until --force; .central.env is kept', async () => {
    const dir = freshDir();
    expect((await svc(['plan', '--profile', 'control-core', '--dir', dir])).code).toBe(0);
    writeFileSync(join(dir, '.central.env'), 'JWT_SECRET=operator-value\n', { mode: 0o600 });
    // Re-planning with other inputs regenerates the planner's own files.
    const again = await svc(['plan', '--profile', 'control-core', '--project', 'central-b', '--dir', dir, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect((again.json!.result as { files: Array<{ action: string }> }).files.map((f) => f.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'kept', 'replaced']);

    writeFileSync(join(dir, 'svc-gateway.yml'), readFileSync(join(dir, 'svc-gateway.yml'), 'utf8').replace('restart: unless-stopped', 'restart: always'));
    const before = snapshot(dir);
    const refused = await svc(['plan', '--profile', 'central-all', '--dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('svc-gateway.yml (edited by hand since the last plan)');
    expect(refused.stderr).toContain('Nothing was written.');
    expect(refused.stdout).toMatch(/✗ svc-gateway\.yml\s+0644\s+conflict {2}\(edited by hand since the last plan\)/);
    expect(snapshot(dir)).toEqual(before);

    const forced = await svc(['plan', '--profile', 'central-all', '--dir', dir, '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(fragments(dir)).toHaveLength(9);
    expect(readFileSync(join(dir, 'svc-gateway.yml'), 'utf8')).toContain('restart: unless-stopped');
    expect(readFileSync(join(dir, '.central.env'), 'utf8')).toBe('JWT_SECRET=operator-value\n');
  });

  it('up/status/down without a plan → exit 1 with the plan command; unknown --only → exit 2 with the planned list', async () => {
    const empty = freshDir();
    mkdirSync(empty);
    const r = await svc(['status', '--dir', empty, '--json']);
    expect(r.json).toMatchObject({ status: 1, code: 'SERVICES_NO_PLAN', suggestions: [`frameworks services plan --dir ${empty}`, expect.any(String)] });
    const dir = freshDir();
    await svc(['plan', '--profile', 'billing-only', '--dir', dir]);
    const o = await svc(['up', '--only', 'gateway', '--dir', dir, '--json']);
    expect(o.json).toMatchObject({ status: 2, code: 'UNKNOWN_SERVICE', message: expect.stringContaining('Planned services: purser.') });
    const d = await svc(['down', '--dir', dir, '--json']);
    expect(d.json).toMatchObject({ status: 2, code: 'INPUT_REQUIRED', suggestions: [`frameworks services down --dir ${dir} --json --yes`] });
  });
});

// ------------------------------------------------------------------ on the private engine

const gate = await requireDocker('services e2e');

describe.skipIf(gate.skip)('services up → status → logs → down (stand-in images)', () => {
  let dir: string;
  let project: string;
  let ports: number[];

  /** A catalog of two services answering health on the stand-in MistServer's :8080 (http /health, and a TCP check for the grpc one). */
  const writeCatalog = (file: string, p: number[], healthPath = '/health') =>
    writeFileSync(
      file,
      [
        'schema_version: 1',
        'services:',
        `  quartermaster: { title: Quartermaster, role: control, image: ${IMAGES.busybox}, ports: ["127.0.0.1:${p[0]}:${MISTSERVER.port}"], health: { protocol: http, path: ${healthPath}, port: ${MISTSERVER.port} } }`,
        `  decklog: { title: Decklog, role: routing, image: ${IMAGES.mistserver}, ports: ["127.0.0.1:${p[1]}:${MISTSERVER.port}"], health: { protocol: grpc, port: ${MISTSERVER.port} } }`,
        'profiles:',
        '  central-all: [quartermaster, decklog]',
        '  routing-only: [decklog]',
        '',
      ].join('\n'),
    );

  beforeAll(async () => {
    dir = freshDir();
    project = uniqueName('fw-svc');
    ports = [await freePort(), await freePort()];
    writeCatalog(join(tmp, 'catalog.yaml'), ports);
    // The catalog's quartermaster image is busybox (no server): --image swaps in the stand-in.
    const r = await svc(['plan', '--catalog', join(tmp, 'catalog.yaml'), '--image', `quartermaster=${IMAGES.mistserver}`, '--project', project, '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    if (project) await removeComposeProject(project);
  });

  it('up starts every planned service and waits until healthy', async () => {
    const r = await svc(['up', '--dir', dir, '--json'], 120_000);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const result = r.json!.result as { project: string; source: string; services: Array<{ service: string; state: string; health: string; container: string }> };
    expect(result).toMatchObject({ project, source: 'plan' });
    expect(result.services.map((s) => [s.service, s.state, s.health])).toEqual([
      ['decklog', 'running', 'healthy'],
      ['quartermaster', 'running', 'healthy'],
    ]);
    expect(result.services[1].container).toBe(`${project}-quartermaster-1`);
    const res = await fetch(`http://127.0.0.1:${ports[0]}/health`);
    expect(await res.text()).toBe(MISTSERVER.healthBody);
  });

  it('status: a table, and --json with state and health per service', async () => {
    const t = await svc(['status', '--dir', dir]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout.split('\n')[0]).toMatch(/^SERVICE\s+STATE\s+HEALTH\s+CONTAINER\s+IMAGE\s+PORTS$/);
    expect(t.stdout).toMatch(new RegExp(`quartermaster\\s+✓ running\\s+healthy\\s+${project}-quartermaster-1\\s+local/mistserver:1\\s+${ports[0]}->8080/tcp`));
    const j = await svc(['status', '--dir', dir, '--json']);
    expect(j.json).toMatchObject({ status: 0, result: { project, services: [{ service: 'decklog', state: 'running', health: 'healthy', ok: true }, { service: 'quartermaster', state: 'running', health: 'healthy', ok: true }] } });
  });

  it('logs: lines of the selected services', async () => {
    const r = await svc(['logs', '--dir', dir, '--only', 'decklog']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`decklog | ${MISTSERVER.logs.listening}`);
    expect(r.stdout).not.toContain('quartermaster |');
    const j = await svc(['logs', '--dir', dir, '--json']);
    expect((j.json!.result as { lines: Array<{ service: string }> }).lines.map((l) => l.service).sort()).toEqual(['decklog', 'quartermaster']);
  });

  it('a hand-edited fragment: up warns (FRAGMENT_EDITED) and runs it as it is', async () => {
    const file = join(dir, 'svc-decklog.yml');
    writeFileSync(file, readFileSync(file, 'utf8') + '# tuned by hand\n');
    const r = await svc(['up', '--dir', dir, '--json'], 120_000);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json!.warnings).toEqual([expect.objectContaining({ code: 'FRAGMENT_EDITED', message: expect.stringContaining('svc-decklog.yml') })]);
  });

  it('down --only stops just those services; down needs --yes without a terminal; down --yes stops the rest', async () => {
    const only = await svc(['down', '--only', 'decklog', '--yes', '--dir', dir, '--json'], 60_000);
    expect(only.json).toMatchObject({ status: 0, result: { stopped: true, services: ['decklog'], scope: 'only' } });
    const s = await svc(['status', '--dir', dir, '--json']);
    expect(s.json).toMatchObject({ status: 1, code: 'SERVICES_DEGRADED', result: { services: [{ service: 'decklog', state: 'missing', ok: false }, { service: 'quartermaster', state: 'running', ok: true }] } });
    expect((await svc(['down', '--dir', dir])).code).toBe(2);
    const all = await svc(['down', '--yes', '--dir', dir], 60_000);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain(`✓ Stopped decklog, quartermaster (project ${project}).`);
    const after = await svc(['status', '--dir', dir, '--json']);
    expect((after.json!.result as { services: Array<{ state: string }> }).services.map((x) => x.state)).toEqual(['missing', 'missing']);
  });

  it('Ctrl-C during up → exit 130, and no file of the plan is touched', async () => {
    const d2 = freshDir();
    const p2 = uniqueName('fw-svc-int');
    const cat = join(tmp, 'catalog-never-healthy.yaml');
    writeCatalog(cat, [await freePort(), await freePort()], '/never-there');
    try {
      expect((await svc(['plan', '--catalog', cat, '--image', `quartermaster=${IMAGES.mistserver}`, '--project', p2, '--dir', d2])).code).toBe(0);
      const before = snapshot(d2);
      const child = spawn(process.execPath, [BIN, 'services', 'up', '--dir', d2], { env: { ...sb.baseEnv, DOCKER_HOST } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      const code = await new Promise<number | null>((resolve) => {
        child.stderr.setEncoding('utf8').on('data', (c: string) => {
          stderr += c;
          // "Starting …" is printed before compose runs; give it a moment to be inside up/wait.
          if (stderr.includes('Starting ')) setTimeout(() => child.kill('SIGINT'), 3_000);
        });
        child.on('close', (c) => resolve(c));
      });
      expect(code, stderr).toBe(130);
      expect(stderr).toContain('Interrupted.');
      expect(snapshot(d2)).toEqual(before);
      expect(readdirSync(d2).filter((f) => f.includes('.tmp'))).toEqual([]);
    } finally {
      await removeComposeProject(p2);
    }
  });
});

if (!gate.skip && !sshdAvailable() && process.env.CI) throw new Error('services e2e: /usr/sbin/sshd is missing (bash scripts/infra.sh up installs openssh-server).');

describe.skipIf(gate.skip || !sshdAvailable())('services over --ssh', () => {
  let side: SshSide;
  let dir: string;
  let project: string;
  beforeAll(async () => {
    dir = freshDir();
    project = uniqueName('fw-svc-ssh');
    const port = await freePort();
    const cat = join(tmp, 'catalog-ssh.yaml');
    writeFileSync(cat, `schema_version: 1\nservices:\n  purser: { title: Purser, role: billing, image: ${IMAGES.mistserver}, ports: ["127.0.0.1:${port}:8080"], health: { protocol: http, path: /health, port: 8080 } }\nprofiles:\n  billing-only: [purser]\n`);
    side = await sshdIn(dirname(dir));
    writeSshConfig(sb, { 'central-a': side.sshd });
    // Planned on the remote host (a relative --dir resolves in the session's folder).
    const r = await svc(['plan', '--catalog', cat, '--profile', 'billing-only', '--project', project, '--ssh', 'central-a', '--dir', basename(dir)]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await side?.stop();
    if (project) await removeComposeProject(project);
  });

  it('plan, up, status and down --yes run on the remote host', async () => {
    expect(fragments(dir)).toEqual(['svc-purser.yml']);
    // No local engine: every docker call must happen on the remote side.
    const remote = (args: string[], timeoutMs = 60_000) => sb.run(['services', ...args, '--ssh', 'central-a', '--dir', basename(dir)], { timeoutMs, env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
    const up = await remote(['up', '--json'], 120_000);
    expect(up.json, up.stderr).toMatchObject({ status: 0, result: { host: 'central-a', services: [{ service: 'purser', state: 'running', health: 'healthy' }] } });
    const st = await remote(['status']);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toMatch(/\[central-a\] purser\s+✓ running\s+healthy/);
    const down = await remote(['down', '--yes', '--json']);
    expect(down.json).toMatchObject({ status: 0, result: { stopped: true, host: 'central-a', services: ['purser'] } });
  });
});
