import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor, isFrameworksError, writeAllOrNothing, type FrameworksError, type RunOptions, type RunResult } from '../src/index.js';
import { machineTag } from '../src/fs/temp-names.js';

const tmp = mkdtempSync(join(tmpdir(), 'fw-txn-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Another host, as the writer sees it (its shell-script path), that is really this machine; PATH can be shimmed. */
class LoopbackHost extends LocalExecutor {
  override readonly name: string = 'ops@edge-1:2222';
  constructor(private readonly pathPrefix?: string) {
    super();
  }
  override run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const env = this.pathPrefix ? { ...opts.env, PATH: `${this.pathPrefix}:${process.env.PATH}` } : opts.env;
    return super.run(argv, { ...opts, env });
  }
}

/** An `mv` that refuses to rename onto any path containing FAILME, as an immutable file would. */
function mvShim(): string {
  const bin = join(tmp, 'shim-bin');
  mkdirSync(bin, { recursive: true });
  const script = [
    '#!/bin/sh',
    'for last; do :; done',
    'case "$last" in *FAILME*) echo "mv: cannot move: Operation not permitted" >&2; exit 1;; esac',
    'exec /bin/mv "$@"',
    '',
  ];
  writeFileSync(join(bin, 'mv'), script.join('\n'), { mode: 0o755 });
  return bin;
}

async function failure(p: Promise<unknown>): Promise<FrameworksError> {
  try {
    await p;
  } catch (err) {
    if (isFrameworksError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n), 'utf8')]));

/** A pid that is certainly gone: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe.each([
  ['this machine', () => new LocalExecutor()],
  ['another host (shell scripts)', () => new LoopbackHost()],
])('writeAllOrNothing on %s', (_label, executor) => {
  it('writes every file with its mode, creates missing folders, leaves no temp file, writes through a symlink', async () => {
    const dir = join(tmp, `w-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'real.yaml'), 'old\n');
    symlinkSync('real.yaml', join(dir, 'link.yaml'));
    const r = await writeAllOrNothing(
      executor(),
      [
        { path: join(dir, 'link.yaml'), content: 'through the link ✓\n', mode: 0o600 },
        { path: join(dir, 'sub', 'deeper', 'new.txt'), content: '', mode: 0o644 },
      ],
      { createDirs: true },
    );
    expect(readlinkSync(join(dir, 'link.yaml'))).toBe('real.yaml');
    expect(readFileSync(join(dir, 'real.yaml'), 'utf8')).toBe('through the link ✓\n');
    expect(statSync(join(dir, 'real.yaml')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'sub', 'deeper', 'new.txt'), 'utf8')).toBe('');
    expect(r.dirs_created).toEqual([join(dir, 'sub'), join(dir, 'sub', 'deeper')]);
    expect(r.files.map((f) => f.created)).toEqual([false, true]);
    expect(readdirSync(dir).sort()).toEqual(['link.yaml', 'real.yaml', 'sub']);
  });

  it('removes the temp files of a killed run (process gone) and keeps those of a live one', async () => {
    const dir = join(tmp, `s-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    const dead = `.a.txt.fwtmp.${machineTag()}.${await deadPid()}.${(Date.now() - 5000).toString(36)}.0badc0de`;
    const live = `.a.txt.fwtmp.${machineTag()}.${process.ppid}.${Date.now().toString(36)}.0000beef`;
    writeFileSync(join(dir, dead), '');
    writeFileSync(join(dir, live), 'half');
    const r = await writeAllOrNothing(executor(), [{ path: join(dir, 'a.txt'), content: 'new\n' }]);
    expect(r.stale_removed).toEqual([join(dir, dead)]);
    expect(readdirSync(dir).sort()).toEqual([live, 'a.txt']);
  });
});

describe('a rename that fails half way puts back what was already replaced', () => {
  const setup = () => {
    const dir = join(tmp, `r-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    writeFileSync(join(dir, '1-env'), 'TOKEN=old\n', { mode: 0o600 });
    writeFileSync(join(dir, '3-FAILME'), 'old three\n');
    const files = [
      { path: join(dir, '1-env'), content: 'TOKEN=new\n', mode: 0o600 },
      { path: join(dir, '2-new'), content: 'created\n' },
      { path: join(dir, '3-FAILME'), content: 'new three\n' },
    ];
    return { dir, files, before: snapshot(dir) };
  };

  it('on this machine', async () => {
    const { dir, files, before } = setup();
    const hooks = {
      beforeRename: (i: number) => {
        if (i === 2) throw Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' });
      },
    };
    const err = await failure(writeAllOrNothing(new LocalExecutor(), files, { hooks }));
    expect(err).toMatchObject({ code: 'WRITE_PERMISSION_DENIED', exitCode: 1 });
    expect(err.message).toContain('Nothing was changed');
    expect(snapshot(dir)).toEqual(before);
  });

  it('on another host (one commit script)', async () => {
    const { dir, files, before } = setup();
    const err = await failure(writeAllOrNothing(new LoopbackHost(mvShim()), files));
    expect(err).toMatchObject({ code: 'WRITE_PERMISSION_DENIED', exitCode: 1 });
    expect(err.message).toMatch(/3-FAILME on ops@edge-1:2222: the operation is not permitted/);
    expect(err.message).toContain('Nothing was changed');
    expect(err.suggestions[0]).toMatch(/^ssh -p 2222 ops@edge-1 lsattr /);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, '2-new'))).toBe(false);
  });
});
