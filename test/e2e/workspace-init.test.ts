import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { runInPty } from '../support/pty.js';
import { bareRepo, git, gitDaemon, mistFiles, monorepoFiles, tempRoot, type GitDaemon } from '../support/workspace-fixtures.js';

describe('workspace init', () => {
  let sb: CliSandbox;
  let repos: string;
  let daemon: GitDaemon;

  beforeAll(async () => {
    sb = new CliSandbox('fw-wsinit-');
    repos = tempRoot();
    await bareRepo(repos, 'monorepo', monorepoFiles());
    await bareRepo(repos, 'mistserver', mistFiles());
    daemon = await gitDaemon(repos);
    expect((await sb.run(['context', 'init'])).code).toBe(0);
  });
  afterAll(() => {
    daemon?.stop();
    sb?.cleanup();
  });

  it('clones both repositories over the git protocol side by side and records workspace.dir in the context', async () => {
    const dir = join(sb.home, 'ws-daemon');
    const r = await sb.run(['workspace', 'init', '--dir', dir, '--repo', daemon.url('monorepo'), '--mist-repo', daemon.url('mistserver'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json!.result as { dir: string; context: string; repositories: Array<{ name: string; action: string; branch: string; commit: string }> };
    expect(result.repositories.map((x) => [x.name, x.action, x.branch])).toEqual([
      ['monorepo', 'cloned', 'main'],
      ['mistserver', 'cloned', 'main'],
    ]);
    expect(existsSync(join(dir, 'monorepo', 'api_sidecar', 'cmd', 'helmsman', 'main.go'))).toBe(true);
    expect(existsSync(join(dir, 'mistserver', 'meson_options.txt'))).toBe(true);
    expect(result.context).toBe('local');
    expect(readFileSync(join(sb.frameworksHome, 'config.yaml'), 'utf8')).toMatch(new RegExp(`workspace:\\s+dir: ${dir}`));
  });

  it('clones a file:// repository shallow at a tag', async () => {
    const dir = join(sb.home, 'ws-file');
    const r = await sb.run(['workspace', 'init', '--dir', dir, '--repo', `file://${repos}/monorepo.git`, '--ref', 'v0.9.0', '--depth', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Cloned monorepo .*→ .*ws-file\/monorepo/);
    expect((await git(join(dir, 'monorepo'), ['rev-list', '--count', 'HEAD'])).trim()).toBe('1');
  });

  it('a repository URL that does not exist: a clear error and no half-cloned folder', async () => {
    const dir = join(sb.home, 'ws-missing');
    const r = await sb.run(['workspace', 'init', '--dir', dir, '--repo', `file://${repos}/nope.git`, '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'CLONE_FAILED' });
    expect(String(r.json!.message)).toMatch(/Cloning file:\/\/.*nope\.git failed: .*(does not exist|not appear to be a git repository)/);
    expect(existsSync(join(dir, 'monorepo'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('masks credentials of a URL in text, --json, --verbose and the audit log', async () => {
    const dir = join(sb.home, 'ws-creds');
    const url = `${daemon.url('nope').replace('git://', 'http://')}`.replace('http://', 'http://deploy:hunter2-s3cr3t@');
    const text = await sb.run(['workspace', 'init', '--dir', dir, '--repo', url, '--verbose']);
    const json = await sb.run(['workspace', 'init', '--dir', dir, '--repo', url, '--json']);
    expect(text.code).not.toBe(0);
    expect(json.code).not.toBe(0);
    const audit = readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8');
    for (const out of [text.stdout, text.stderr, json.stdout, json.stderr, audit]) expect(out).not.toContain('hunter2-s3cr3t');
    expect(text.stderr).toContain('http://deploy:****@127.0.0.1');
    expect(String(json.json!.message)).toContain('deploy:****@');
  });

  it('a dirty clone is only fetched: its changes are left untouched, and it says so', async () => {
    const dir = join(sb.home, 'ws-dirty');
    expect((await sb.run(['workspace', 'init', '--dir', dir, '--repo', `file://${repos}/monorepo.git`])).code).toBe(0);
    const readme = join(dir, 'monorepo', 'docker-compose.yml');
    writeFileSync(readme, 'edited: by hand\n');
    writeFileSync(join(dir, 'monorepo', 'scratch.txt'), 'mine\n');
    const r = await sb.run(['workspace', 'init', '--dir', dir, '--repo', `file://${repos}/monorepo.git`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Fetched monorepo .*2 dirty/);
    expect(r.stderr).toMatch(/uncommitted change.*left untouched/);
    expect(readFileSync(readme, 'utf8')).toBe('edited: by hand\n');
    expect(readFileSync(join(dir, 'monorepo', 'scratch.txt'), 'utf8')).toBe('mine\n');
  });

  it('context set workspace.dir records the folder by hand; status then finds the workspace without --dir', async () => {
    const dir = join(sb.home, 'ws-daemon');
    const set = await sb.run(['context', 'set', 'local', 'workspace.dir', dir]);
    expect(set.code, set.stderr).toBe(0);
    const r = await sb.run(['workspace', 'status', '--json']);
    expect(r.json!.result).toMatchObject({ dir, dir_source: 'context' });
    const unset = await sb.run(['context', 'set', 'local', 'workspace.dir', '--unset']);
    expect(unset.code).toBe(0);
    expect(readFileSync(join(sb.frameworksHome, 'config.yaml'), 'utf8')).not.toContain('workspace:');
  });

  it('on a terminal, git\'s --progress becomes the progress line of the clone', async () => {
    const dir = join(sb.home, 'ws-pty');
    const r = await runInPty(['workspace', 'init', '--dir', dir, '--repo', daemon.url('monorepo')], { env: { ...sb.baseEnv, TERM: 'xterm' } });
    expect(r.code, r.text).toBe(0);
    expect(r.output).toMatch(/monorepo: Cloning git:\/\/127\.0\.0\.1:\d+\/monorepo\.git/);
    expect(r.output).toMatch(/monorepo: (Receiving objects|Resolving deltas|Counting objects|Compressing objects): +\d+%/);
  });
});
