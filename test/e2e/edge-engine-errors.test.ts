// Errors keep the engine's reason, and one cause is one failure (issue 7 §4, §6): against the real engine
// and registry of scripts/infra.sh — a pull of a tag the registry does not have, an engine nobody listens
// on, and a compose file that pins another image than the container runs.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import { REGISTRY_IMAGES, docker, freePort, requireDocker, uniqueName } from '../support/docker.js';
import { NOFILE, TOKEN, edgeCliEnv, sshdIn, startEdgeStack, writeSshConfig, type EdgeStackFixture, type SshSide } from '../support/edge-stack.js';
import { sshdAvailable } from '../support/sshd.js';
import { edgeEntries, writeManifest } from '../support/release-files.js';

const gate = await requireDocker('edge engine errors e2e');
const sb = new CliSandbox('fw-e2e-edge-engine-');
let env: Record<string, string>;
let stack: EdgeStackFixture;
/** An edge folder whose helmsman pin names a tag the registry has never had. */
let missingDir: string;
let missingRef: string;

const run = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => sb.run(args, { env: { ...env, ...extra }, timeoutMs: 90_000 });
/** A socket path nobody listens on: the engine is "down". */
const deadEngine = () => ({ DOCKER_HOST: `unix://${join(sb.home, 'no-engine.sock')}` });

beforeAll(async () => {
  if (gate.skip) return;
  env = await edgeCliEnv();
  stack = await startEdgeStack(sb, { prefix: 'fw-eng' });
  missingDir = join(sb.home, uniqueName('edge-missing'));
  missingRef = `${REGISTRY_IMAGES.helmsman.replace(/:[^:/]+$/, '')}:${uniqueName('no-such-tag')}`;
  const manifest = join(sb.home, 'release-missing.yaml');
  writeManifest(manifest, 'missing-1', edgeEntries({ caddy: REGISTRY_IMAGES.caddy, mistserver: REGISTRY_IMAGES.mistserver, helmsman: missingRef }));
  const [http, https] = [await freePort(), await freePort()];
  const init = await run(['edge', 'init', '--dir', missingDir, '--release-manifest', manifest, '--allow-unpinned', '--nofile', NOFILE, '--domain', 'edge.test', '--tls', 'internal', '--bind', '127.0.0.1',
    '--http-port', String(http), '--https-port', String(https), '--project', uniqueName('fw-miss'), '--token', TOKEN]);
  expect(init.code, init.stderr).toBe(0);
});
afterAll(async () => {
  await stack?.remove();
  sb.cleanup();
});

describe.skipIf(gate.skip)('errors keep the engine reason', () => {
  it('a pull of a missing tag says "manifest unknown" in the message and the --json detail, without --verbose', async () => {
    const r = await run(['edge', 'update', '--dir', missingDir, '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ code: 'COMPOSE_PULL_FAILED' });
    const message = String(r.json!.message);
    expect(message.split('\n')[0]).toMatch(/could not pull an image .*: .*(manifest unknown|not found)/);
    expect(message).not.toMatch(/:\.$/m);
    expect(String(r.json!.detail)).toMatch(/manifest unknown|not found/);
    expect(String(r.json!.detail)).toContain(missingRef);

    const human = await run(['edge', 'update', '--dir', missingDir]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/could not pull an image .*(manifest unknown|not found)/);
    expect(human.stderr).not.toMatch(/caused by/);
  });

  it('update --dry-run: the registry has no such tag → says so, exit 1, nothing pulled', async () => {
    const r = await run(['edge', 'update', '--dir', missingDir, '--dry-run', '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'UPDATE_IMAGE_NOT_FOUND' });
    expect(String(r.json!.message)).toMatch(/registry has no such tag: .*helmsman/i);
    const rows = (r.json!.result as { services: Array<{ service: string; verdict: string }> }).services;
    expect(rows.find((s) => s.service === 'helmsman')!.verdict).toBe('missing');
    expect(rows.filter((s) => s.service !== 'helmsman').every((s) => s.verdict !== 'missing')).toBe(true);
    const human = await run(['edge', 'update', '--dir', missingDir, '--dry-run']);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/the registry has no such tag/i);
  });
});

describe.skipIf(gate.skip)('a Docker engine nobody listens on: one cause, one failure', () => {
  it('status says "Docker engine unreachable" once; the services are skipped, not failed', async () => {
    const r = await run(['edge', 'status', '--dir', stack.dir], deadEngine());
    expect(r.code, r.stderr).toBe(1);
    const all = r.stdout + r.stderr;
    expect(all.match(/Docker engine unreachable at unix:\/\/\S*no-engine\.sock/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
    expect(r.stdout.match(/Docker engine unreachable/g)).toHaveLength(1);
    expect(all).not.toMatch(/cannot list containers/);

    const j = await run(['edge', 'status', '--dir', stack.dir, '--json'], deadEngine());
    expect(j.code).toBe(1);
    const rep = j.json!.result as { engine: { message: string }; services: Array<{ status: string }>; problems: string[] };
    expect(rep.engine.message).toMatch(/^Docker engine unreachable at /);
    expect(rep.services.map((s) => s.status)).toEqual(['skip', 'skip', 'skip']);
    expect(rep.problems).toEqual([rep.engine.message]);
  });

  it('doctor: one failed check (docker), the checks that need the engine skipped, no hint to stop docker-proxy', async () => {
    const r = await run(['edge', 'doctor', '--dir', stack.dir, '--json'], deadEngine());
    expect(r.code, r.stdout).toBe(1);
    const rep = r.json!.result as { sections: Record<string, { items: Array<{ id: string; status: string; value: string; fix?: string }> }>; next_steps: string[] };
    const items = Object.values(rep.sections).flatMap((s) => s.items);
    const docker = items.find((i) => i.id === 'docker')!;
    expect(docker).toMatchObject({ status: 'fail' });
    expect(docker.value).toMatch(/^Docker engine unreachable at unix:\/\/\S*no-engine\.sock/);
    const byId = (id: string) => items.find((i) => i.id === id)!;
    for (const id of ['service:caddy', 'service:mistserver', 'service:helmsman', 'node', 'nofile', `port-${stack.httpPort}`, `port-${stack.httpsPort}`]) {
      expect(byId(id).status, id).toBe('skip');
    }
    // The engine-dependent failures are gone: nothing else mentions the engine as a failure.
    const failed = items.filter((i) => i.status === 'fail');
    expect(failed.filter((i) => /docker|engine|daemon/i.test(i.value)).map((i) => i.id)).toEqual(['docker']);
    expect(JSON.stringify(rep)).not.toMatch(/stop it so Caddy can bind|docker-proxy.*not managed/);
    expect(rep.next_steps.join('\n')).not.toMatch(/ss -Htlnp/);

    const human = await run(['edge', 'doctor', '--dir', stack.dir, '--verbose'], deadEngine());
    expect(human.stdout.match(/Docker engine unreachable/g)).toHaveLength(1);
    expect(human.stdout + human.stderr).not.toContain('[object Object]');
  });
});

describe.skipIf(gate.skip)('edge status: drift', () => {
  it('the compose file pins one image, the container runs another → a warning row (exit 0) and the update hint', async () => {
    const file = join(stack.dir, 'docker-compose.edge.yml');
    const original = readFileSync(file, 'utf8');
    const m = /^ {2}mistserver:\n(?: {4}.*\n)*? {4}image: "?([^"\n]+)"?$/m.exec(original)!;
    const running = m[1];
    const pinned = `${running.replace(/:[^:/]+$/, '')}:drifted`;
    writeFileSync(file, original.replace(`image: "${running}"`, `image: "${pinned}"`));
    try {
      const r = await run(['edge', 'status', '--dir', stack.dir, '--json']);
      expect(r.code, r.stdout).toBe(0);
      const rep = r.json!.result as { verdict: string; warnings: string[]; services: Array<{ service: string; status: string; image: string; pinned_image?: string; problem?: string; fix?: string }> };
      const svc = rep.services.find((s) => s.service === 'mistserver')!;
      expect(svc).toMatchObject({ status: 'warn', image: running, pinned_image: pinned });
      expect(svc.problem).toMatch(/drift/);
      expect(svc.fix).toMatch(/frameworks edge update/);
      expect(rep.verdict).toBe('healthy');
      expect(rep.services.filter((s) => s.service !== 'mistserver').every((s) => s.pinned_image === undefined)).toBe(true);
      const human = await run(['edge', 'status', '--dir', stack.dir]);
      expect(human.stdout).toMatch(/^mistserver\s+⚠ degraded\s.*drift: the compose file pins .*:drifted, the container runs /m);
    } finally {
      writeFileSync(file, original);
    }
  });
});

/** Commands the CLI ran on remote hosts: the `$ ssh host: …` lines of its --verbose trace. */
const remoteCommands = (r: CliResult) => r.stderr.split('\n').filter((l) => /^\s*\$ ssh \S+: /.test(l)).length;

describe.skipIf(gate.skip || !sshdAvailable())('one round trip per round: remote commands per verb over --ssh', () => {
  let side: SshSide;
  beforeAll(async () => {
    side = await sshdIn(dirname(stack.dir));
    writeSshConfig(sb, { 'edge-rt': side.sshd });
  });
  afterAll(async () => {
    await side?.stop();
  });
  // The CLI's own engine leads nowhere: every answer comes from the remote host.
  const remote = (verb: string, ...args: string[]) =>
    run(['edge', verb, '--ssh', 'edge-rt', '--dir', stack.dir, '--verbose', ...args], { DOCKER_HOST: 'unix:///nonexistent.sock' });

  it('status: at most 3 remote commands (was 11), the same report as locally', async () => {
    const since = new Date().toISOString();
    const r = await remote('status', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(remoteCommands(r)).toBeLessThanOrEqual(3);
    // As root on the host, Helmsman's node id and Caddy's root are read without a docker exec (each costs the engine a process).
    if (process.getuid?.() === 0) {
      const events = await docker(['events', '--since', since, '--until', new Date().toISOString(), '--filter', `label=com.docker.compose.project=${stack.project}`,
        '--filter', 'event=exec_create', '--format', '{{.Action}}']);
      expect(events.split('\n').filter((l) => /node\/mode|root\.crt/.test(l))).toEqual([]);
    }
    const local = await run(['edge', 'status', '--dir', stack.dir, '--json']);
    const strip = (x: CliResult) => {
      const rep = x.json!.result as Record<string, unknown> & { services: Array<Record<string, unknown>> };
      return { verdict: rep.verdict, problems: rep.problems, services: rep.services.map(({ uptime_s: _u, ...rest }) => rest), dns: rep.dns, node: rep.node };
    };
    expect(strip(r)).toEqual(strip(local));
    // A relative --dir (the session's folder) gathers the same way.
    const rel = await run(['edge', 'status', '--ssh', 'edge-rt', '--dir', basename(stack.dir), '--verbose', '--json'], { DOCKER_HOST: 'unix:///nonexistent.sock' });
    expect(rel.code, rel.stderr).toBe(0);
    expect(remoteCommands(rel)).toBeLessThanOrEqual(3);
  });

  it('preflight: at most 6 remote commands (was ~40), the same checks as locally (the clock aside)', async () => {
    const r = await remote('preflight', '--json');
    expect([0, 1]).toContain(r.code);
    expect(remoteCommands(r)).toBeLessThanOrEqual(6);
    const local = await run(['edge', 'preflight', '--dir', stack.dir, '--json']);
    const checks = (x: CliResult) =>
      ((x.json!.result ?? (x.json as { result?: unknown }).result) as { checks: Array<{ id: string; status: string }> }).checks.filter((c) => c.id !== 'clock').map((c) => [c.id, c.status]);
    expect(checks(r)).toEqual(checks(local));
  });

  it('doctor ≤ 11 and logs ≤ 4 remote commands (were 53 and 11)', async () => {
    const d = await remote('doctor', '--json');
    expect([0, 1]).toContain(d.code);
    expect(remoteCommands(d)).toBeLessThanOrEqual(11);
    const l = await remote('logs', '--tail', '3');
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toMatch(/^helmsman +\| /m);
    expect(remoteCommands(l)).toBeLessThanOrEqual(4);
  });
});

/** Every key of a JSON document that is not snake_case (values of free-form maps such as labels excepted). */
function camelKeys(doc: unknown, path = ''): string[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => camelKeys(v, `${path}[${i}]`));
  if (!doc || typeof doc !== 'object') return [];
  return Object.entries(doc).flatMap(([k, v]) => [...(/^[a-z0-9_]+$/.test(k) ? [] : [`${path}.${k}`]), ...camelKeys(v, `${path}.${k}`)]);
}

describe.skipIf(gate.skip)('JSON keys are snake_case', () => {
  it('every key of the --json results of status, doctor, preflight, cert, logs, update (dry run and failure), context show', async () => {
    await run(['context', 'init']);
    const docs = await Promise.all([
      run(['edge', 'status', '--dir', stack.dir, '--json']),
      run(['edge', 'doctor', '--dir', stack.dir, '--json']),
      run(['edge', 'preflight', '--dir', stack.dir, '--json']),
      run(['edge', 'cert', '--dir', stack.dir, '--json']),
      run(['edge', 'logs', '--dir', stack.dir, '--tail', '1', '--json']),
      run(['edge', 'update', '--dir', stack.dir, '--dry-run', '--json']),
      run(['edge', 'update', '--dir', missingDir, '--json']),
      run(['edge', 'status', '--dir', stack.dir, '--json'], deadEngine()),
      run(['context', 'show', '--json']),
    ]);
    for (const r of docs) {
      expect(r.json, r.stderr).toBeDefined();
      expect(camelKeys(r.json), JSON.stringify(r.json).slice(0, 200)).toEqual([]);
    }
  });
});

describe.skipIf(gate.skip)('doctor: nofile against the value the stack was initialised with', () => {
  it('init --nofile $(ulimit -Hn): the engine grants that, so the check passes (it no longer asks for 1048576)', async () => {
    const r = await run(['edge', 'doctor', '--dir', stack.dir, '--json']);
    const items = Object.values((r.json!.result as { sections: Record<string, { items: Array<{ id: string; status: string; value: string }> }> }).sections).flatMap((s) => s.items);
    const nofile = items.find((i) => i.id === 'nofile')!;
    expect(nofile.status, nofile.value).toBe('pass');
    expect(nofile.value).toMatch(new RegExp(`^${NOFILE} granted`));
  });
});
