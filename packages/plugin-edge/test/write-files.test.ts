import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor, isFrameworksError, type Executor, type RunResult } from '@frameworks/sdk';
import { writeEdgeFiles, type WriteResult } from '../src/lib/write-files.js';
import type { RenderedFile } from '../src/templates/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'fw-write-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TOKEN = 'bt_secretsecretsecret123';
const files = (token = TOKEN, domain = 'edge.example.com'): RenderedFile[] => [
  { name: '.edge.env', content: `EDGE_ENROLLMENT_TOKEN=${token}\nEDGE_DOMAIN=${domain}\n`, mode: 0o600, secret: true },
  { name: '.edge.env.example', content: `EDGE_ENROLLMENT_TOKEN=\nEDGE_DOMAIN=${domain}\n`, mode: 0o644, secret: false },
  { name: 'Caddyfile', content: `${domain} {\n\trespond ok\n}\n`, mode: 0o644, secret: false },
];

/** A remote host in memory: proves that all file I/O goes through the Executor. */
class MemoryExecutor implements Executor {
  readonly name = 'ops@edge-1';
  readonly files = new Map<string, { data: string; mode: number }>();
  readonly dirs = new Set<string>();
  readonly calls: string[] = [];
  async run(argv: string[]): Promise<RunResult> {
    this.calls.push(argv.join(' '));
    if (argv[0] === 'mkdir' && argv[1] === '-p') this.dirs.add(argv[2]);
    return { code: 0, stdout: '', stderr: '', display: argv.join(' ') };
  }
  async readFile(path: string): Promise<string> {
    this.calls.push(`read ${path}`);
    const f = this.files.get(path);
    if (!f) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return f.data;
  }
  async writeFile(path: string, data: string, mode = 0o644): Promise<void> {
    this.calls.push(`write ${path} ${mode.toString(8)}`);
    this.files.set(path, { data, mode });
  }
  async exists(path: string): Promise<boolean> {
    return this.dirs.has(path) || this.files.has(path);
  }
  async close(): Promise<void> {}
}

describe('writeEdgeFiles through an Executor', () => {
  it('creates the folder and every file with its mode, then reports unchanged', async () => {
    const ex = new MemoryExecutor();
    const r = await writeEdgeFiles(ex, '/opt/edge', files());
    expect(r.dir_created).toBe(true);
    expect(ex.calls[0]).toBe('mkdir -p /opt/edge');
    expect(r.files.map((f) => [f.path, f.mode, f.action])).toEqual([
      ['/opt/edge/.edge.env', '0600', 'created'],
      ['/opt/edge/.edge.env.example', '0644', 'created'],
      ['/opt/edge/Caddyfile', '0644', 'created'],
    ]);
    expect(ex.files.get('/opt/edge/.edge.env')).toEqual({ data: files()[0].content, mode: 0o600 });
    expect(r.files[0].bytes).toBe(Buffer.byteLength(files()[0].content));

    ex.calls.length = 0;
    const again = await writeEdgeFiles(ex, '/opt/edge', files());
    expect(again.files.map((f) => f.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(ex.calls.filter((c) => c.startsWith('write') || c.startsWith('mkdir'))).toEqual([]);
  });

  it('refuses all-or-nothing when one file differs, with a masked diff; --force replaces only what differs', async () => {
    const ex = new MemoryExecutor();
    await writeEdgeFiles(ex, '/opt/edge', files());
    const next = files('bt_othertokenothertoken99', 'edge-2.example.com');
    ex.files.delete('/opt/edge/.edge.env.example'); // missing files are not written either when one conflicts
    ex.calls.length = 0;
    let err: unknown;
    try {
      await writeEdgeFiles(ex, '/opt/edge', next);
    } catch (e) {
      err = e;
    }
    expect(isFrameworksError(err) && err.code).toBe('EDGE_FILES_EXIST');
    if (!isFrameworksError(err)) return;
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/2 files already exist in \/opt\/edge on ops@edge-1 .*\(\.edge\.env, Caddyfile\)\. Nothing was written\./);
    expect(err.suggestions[0]).toMatch(/--force/);
    expect(ex.calls.filter((c) => c.startsWith('write') || c.startsWith('mkdir'))).toEqual([]);
    const result = err.result as WriteResult;
    expect(result.files.map((f) => f.action)).toEqual(['conflict', 'would-create', 'conflict']);
    const envDiff = result.files[0].diff!;
    expect(envDiff).toContain('--- /opt/edge/.edge.env (on disk)');
    expect(envDiff).toContain('-EDGE_ENROLLMENT_TOKEN=bt_s…t123 (24 chars)');
    expect(envDiff).toContain('+EDGE_ENROLLMENT_TOKEN=bt_o…en99 (25 chars)');
    expect(envDiff).toContain('+EDGE_DOMAIN=edge-2.example.com');
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain('bt_othertokenothertoken99');

    const forced = await writeEdgeFiles(ex, '/opt/edge', next, { force: true });
    expect(forced.files.map((f) => f.action)).toEqual(['replaced', 'created', 'replaced']);
    expect(ex.files.get('/opt/edge/.edge.env')!.data).toContain('bt_othertokenothertoken99');
  });

  it('--dry-run writes nothing and returns masked contents', async () => {
    const ex = new MemoryExecutor();
    const r = await writeEdgeFiles(ex, '/opt/edge', files(), { dryRun: true });
    expect(ex.calls).toEqual([]);
    expect(r.files.map((f) => f.action)).toEqual(['would-create', 'would-create', 'would-create']);
    expect(r.files[0].content).toContain('EDGE_ENROLLMENT_TOKEN=bt_s…t123 (24 chars)');
    expect(JSON.stringify(r)).not.toContain(TOKEN);

    await writeEdgeFiles(ex, '/opt/edge', files());
    const changed = files(TOKEN, 'edge-9.example.com');
    const dry = await writeEdgeFiles(ex, '/opt/edge', changed, { dryRun: true });
    expect(dry.files.map((f) => f.action)).toEqual(['conflict', 'conflict', 'conflict']);
    const dryForce = await writeEdgeFiles(ex, '/opt/edge', changed, { dryRun: true, force: true });
    expect(dryForce.files.map((f) => f.action)).toEqual(['would-replace', 'would-replace', 'would-replace']);
    expect(ex.files.get('/opt/edge/Caddyfile')!.data).toContain('edge.example.com');
  });

  it('fails cleanly when mkdir fails', async () => {
    const ex = new MemoryExecutor();
    ex.run = async (argv) => ({ code: 1, stdout: '', stderr: 'mkdir: cannot create directory: Permission denied\n', display: argv.join(' ') });
    await expect(writeEdgeFiles(ex, '/root/edge', files())).rejects.toMatchObject({ code: 'EDGE_DIR_FAILED', message: expect.stringContaining('Permission denied') });
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
