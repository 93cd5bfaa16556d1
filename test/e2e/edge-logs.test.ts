// `frameworks edge logs` against a real edge stack (stand-in images): tail, all services, --json,
// --grep, --since/--until, unknown services (exit 2), and --follow streaming: a line Helmsman prints
// must reach stdout while the CLI is still running; Ctrl-C (SIGINT) ends it with exit 130.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';
import { basename, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, type CliResult } from '../support/cli.js';
import { HELMSMAN, MISTSERVER, requireDocker } from '../support/docker.js';
import { edgeCliEnv, sshdIn, startEdgeStack, writeSshConfig, type EdgeStackFixture, type SshSide } from '../support/edge-stack.js';
import { sshdAvailable } from '../support/sshd.js';

interface Line {
  service: string;
  time?: string;
  line: string;
}

const gate = await requireDocker('edge logs e2e');
const sb = new CliSandbox('fw-e2e-edge-logs-');
let stack: EdgeStackFixture;
let env: Record<string, string>;

const logs = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => sb.run(['edge', 'logs', '--dir', stack.dir, ...args], { env: { ...env, ...extra }, timeoutMs: 40_000 });
const lines = (r: CliResult) => (r.json!.result as { lines: Line[] }).lines;

/** The CLI as a long-running process, its stdout collected as it comes. */
function follow(args: string[]): { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string; waitFor: (re: RegExp, ms?: number) => Promise<void>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'edge', 'logs', ...args], {
    env: Object.fromEntries(Object.entries({ ...sb.baseEnv, ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitFor = async (re: RegExp, ms = 15_000) => {
    const deadline = Date.now() + ms;
    while (!re.test(out)) {
      if (child.exitCode !== null) throw new Error(`logs --follow exited ${child.exitCode} before ${re}: ${err}`);
      if (Date.now() > deadline) throw new Error(`no ${re} on stdout within ${ms} ms; stdout:\n${out}\nstderr:\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, stdout: () => out, stderr: () => err, waitFor, exit };
}

/** `docker compose … logs --follow` processes of this project still running (locally or spawned by sshd), after a short grace. */
async function followers(project: string, graceMs = 500): Promise<string[]> {
  await new Promise((r) => setTimeout(r, graceMs));
  try {
    const { stdout } = await promisify(execFile)('pgrep', ['-a', '-f', `${project} .*logs .*--follow`]);
    return stdout.trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

beforeAll(async () => {
  if (gate.skip) return;
  env = await edgeCliEnv();
  stack = await startEdgeStack(sb, { prefix: 'fw-lg' });
});
afterAll(async () => {
  await stack?.remove();
  sb.cleanup();
});

describe.skipIf(gate.skip)('edge logs', () => {
  it('one service: every line prefixed "helmsman | ", in order', async () => {
    const r = await logs(['helmsman', '--tail', 'all']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out.every((l) => l.startsWith('helmsman | '))).toBe(true);
    expect(out[0]).toContain(HELMSMAN.logs.starting);
    expect(r.stdout).toContain(`helmsman | ${HELMSMAN.logs.enrolled}`);
    expect(out.findIndex((l) => l.includes(HELMSMAN.logs.starting))).toBeLessThan(out.findIndex((l) => l.includes(HELMSMAN.logs.enrolled)));
    const two = await logs(['helmsman', '--tail', '2']);
    expect(two.stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('all services, names padded like compose; --json gives {service, time, line}', async () => {
    const r = await logs([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`mistserver | ${MISTSERVER.logs.listening}`);
    expect(r.stdout).toMatch(/^helmsman {3}\| /m);
    expect(r.stdout).toMatch(/^caddy {6}\| \{/m);
    const j = await logs(['--json']);
    expect(j.code).toBe(0);
    const all = lines(j);
    expect(new Set(all.map((l) => l.service))).toEqual(new Set(['caddy', 'mistserver', 'helmsman']));
    for (const l of all) expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(all).toContainEqual(expect.objectContaining({ service: 'mistserver', line: expect.stringContaining(MISTSERVER.logs.listening) }));
    expect(j.json!.result).toMatchObject({ host: 'local', dir: stack.dir, services: expect.arrayContaining(['caddy', 'helmsman', 'mistserver']) });
  });

  it('--grep filters client-side (a regex; -i ignores case)', async () => {
    const r = await logs(['--tail', 'all', '--grep', 'enrolled via|reconcile succeeded', '--json']);
    expect(lines(r).map((l) => l.service)).toEqual(['helmsman', 'helmsman']);
    const none = await logs(['helmsman', '--tail', 'all', '--grep', 'EDGE NODE ENROLLED']);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No line matches --grep');
    const ci = await logs(['helmsman', '--tail', 'all', '--grep', 'EDGE NODE ENROLLED', '-i']);
    expect(ci.stdout.trim().split('\n')).toHaveLength(1);
    const bad = await logs(['--grep', 'mode=(', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json).toMatchObject({ code: 'INVALID_GREP' });
  });

  it('--since / --until pass through to docker; a bad value exits 2 before docker runs', async () => {
    const t0 = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1100));
    await stack.requestMode('normal', 'since-until-test');
    const after = lines(await logs(['helmsman', '--since', t0, '--json']));
    expect(after.map((l) => l.line)).toEqual([expect.stringContaining(`${HELMSMAN.logs.modeRequested} mode=normal reason=since-until-test`)]);
    const before = lines(await logs(['helmsman', '--until', t0, '--json']));
    expect(before.some((l) => l.line.includes(HELMSMAN.logs.starting))).toBe(true);
    expect(before.some((l) => l.line.includes('since-until-test'))).toBe(false);
    // a relative window: the last 10 minutes hold everything of this young stack
    expect(lines(await logs(['helmsman', '--since', '10m', '--json'])).some((l) => l.line.includes(HELMSMAN.logs.starting))).toBe(true);
    for (const [args, code] of [
      [['--since', 'yesterday'], 'INVALID_TIME'],
      [['--until', '2025-13-40'], 'INVALID_TIME'],
      [['--since', '10m', '--until', '1h'], 'EMPTY_WINDOW'],
      [['--tail', 'lots'], 'INVALID_TAIL'],
    ] as const) {
      const r = await logs([...args, '--json']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.json).toMatchObject({ code });
    }
  });

  it('an unknown service exits 2 and lists the services; --json with --follow exits 2', async () => {
    const r = await logs(['helmsmann', '--json']);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ status: 2, code: 'UNKNOWN_SERVICE', message: 'Unknown service "helmsmann": the stack has caddy, helmsman, mistserver.' });
    const human = await logs(['nope']);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain(`Next: frameworks edge logs caddy --dir ${stack.dir}`);
    const jf = await logs(['helmsman', '--follow', '--json']);
    expect(jf.code).toBe(2);
    expect(jf.json).toMatchObject({ code: 'JSON_WITH_FOLLOW' });
    expect(jf.stdout.trim().startsWith('{')).toBe(true);
  });

  it('--follow streams: a new Helmsman line reaches stdout while the CLI runs; SIGINT exits 130 with whole lines', async () => {
    const f = follow(['helmsman', '--dir', stack.dir, '--follow', '--tail', '1']);
    try {
      // the last line of history shows the stream is open
      await f.waitFor(/^helmsman \| .+\n/m);
      await stack.requestMode('draining', 'follow-test');
      await f.waitFor(/msg="Operational mode change requested" mode=draining reason=follow-test\n/);
      expect(f.child.exitCode).toBeNull();
      await stack.requestMode('normal', 'follow-test-2');
      await f.waitFor(/mode=normal reason=follow-test-2\n/);
      expect(f.child.exitCode).toBeNull();
      f.child.kill('SIGINT');
      expect(await f.exit).toBe(130);
      expect(f.stdout().endsWith('\n')).toBe(true);
      expect(f.stdout().trimEnd().split('\n').every((l) => l.startsWith('helmsman | '))).toBe(true);
      expect(f.stderr()).toContain('Interrupted');
      // the compose process was stopped with the CLI
      expect(await followers(stack.project)).toEqual([]);
    } finally {
      if (f.child.exitCode === null) f.child.kill('SIGKILL');
    }
  });

  it('--follow --tail 0 shows only new lines; it ends by itself when the container stops', async () => {
    const f = follow(['mistserver', '--dir', stack.dir, '-f', '-n', '0']);
    try {
      // nothing to wait for on stdout (no history): wait for the compose process, then a moment for it to attach
      const deadline = Date.now() + 20_000;
      while ((await followers(stack.project, 100)).length === 0) if (Date.now() > deadline) throw new Error('compose logs --follow never started');
      await new Promise((r) => setTimeout(r, 1000));
      expect(f.stdout()).toBe('');
      await stack.compose('restart', 'mistserver');
      // the stop ends compose's follow: exit 0 (nothing was interrupted)
      expect(await f.exit).toBe(0);
      await stack.waitHealth('mistserver', 'healthy');
    } finally {
      if (f.child.exitCode === null) f.child.kill('SIGKILL');
    }
  });
});

describe.skipIf(gate.skip || !sshdAvailable())('edge logs --ssh', () => {
  let side: SshSide;
  beforeAll(async () => {
    side = await sshdIn(dirname(stack.dir));
    writeSshConfig(sb, { 'edge-a': side.sshd });
  });
  afterAll(async () => {
    await side?.stop();
  });

  it('reads the remote stack; --follow streams over SSH and SIGINT stops the remote command', async () => {
    const r = await sb.run(['edge', 'logs', 'helmsman', '--ssh', 'edge-a', '--dir', basename(stack.dir), '--tail', 'all', '--grep', 'enrolled'], { env, timeoutMs: 40_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^helmsman \| level=info msg="Edge node enrolled via Quartermaster"/);
    const f = follow(['helmsman', '--ssh', 'edge-a', '--dir', basename(stack.dir), '--follow', '--tail', '1']);
    try {
      // the last line of history shows the remote stream is open
      await f.waitFor(/^helmsman \| .+\n/m, 30_000);
      await stack.requestMode('maintenance', 'over-ssh');
      await f.waitFor(/^helmsman \| .*mode=maintenance reason=over-ssh\n/m);
      f.child.kill('SIGINT');
      expect(await f.exit).toBe(130);
      // the remote command (started by sshd on this machine) ended with the channel
      expect(await followers(stack.project)).toEqual([]);
    } finally {
      if (f.child.exitCode === null) f.child.kill('SIGKILL');
      await stack.requestMode('normal', 'reset');
    }
  });
});
