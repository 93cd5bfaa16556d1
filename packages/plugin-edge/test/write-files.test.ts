import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor, isFrameworksError, type RunOptions, type RunResult } from '@frameworks/sdk';
import { writeEdgeFiles, type RenderedFile, type WriteResult } from '../src/lib/write-files.js';

const tmp = mkdtempSync(join(tmpdir(), 'fw-write-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TOKEN = 'bt_secretsecretsecret123';
const files = (token = TOKEN, domain = 'edge.example.com'): RenderedFile[] => [
  { name: '.edge.env', content: `EDGE_ENROLLMENT_TOKEN=${token}\nEDGE_DOMAIN=${domain}\n`, mode: 0o600, secret: true },
  { name: '.edge.env.example', content: `EDGE_ENROLLMENT_TOKEN=\nEDGE_DOMAIN=${domain}\n`, mode: 0o644, secret: false },
  { name: 'Caddyfile', content: `${domain} {\n\trespond ok\n}\n`, mode: 0o644, secret: false },
];

/** Another host as the writer sees it (its shell scripts over `sh -s`), really this machine; records what it runs. */
class LoopbackHost extends LocalExecutor {
  override readonly name: string = 'ops@edge-1';
  readonly scripts: string[] = [];
  override run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    this.scripts.push(argv[0] === 'sh' ? (opts.input ?? '') : argv.join(' '));
    return super.run(argv, opts);
  }
}

let n = 0;
const newDir = () => join(tmp, `opt-edge-${++n}`);
const writes = (ex: LoopbackHost) => ex.scripts.filter((s) => s.includes('base64 -d') || s.includes('mkdir'));

describe('writeEdgeFiles through an Executor', () => {
  it('creates the folder and every file with its mode, then reports unchanged', async () => {
    const ex = new LoopbackHost();
    const dir = newDir();
    const r = await writeEdgeFiles(ex, dir, files());
    expect(r.dir_created).toBe(true);
    expect(r.files.map((f) => [f.path, f.mode, f.action])).toEqual([
      [`${dir}/.edge.env`, '0600', 'created'],
      [`${dir}/.edge.env.example`, '0644', 'created'],
      [`${dir}/Caddyfile`, '0644', 'created'],
    ]);
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toBe(files()[0].content);
    expect(statSync(join(dir, '.edge.env')).mode & 0o777).toBe(0o600);
    expect(r.files[0].bytes).toBe(Buffer.byteLength(files()[0].content));

    ex.scripts.length = 0;
    const again = await writeEdgeFiles(ex, dir, files());
    expect(again.files.map((f) => f.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(writes(ex)).toEqual([]);
  });

  it('refuses all-or-nothing when one file differs, with a masked diff; --force replaces only what differs', async () => {
    const ex = new LoopbackHost();
    const dir = newDir();
    await writeEdgeFiles(ex, dir, files());
    const next = files('bt_othertokenothertoken99', 'edge-2.example.com');
    rmSync(join(dir, '.edge.env.example')); // missing files are not written either when one conflicts
    ex.scripts.length = 0;
    let err: unknown;
    try {
      await writeEdgeFiles(ex, dir, next);
    } catch (e) {
      err = e;
    }
    expect(isFrameworksError(err) && err.code).toBe('EDGE_FILES_EXIST');
    if (!isFrameworksError(err)) return;
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/2 files already exist in \S+ on ops@edge-1 .*\(\.edge\.env, Caddyfile\)\. Nothing was written\./);
    expect(err.suggestions[0]).toMatch(/--force/);
    expect(writes(ex)).toEqual([]);
    const result = err.result as WriteResult;
    expect(result.files.map((f) => f.action)).toEqual(['conflict', 'would-create', 'conflict']);
    const envDiff = result.files[0].diff!;
    expect(envDiff).toContain(`--- ${dir}/.edge.env (on disk)`);
    expect(envDiff).toContain('-EDGE_ENROLLMENT_TOKEN=bt_s…t123 (24 chars)');
    expect(envDiff).toContain('+EDGE_ENROLLMENT_TOKEN=bt_o…en99 (25 chars)');
    expect(envDiff).toContain('+EDGE_DOMAIN=edge-2.example.com');
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain('bt_othertokenothertoken99');

    const forced = await writeEdgeFiles(ex, dir, next, { force: true });
    expect(forced.files.map((f) => f.action)).toEqual(['replaced', 'created', 'replaced']);
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toContain('bt_othertokenothertoken99');
  });

  it('--dry-run writes nothing and returns masked contents', async () => {
    const ex = new LoopbackHost();
    const dir = newDir();
    const r = await writeEdgeFiles(ex, dir, files(), { dryRun: true });
    expect(writes(ex)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(r.files.map((f) => f.action)).toEqual(['would-create', 'would-create', 'would-create']);
    expect(r.files[0].content).toContain('EDGE_ENROLLMENT_TOKEN=bt_s…t123 (24 chars)');
    expect(JSON.stringify(r)).not.toContain(TOKEN);

    await writeEdgeFiles(ex, dir, files());
    const changed = files(TOKEN, 'edge-9.example.com');
    const dry = await writeEdgeFiles(ex, dir, changed, { dryRun: true });
    expect(dry.files.map((f) => f.action)).toEqual(['conflict', 'conflict', 'conflict']);
    const dryForce = await writeEdgeFiles(ex, dir, changed, { dryRun: true, force: true });
    expect(dryForce.files.map((f) => f.action)).toEqual(['would-replace', 'would-replace', 'would-replace']);
    expect(readFileSync(join(dir, 'Caddyfile'), 'utf8')).toContain('edge.example.com');
  });

  it('fails cleanly when the folder cannot be created', async () => {
    const ex = new LoopbackHost();
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    await expect(writeEdgeFiles(ex, join(file, 'edge'), files())).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      message: expect.stringContaining('Not a directory'),
    });
  });
});

describe('writeEdgeFiles with the LocalExecutor', () => {
  it('writes real files with their modes, atomically, whatever the umask', async () => {
    const dir = join(tmp, 'local', 'nested');
    const old = process.umask(0o000);
    try {
      const r = await writeEdgeFiles(new LocalExecutor(), dir, files());
      expect(r.dir_created).toBe(true);
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, '.edge.env')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'Caddyfile')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toBe(files()[0].content);
  });

  it('leaves a differing file byte for byte as it was', async () => {
    const dir = join(tmp, 'keep');
    await writeEdgeFiles(new LocalExecutor(), dir, files());
    writeFileSync(join(dir, 'Caddyfile'), 'hand edited\n');
    await expect(writeEdgeFiles(new LocalExecutor(), dir, files(TOKEN, 'other.example.com'))).rejects.toMatchObject({ code: 'EDGE_FILES_EXIST' });
    expect(readFileSync(join(dir, 'Caddyfile'), 'utf8')).toBe('hand edited\n');
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toBe(files()[0].content);
  });
});
