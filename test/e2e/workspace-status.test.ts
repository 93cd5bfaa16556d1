import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { dockerEnv } from '../support/docker.js';
import { bareRepo, git, mistFiles, monorepoFiles, tempRoot } from '../support/workspace-fixtures.js';

interface StatusResult {
  repositories: Array<{ name: string; present: boolean; branch: string; commit: string; dirty_files: string[]; ahead: number; behind: number }>;
  toolchains: Array<{ tool: string; required: string | null; installed: string | null; ok: boolean; fix: string | null }>;
  images: Array<{ ref: string; used_by: string[] }> | null;
}

describe('workspace status', () => {
  let sb: CliSandbox;
  let dir: string;

  beforeAll(async () => {
    sb = new CliSandbox('fw-wsstatus-');
    const repos = tempRoot();
    await bareRepo(repos, 'monorepo', monorepoFiles('1.19'));
    await bareRepo(repos, 'mistserver', mistFiles());
    dir = join(sb.home, 'ws');
    expect((await sb.run(['context', 'init'])).code).toBe(0);
    const r = await sb.run(['workspace', 'init', '--dir', dir, '--repo', `file://${repos}/monorepo.git`, '--mist-repo', `file://${repos}/mistserver.git`]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => sb?.cleanup());

  it('per repository: branch, commit, dirty files, ahead/behind — from the workspace the context records', async () => {
    const mono = join(dir, 'monorepo');
    writeFileSync(join(mono, 'notes.txt'), 'wip\n');
    await git(join(dir, 'mistserver'), ['commit', '-q', '--allow-empty', '-m', 'local work']);
    const r = await sb.run(['workspace', 'status', '--json'], { env: dockerEnv() });
    expect(r.code, r.stderr).toBe(0);
    const res = r.json!.result as StatusResult;
    const head = (await git(mono, ['rev-parse', 'HEAD'])).trim();
    expect(res.repositories[0]).toMatchObject({ name: 'monorepo', present: true, branch: 'main', commit: head, dirty_files: ['notes.txt'], ahead: 0, behind: 0 });
    expect(res.repositories[1]).toMatchObject({ name: 'mistserver', branch: 'main', dirty_files: [], ahead: 1, behind: 0 });
    const text = await sb.run(['workspace', 'status'], { env: dockerEnv() });
    expect(text.stdout).toMatch(/monorepo\s+main @ [0-9a-f]{7}, 1 dirty, ahead 0, behind 0\s+notes\.txt/);
    expect(text.stdout).toMatch(/mistserver\s+main @ [0-9a-f]{7}, clean, ahead 1, behind 0/);
  });

  it('toolchains against what each build needs: the go directive against go version, the lockfile package manager, fixes named', async () => {
    const r = await sb.run(['workspace', 'status', '--json'], { env: { ...dockerEnv(), PATH: `${join(sb.home, 'nobin')}:${process.env.PATH}` } });
    const tools = (r.json!.result as StatusResult).toolchains;
    expect(tools.find((t) => t.tool === 'go')).toMatchObject({ required: '1.19', ok: true });
    for (const t of ['meson', 'ninja', 'c++', 'git']) expect(tools.find((x) => x.tool === t)).toMatchObject({ ok: true, fix: null });
    // The fixture has pnpm-lock.yaml: the check is for pnpm, whatever is installed.
    const pnpm = tools.find((t) => t.tool === 'pnpm')!;
    expect(pnpm).toBeDefined();
    if (!pnpm.ok) expect(pnpm.fix).toContain('corepack enable pnpm');
    const libav = tools.find((t) => t.tool === 'libav* headers')!;
    if (!libav.ok) expect(libav.fix).toMatch(/^apt-get install .*libavcodec-dev/);
  });

  it('a Go too old for the module: the fix with the version the module asks for', async () => {
    writeFileSync(join(dir, 'monorepo', 'api_sidecar', 'go.mod'), 'module x\n\ngo 1.99\n');
    const r = await sb.run(['workspace', 'status', '--json'], { env: dockerEnv() });
    const go = (r.json!.result as StatusResult).toolchains.find((t) => t.tool === 'go')!;
    expect(go).toMatchObject({ required: '1.99', ok: false });
    expect(go.fix).toContain('install Go ≥ 1.99');
    expect(go.fix).toContain('frameworks workspace build helmsman --in-container golang:1.99');
    await git(join(dir, 'monorepo'), ['checkout', '--', 'api_sidecar/go.mod']);
  });
});
