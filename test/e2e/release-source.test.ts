// Releases as data: a release source (channels/<c>.yaml → releases/<v>.yaml) read from a folder, a
// file:// git repository, a `git daemon` on loopback and a loopback HTTP server; manifests signed with
// real cosign (sign-blob); `release list|show|diff`; edge init and services plan pinning image@digest
// from it; and every bad input (edited after signing, another key, no signature, pointer mismatch,
// min_cli_version, unpinned, malformed YAML, unknown channel).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import { freePort } from '../support/docker.js';
import { runInPty, screenLines } from '../support/pty.js';
import { edgeEntries, entryOf, writeChannel, writeManifest, writeSource, type ImageEntry } from '../support/release-files.js';

const sb = new CliSandbox('fw-e2e-release-');
const D = (c: string) => `sha256:${c.repeat(64)}`;
const keys = join(sb.home, 'keys');
const other = join(sb.home, 'other-keys');
const SRC = join(sb.home, 'src');
const PUB = join(keys, 'cosign.pub');

const V1: ImageEntry[] = [
  ...edgeEntries({ caddy: `caddy@${D('c')}`, mistserver: `livepeerframeworks/mistserver@${D('a')}`, helmsman: `livepeerframeworks/helmsman@${D('1')}` }),
  entryOf('quartermaster', `ghcr.io/livepeer-frameworks/quartermaster@${D('2')}`),
  entryOf('commodore', `ghcr.io/livepeer-frameworks/commodore@${D('3')}`),
];
const V2: ImageEntry[] = [
  ...edgeEntries({ caddy: `caddy@${D('c')}`, mistserver: `livepeerframeworks/mistserver@${D('a')}`, helmsman: `livepeerframeworks/helmsman@${D('4')}` }),
  entryOf('quartermaster', `ghcr.io/livepeer-frameworks/quartermaster@${D('2')}`),
  entryOf('purser', `ghcr.io/livepeer-frameworks/purser@${D('5')}`),
];

function cosign(args: string[], cwd: string): string {
  return execFileSync('cosign', args, { cwd, env: { ...process.env, COSIGN_PASSWORD: 'x' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `cosign sign-blob` as a publisher runs it (no transparency log): <file>.sig beside the file. */
function sign(file: string, keyDir = keys): void {
  const sig = cosign(['sign-blob', '--key', join(keyDir, 'cosign.key'), '--tlog-upload=false', '--use-signing-config=false', '--new-bundle-format=false', '--yes', file], keyDir);
  writeFileSync(`${file}.sig`, sig);
}

function git(args: string[], cwd: string): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const run = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => sb.run(args, { env, timeoutMs: 60_000 });
const result = <T>(r: CliResult) => r.json!.result as T;
type Shown = { version: string; channel: string | null; images: Array<{ name: string; digest: string | null }>; manifest_signature: { state: string; key: string | null }; source: { kind: string; offline: unknown } };

let httpServer: Server | undefined;
let httpPort = 0;
let daemon: ChildProcess | undefined;
let daemonPort = 0;
const GITROOT = join(sb.home, 'git');

function serve(root: string, port: number): Promise<Server> {
  const srv = createServer((req, res) => {
    const path = join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(root) || !existsSync(path)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/yaml' }).end(readFileSync(path));
  });
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)));
}

async function startDaemon(): Promise<void> {
  daemonPort = await freePort();
  daemon = spawn('git', ['daemon', '--reuseaddr', '--export-all', `--base-path=${GITROOT}`, '--listen=127.0.0.1', `--port=${daemonPort}`, GITROOT], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Ready when it accepts a connection (ls-remote answers).
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('git', ['ls-remote', `git://127.0.0.1:${daemonPort}/rel.git`], { stdio: 'ignore', timeout: 2000 });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('git daemon did not come up');
}

beforeAll(async () => {
  mkdirSync(keys, { recursive: true });
  mkdirSync(other, { recursive: true });
  cosign(['generate-key-pair'], keys);
  cosign(['generate-key-pair'], other);
  writeSource(SRC, { 'v1.0.0': V1, 'v1.1.0': V2 }, { stable: 'v1.0.0', canary: 'v1.1.0' });
  sign(join(SRC, 'releases/v1.0.0.yaml'));
  sign(join(SRC, 'releases/v1.1.0.yaml'));
  // The same source as a git repository (served by file:// and by git daemon).
  const repo = join(GITROOT, 'rel.git');
  cpSync(SRC, repo, { recursive: true });
  git(['init', '-q', '-b', 'main'], repo);
  git(['add', '-A'], repo);
  git(['commit', '-qm', 'release v1.0.0 and v1.1.0'], repo);
  httpPort = await freePort();
  httpServer = await serve(SRC, httpPort);
  await startDaemon();
}, 60_000);

afterAll(async () => {
  daemon?.kill();
  await new Promise<void>((r) => (httpServer ? httpServer.close(() => r()) : r()));
  sb.cleanup();
});

describe('release sources', () => {
  it('a folder: release list shows channels → versions with dates; show and diff read it', async () => {
    const l = await run(['release', 'list', '--release-source', SRC, '--json']);
    expect(l.code, l.stdout + l.stderr).toBe(0);
    const listing = result<{ channels: Array<{ channel: string; platform_version: string }>; releases: Array<{ version: string; release_date: string; channels: string[] }> }>(l);
    expect(listing.channels).toEqual([
      expect.objectContaining({ channel: 'canary', platform_version: 'v1.1.0' }),
      expect.objectContaining({ channel: 'stable', platform_version: 'v1.0.0' }),
    ]);
    expect(listing.releases.map((r) => [r.version, r.channels])).toEqual([['v1.1.0', ['canary']], ['v1.0.0', ['stable']]]);
    const text = await run(['release', 'list', '--release-source', SRC]);
    expect(text.stdout).toMatch(/^v1\.0\.0\s+2026-11-30T12:00:00Z\s+stable$/m);
    expect(text.stderr).toContain('Channel stable → v1.0.0');

    const d = await run(['release', 'diff', 'v1.0.0', 'canary', '--release-source', SRC, '--json']);
    expect(d.code, d.stdout).toBe(0);
    expect(result<Record<string, unknown>>(d)).toMatchObject({
      added: [expect.objectContaining({ service: 'purser', digest: D('5') })],
      removed: [expect.objectContaining({ service: 'commodore' })],
      changed: [{ service: 'helmsman', from: expect.objectContaining({ digest: D('1') }), to: expect.objectContaining({ digest: D('4') }) }],
    });
    const dt = await run(['release', 'diff', 'v1.0.0', 'v1.1.0', '--release-source', SRC]);
    expect(dt.stdout).toMatch(/^~ changed\s+helmsman\s+- sha256:111111111111…\s+- sha256:444444444444…$/m);
    expect(dt.stdout.split('\n').every((line) => line.length <= 80)).toBe(true);
  });

  it('release show: images with digests; the manifest signature verified with the key, else shown as not checked', async () => {
    const s = await run(['release', 'show', 'v1.0.0', '--release-source', SRC, '--key', PUB, '--json']);
    expect(s.code, s.stdout).toBe(0);
    const shown = result<Shown>(s);
    expect(shown.manifest_signature).toMatchObject({ state: 'verified', key: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(shown.images.find((i) => i.name === 'helmsman')?.digest).toBe(D('1'));
    const noKey = await run(['release', 'show', '--release-source', SRC]);
    expect(noKey.code).toBe(0);
    expect(noKey.stderr).toContain('Manifest signature: not checked');
    expect(noKey.stderr).toContain('Image signatures: not checked (run frameworks release verify)');
    expect(noKey.stdout).toMatch(/^helmsman\s+\S+\s+livepeerframeworks\/helmsman\s+sha256:111111111111…/m);
    // On an 80-column terminal the table fits (the image is shortened, the kind column left out).
    const tty = await runInPty(['release', 'show', '--release-source', SRC], { env: sb.baseEnv, cols: 80, rows: 40 });
    const lines = screenLines(tty.output);
    const table = lines.slice(lines.findIndex((l) => l.startsWith('NAME ')), lines.findIndex((l) => l.startsWith('Image signatures')));
    expect(table.map((l) => l.split(/\s+/)[0]), tty.text).toEqual(['NAME', 'helmsman', 'quartermaster', 'commodore', 'caddy', 'mistserver']);
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
  });

  it('a file:// git repository, cloned into the cache; a new commit is seen on the next run', async () => {
    const url = `file://${join(GITROOT, 'rel.git')}`;
    const s = await run(['release', 'show', '--channel', 'canary', '--release-source', url, '--key', PUB, '--json']);
    expect(s.code, s.stdout + s.stderr).toBe(0);
    expect(result<Shown>(s)).toMatchObject({ version: 'v1.1.0', manifest_signature: { state: 'verified' }, source: { kind: 'git', offline: null } });
    const repo = join(GITROOT, 'rel.git');
    writeChannel(repo, 'stable', 'v1.1.0');
    git(['commit', '-qam', 'promote v1.1.0 to stable'], repo);
    const again = await run(['release', 'show', '--release-source', url, '--json']);
    expect(result<Shown>(again).version).toBe('v1.1.0');
    writeChannel(repo, 'stable', 'v1.0.0');
    git(['commit', '-qam', 'back to v1.0.0'], repo);
  });

  it('a git daemon on loopback; when it stops, the cached clone is used and the output says so', async () => {
    const url = `git://127.0.0.1:${daemonPort}/rel.git`;
    const l = await run(['release', 'list', '--release-source', url, '--json']);
    expect(l.code, l.stdout + l.stderr).toBe(0);
    expect(result<{ releases: unknown[] }>(l).releases).toHaveLength(2);
    daemon!.kill();
    await new Promise((r) => daemon!.once('exit', r));
    const s = await run(['release', 'show', 'v1.0.0', '--release-source', url, '--key', PUB, '--json']);
    expect(s.code, s.stdout).toBe(0);
    expect(result<Shown>(s)).toMatchObject({ version: 'v1.0.0', manifest_signature: { state: 'verified' }, source: { offline: expect.objectContaining({ reason: expect.stringContaining(url) }) } });
    expect(s.json!.warnings).toEqual([expect.objectContaining({ code: 'RELEASE_SOURCE_OFFLINE' })]);
    // Never fetched, nothing cached: exit 6 naming the source.
    const fresh = await run(['release', 'list', '--release-source', `git://127.0.0.1:${daemonPort}/other.git`, '--json']);
    expect(fresh.code).toBe(6);
    expect(fresh.json).toMatchObject({ code: 'RELEASE_SOURCE_UNREACHABLE' });
    await startDaemon();
  });

  it('over HTTP (loopback): fetched, cached, and read from the cache once the server is gone', async () => {
    const url = `http://127.0.0.1:${httpPort}`;
    const s = await run(['release', 'show', '--channel', 'stable', '--release-source', url, '--key', PUB, '--json']);
    expect(s.code, s.stdout + s.stderr).toBe(0);
    expect(result<Shown>(s)).toMatchObject({ version: 'v1.0.0', manifest_signature: { state: 'verified' }, source: { kind: 'http', offline: null } });
    const l = await run(['release', 'list', '--release-source', url, '--json']);
    expect(result<{ channels: Array<{ channel: string }> }>(l).channels.map((c) => c.channel)).toEqual(['stable', 'canary']);
    await new Promise<void>((r) => httpServer!.close(() => r()));
    const off = await run(['release', 'show', '--channel', 'stable', '--release-source', url, '--key', PUB, '--json']);
    expect(off.code, off.stdout).toBe(0);
    expect(off.json!.warnings).toEqual([expect.objectContaining({ code: 'RELEASE_SOURCE_OFFLINE' })]);
    expect(result<Shown>(off).manifest_signature.state).toBe('verified');
    httpServer = await serve(SRC, httpPort);
    const insecure = await run(['release', 'list', '--release-source', 'http://releases.example.com/fw', '--json']);
    expect(insecure.code).toBe(2);
    expect(insecure.json).toMatchObject({ code: 'RELEASE_SOURCE_INSECURE' });
  });

  it('the context keys release.source and release.public_key; --release-source overrides', async () => {
    expect((await run(['context', 'init'])).code).toBe(0);
    expect((await run(['context', 'set', 'local', 'release.source', SRC])).code).toBe(0);
    expect((await run(['context', 'set', 'local', 'release.public_key', PUB])).code).toBe(0);
    const s = await run(['release', 'show', '--json']);
    expect(s.code, s.stdout).toBe(0);
    expect(result<Shown>(s)).toMatchObject({ version: 'v1.0.0', manifest_signature: { state: 'verified' } });
    const bad = await run(['context', 'set', 'local', 'release.public_key', join(SRC, 'channels/stable.yaml'), '--json']);
    expect(bad.json).toMatchObject({ code: 'RELEASE_KEY_INVALID' });
    const other = writeSource(join(sb.home, 'src-other'), { 'v9.0.0': V2 }, { stable: 'v9.0.0' });
    sign(join(other, 'releases/v9.0.0.yaml'));
    const o = await run(['release', 'show', '--release-source', other, '--json']);
    expect(result<Shown>(o)).toMatchObject({ version: 'v9.0.0', manifest_signature: { state: 'verified' } });
    expect((await run(['context', 'set', 'local', 'release.public_key', '--unset'])).code).toBe(0);
    expect((await run(['context', 'set', 'local', 'release.source', '--unset'])).code).toBe(0);
  });
});

describe('deploying a release', () => {
  it('edge init --channel pins image@sha256 from the source; services plan --version too', async () => {
    const dir = join(sb.home, 'edge-1');
    const r = await run(['edge', 'init', '--dir', dir, '--domain', 'edge.test', '--tls', 'internal', '--release-source', SRC, '--channel', 'stable', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const compose = readFileSync(join(dir, 'docker-compose.edge.yml'), 'utf8');
    expect(compose).toContain(`image: "livepeerframeworks/helmsman@${D('1')}"`);
    expect(compose).toContain(`image: "caddy@${D('c')}"`);
    expect(compose).not.toContain('UNPINNED');
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toMatch(/^EDGE_RELEASE=v1\.0\.0$/m);
    expect(result<{ manifest_signature: string }>(r).manifest_signature).toBe('not-checked');

    const plan = join(sb.home, 'plan-1');
    const p = await run(['services', 'plan', '--profile', 'control-core', '--release-source', SRC, '--version', 'v1.1.0', '--dir', plan, '--json']);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    expect(readFileSync(join(plan, 'svc-quartermaster.yml'), 'utf8')).toContain(`image: "ghcr.io/livepeer-frameworks/quartermaster@${D('2')}"`);
    expect(result<{ release: string }>(p).release).toBe('v1.1.0');
    // services up --version: the plan must run that release; another one starts nothing.
    const up = await run(['services', 'up', '--dir', plan, '--release-source', SRC, '--version', 'v1.0.0', '--no-wait', '--json']);
    expect(up.code, up.stdout).toBe(1);
    expect(up.json).toMatchObject({ code: 'RELEASE_PLAN_MISMATCH' });
    expect(String(up.json!.message)).toContain('commodore (frameworks/commodore:latest ≠ ghcr.io/livepeer-frameworks/commodore@sha256:3333');
    expect(String(up.json!.message)).not.toContain('quartermaster (');
  });

  it('an entry without a digest is refused (RELEASE_UNPINNED, naming it) unless --allow-unpinned, which is recorded in the files', async () => {
    const src = writeSource(join(sb.home, 'src-unpinned'), {
      'v2.0.0': [...V1.filter((e) => e.name !== 'helmsman' && e.name !== 'quartermaster'), entryOf('helmsman', 'livepeerframeworks/helmsman:v2'), entryOf('quartermaster', 'ghcr.io/x/quartermaster:v2')],
    }, { stable: 'v2.0.0' });
    const dir = join(sb.home, 'edge-unpinned');
    const args = ['edge', 'init', '--dir', dir, '--domain', 'edge.test', '--tls', 'internal', '--release-source', src, '--json'];
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'RELEASE_UNPINNED' });
    expect(String(r.json!.message)).toContain('helmsman (livepeerframeworks/helmsman:v2)');
    expect(existsSync(dir)).toBe(false);
    const ok = await run([...args, '--allow-unpinned']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.json!.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'IMAGES_NOT_PINNED', message: expect.stringContaining('--allow-unpinned') })]));
    expect(readFileSync(join(dir, 'docker-compose.edge.yml'), 'utf8')).toContain('# UNPINNED (--allow-unpinned): helmsman run by tag');
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toMatch(/^EDGE_UNPINNED=helmsman$/m);

    const plan = join(sb.home, 'plan-unpinned');
    const p = await run(['services', 'plan', '--profile', 'control-core', '--release-source', src, '--dir', plan, '--json']);
    expect(p.code).toBe(1);
    expect(p.json).toMatchObject({ code: 'RELEASE_UNPINNED' });
    expect(String(p.json!.message)).toContain('quartermaster');
    expect(existsSync(plan)).toBe(false);
    const pok = await run(['services', 'plan', '--profile', 'control-core', '--release-source', src, '--dir', plan, '--allow-unpinned', '--json']);
    expect(pok.code, pok.stdout).toBe(0);
    expect(readFileSync(join(plan, 'svc-quartermaster.yml'), 'utf8')).toContain('# UNPINNED (--allow-unpinned)');
  });
});

describe('bad release input', () => {
  const copy = (name: string) => {
    const dir = join(sb.home, name);
    rmSync(dir, { recursive: true, force: true });
    cpSync(SRC, dir, { recursive: true });
    return dir;
  };
  const show = (src: string, ...extra: string[]) => run(['release', 'show', '--release-source', src, '--json', ...extra]);

  it('a manifest edited after signing: SIGNATURE_INVALID, exit 1; edge init writes nothing', async () => {
    const src = copy('src-edited');
    const file = join(src, 'releases/v1.0.0.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(D('1'), D('9')));
    const r = await show(src, '--key', PUB);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(String(r.json!.message)).toContain('changed after signing, or signed with another key');
    expect((await run(['context', 'set', 'local', 'release.public_key', PUB])).code).toBe(0);
    const dir = join(sb.home, 'edge-edited');
    const e = await run(['edge', 'init', '--dir', dir, '--domain', 'edge.test', '--tls', 'internal', '--release-source', src, '--json']);
    expect((await run(['context', 'set', 'local', 'release.public_key', '--unset'])).code).toBe(0);
    expect(e.code).toBe(1);
    expect(e.json).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(existsSync(dir)).toBe(false);
  });

  it('a signature by another key: SIGNATURE_INVALID', async () => {
    const src = copy('src-otherkey');
    sign(join(src, 'releases/v1.0.0.yaml'), other);
    const r = await show(src, '--key', PUB);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect((await show(src, '--key', join(other, 'cosign.pub'))).code).toBe(0);
  });

  it('no signature while a key is configured: SIGNATURE_MISSING; without a key: shown as unsigned', async () => {
    const src = copy('src-nosig');
    rmSync(join(src, 'releases/v1.0.0.yaml.sig'));
    const r = await show(src, '--key', PUB);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'SIGNATURE_MISSING' });
    const u = await show(src);
    expect(u.code).toBe(0);
    expect(result<Shown>(u).manifest_signature.state).toBe('unsigned');
  });

  it('a channel pointing at a manifest of another version: RELEASE_POINTER_MISMATCH', async () => {
    const src = copy('src-mismatch');
    writeChannel(src, 'stable', 'v1.0.0', 'releases/v1.1.0.yaml');
    const r = await show(src);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'RELEASE_POINTER_MISMATCH' });
    expect(String(r.json!.message)).toContain('points at release v1.0.0, but');
  });

  it('min_cli_version above this CLI: refused with RELEASE_NEEDS_NEWER_CLI', async () => {
    const src = join(sb.home, 'src-newer');
    writeManifest(join(src, 'releases/v5.0.0.yaml'), 'v5.0.0', V1, { min_cli_version: '99.0.0' });
    writeChannel(src, 'stable', 'v5.0.0');
    const r = await show(src);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'RELEASE_NEEDS_NEWER_CLI' });
    expect(String(r.json!.message)).toMatch(/needs frameworks 99\.0\.0 or newer; this is \d+\.\d+\.\d+/);
  });

  it('malformed YAML and schema errors name the line or the key path (exit 4)', async () => {
    const src = copy('src-malformed');
    const file = join(src, 'releases/v1.0.0.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(`digest: "${D('1')}"`, 'digest: "sha256:nope"'));
    const r = await show(src);
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ code: 'RELEASE_MANIFEST_INVALID' });
    expect(String(r.json!.message)).toContain('services[0].digest: "sha256:nope" is not a digest');
    writeFileSync(file, 'platform_version: v1.0.0\nservices: [\n');
    const y = await show(src);
    expect(y.code).toBe(4);
    expect(String(y.json!.message)).toMatch(/v1\.0\.0\.yaml is invalid: not valid YAML \(line \d+, column \d+\)/);
  });

  it('an unknown channel: exit 2, the hint lists the channels', async () => {
    const r = await show(SRC, '--channel', 'nightly');
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ code: 'UNKNOWN_CHANNEL', suggestions: ['--channel canary', '--channel stable'] });
    expect(String(r.json!.message)).toContain('has channels canary, stable');
    const v = await run(['release', 'show', 'v7', '--release-source', SRC, '--json']);
    expect(v.json).toMatchObject({ code: 'UNKNOWN_RELEASE' });
    const up = await run(['release', 'show', '--channel', '../releases/v1.0.0', '--release-source', SRC, '--json']);
    expect([up.code, up.json!.code]).toEqual([2, 'INVALID_INPUT']);
  });
});
