import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { docker, dockerEnv } from '../support/docker.js';
import { spawnCli } from '../support/spawn-cli.js';
import { bareRepo, git, mistFiles, monorepoFiles, tempRoot } from '../support/workspace-fixtures.js';

/** Builds from a real clone: Debian's Go for Helmsman, meson + ninja + g++ for the MistServer stand-in, docker build on the test engine. */
describe('workspace build', () => {
  let sb: CliSandbox;
  let repos: string;
  const ws = (name: string) => join(sb.home, name);
  const init = async (name: string, repo = 'monorepo', mist = true) => {
    const args = ['workspace', 'init', '--dir', ws(name), '--repo', `file://${repos}/${repo}.git`];
    if (mist) args.push('--mist-repo', `file://${repos}/mistserver.git`);
    const r = await sb.run(args);
    expect(r.code, r.stderr).toBe(0);
  };
  const tag = `wstest-${process.pid}`;

  beforeAll(async () => {
    sb = new CliSandbox('fw-wsbuild-');
    repos = tempRoot();
    await bareRepo(repos, 'monorepo', monorepoFiles());
    await bareRepo(repos, 'oldgo', monorepoFiles('1.99'));
    await bareRepo(repos, 'slow', monorepoFiles('1.19', 'net/http'));
    await bareRepo(repos, 'mistserver', mistFiles());
    await init('main');
  }, 60_000);
  afterAll(async () => {
    await docker(['rmi', '-f', `frameworks-helmsman:${tag}`, `frameworks-mistserver:${tag}`]).catch(() => undefined);
    sb?.cleanup();
  });

  it('helmsman: go build as upstream (CGO off, nomsgpack, -X stamps) into bin/, read back from the binary; a second run is up to date', async () => {
    const r = await sb.run(['workspace', 'build', 'helmsman', '--dir', ws('main'), '--json'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const result = r.json!.result as Record<string, unknown>;
    expect(result.command).toEqual(expect.arrayContaining(['go', 'build', '-tags=nomsgpack', './cmd/helmsman']));
    const bin = join(ws('main'), 'bin', 'helmsman');
    const out = execFileSync(bin, { encoding: 'utf8' });
    const commit = (await git(join(ws('main'), 'monorepo'), ['rev-parse', '--short', 'HEAD'])).trim();
    expect(out).toContain('Version=v0.9.0\n');
    expect(out).toContain(`GitCommit=${commit}\n`);
    expect(out).toMatch(/BuildDate=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);
    expect(out).toContain('ComponentName=helmsman\n');
    expect(out).toContain('ComponentVersion=v0.9.0\n');
    // CGO off: a static binary.
    expect(execFileSync('file', [bin], { encoding: 'utf8' })).toMatch(/statically linked/);
    const again = await sb.run(['workspace', 'build', 'helmsman', '--dir', ws('main')], { timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Up to date: .*bin\/helmsman/);
  }, 180_000);

  it('helmsman: a Go older than the go directive is one clear error naming both versions and the fix', async () => {
    await init('oldgo', 'oldgo', false);
    const r = await sb.run(['workspace', 'build', 'helmsman', '--dir', ws('oldgo'), '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'GO_TOO_OLD' });
    const installed = /go(\d+\.\d+(\.\d+)?)/.exec(execFileSync('go', ['version'], { encoding: 'utf8' }))![1];
    expect(String(r.json!.message)).toContain(`Go ${installed} is too old`);
    expect(String(r.json!.message)).toContain('needs Go ≥ 1.99');
    expect(r.json!.suggestions).toContain('frameworks workspace build helmsman --in-container golang:1.99');
    expect(existsSync(join(ws('oldgo'), 'bin', 'helmsman'))).toBe(false);
    // The way out it names: the same build inside a Go image (shown here with --dry-run: no Go 1.99 image offline).
    const inside = await sb.run(['workspace', 'build', 'helmsman', '--dir', ws('oldgo'), '--in-container', 'golang:1.99', '--dry-run', '--json']);
    expect(inside.code, inside.stderr).toBe(0);
    const argv = (inside.json!.result as { command: string[] }).command;
    expect(argv.slice(0, 3)).toEqual(['docker', 'run', '--rm']);
    expect(argv).toEqual(expect.arrayContaining([`${join(ws('oldgo'), 'monorepo')}:/src`, 'CGO_ENABLED=0', 'golang:1.99', 'go', 'build', '-tags=nomsgpack', './cmd/helmsman']));
  });

  it('helmsman: Ctrl-C during the build exits 130 and leaves no half-written binary in bin/', async () => {
    await init('slow', 'slow', false);
    // A cold Go cache and net/http without cgo: the build takes seconds, long enough to interrupt.
    const env = { ...sb.baseEnv, GOCACHE: join(sb.home, 'gocache-cold') };
    const run = spawnCli(['workspace', 'build', 'helmsman', '--dir', ws('slow'), '--verbose'], env);
    await run.waitFor(/\$ go build/);
    await new Promise((r) => setTimeout(r, 400));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/Interrupted: go build was stopped; bin\/helmsman was left as it was/);
    const bin = join(ws('slow'), 'bin');
    expect(existsSync(bin) ? readdirSync(bin) : []).toEqual([]);
  }, 60_000);

  it('helmsman --image: docker build -f api_sidecar/Dockerfile under a local tag', async () => {
    const r = await sb.run(['workspace', 'build', 'helmsman', '--dir', ws('main'), '--image', '--tag', tag, '--json'], { env: dockerEnv(), timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({ target: 'image', image: `frameworks-helmsman:${tag}` });
    expect(await docker(['image', 'inspect', '--format', '{{.Id}}', `frameworks-helmsman:${tag}`])).toMatch(/^sha256:/);
  }, 120_000);

  it('mist --with-av without --accept-av-licence off a terminal: the licence warning, exit 2, nothing built', async () => {
    const r = await sb.run(['workspace', 'build', 'mist', '--dir', ws('main'), '--with-av']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/libav-based input \(not distributable!\).*NOT distributable/s);
    expect(r.stderr).toContain('--accept-av-licence');
    expect(existsSync(join(ws('main'), 'mistserver', 'build'))).toBe(false);
  });

  it('mist --with-av --accept-av-licence without the libav headers names the Debian packages; nothing is configured', async () => {
    const r = await sb.run(['workspace', 'build', 'mist', '--dir', ws('main'), '--with-av', '--accept-av-licence', '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'MISSING_DEV_HEADERS' });
    expect(String((r.json!.suggestions as string[])[0])).toMatch(/^apt-get install .*libavcodec-dev.*libavformat-dev/);
    expect(existsSync(join(ws('main'), 'mistserver', 'build'))).toBe(false);
  });

  it('mist: meson setup + ninja with the release name; --cpu native warns it is not portable', async () => {
    const r = await sb.run(['workspace', 'build', 'mist', '--dir', ws('main'), '--release-name', 'wstest_x86', '--json'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({ with_av: false, cpu: 'generic' });
    const controller = join(ws('main'), 'mistserver', 'build', 'MistController');
    expect(execFileSync(controller, { encoding: 'utf8' })).toBe('MistController release wstest_x86\n');
    const native = await sb.run(['workspace', 'build', 'mist', '--dir', ws('main'), '--cpu', 'native', '--json'], { timeoutMs: 120_000 });
    expect(native.code, native.stderr).toBe(0);
    expect(native.json!.warnings).toEqual([expect.objectContaining({ code: 'CPU_NATIVE_NOT_PORTABLE' })]);
    expect((native.json!.result as { commands: string[][] }).commands[0]).toContain('-Dcpp_args=-march=native');
  }, 180_000);

  it('mist --image --accept-av-licence: docker build of Dockerfile.mistserver under a local tag', async () => {
    const r = await sb.run(['workspace', 'build', 'mist', '--dir', ws('main'), '--image', '--accept-av-licence', '--tag', tag], { env: dockerEnv(), timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Built image frameworks-mistserver:${tag}`);
    expect(await docker(['image', 'inspect', '--format', '{{.Id}}', `frameworks-mistserver:${tag}`])).toMatch(/^sha256:/);
  }, 120_000);
});
