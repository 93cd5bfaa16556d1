import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalExecutor, acquireHostLock, isFrameworksError, readHostLock, removeLock } from '../src/index.js';

const ex = new LocalExecutor();
const base = { command: 'frameworks edge update', what: 'the stack in test' };

describe('host lock (local executor)', () => {
  it('one holder at a time; the second is refused with LOCKED naming the first; release frees it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-lock-'));
    const a = await acquireHostLock(ex, { ...base, dir, message: 'first' });
    expect(JSON.parse(readFileSync(a.path, 'utf8'))).toMatchObject({ pid: process.pid, machine: hostname(), command: 'frameworks edge update', message: 'first' });
    const err = await acquireHostLock(ex, { ...base, dir }).catch((e: unknown) => e);
    expect(isFrameworksError(err) && err.code).toBe('LOCKED');
    expect((err as Error).message).toMatch(/^The stack in test is locked by \S+ \(pid \d+, "frameworks edge update", for 0s: first\)\. Nothing was changed\.$/);
    await a.release();
    expect((await readHostLock(ex, a.path)).state).toBe('free');
    expect(existsSync(a.path)).toBe(false);
  });

  it('takes over a dead holder of this machine; never removes a lock that changed since it was read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-lock-'));
    const dead = spawnSync('true').pid!;
    writeFileSync(join(dir, '.frameworks.lock'), JSON.stringify({ user: 'x', machine: hostname(), pid: dead, command: 'c', started_at: new Date().toISOString(), message: null }) + '\n');
    const taken: number[] = [];
    const l = await acquireHostLock(ex, { ...base, dir, onTakeOver: (h) => taken.push(h.pid) });
    expect(taken).toEqual([dead]);
    expect(l.took_over?.pid).toBe(dead);
    expect(await removeLock(ex, l.path, 'something else')).toBe('CHANGED');
    expect(existsSync(l.path)).toBe(true);
    await l.release();
    expect(existsSync(l.path)).toBe(false);
  });
});
