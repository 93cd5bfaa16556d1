import { localDate } from './output/time.js';
import { Flags } from '@oclif/core';
import {
  ExitCode,
  FrameworksError,
  acquireHostLock,
  isFrameworksError,
  describeHolder,
  readHostLock,
  removeLock,
  type HeldLock,
  type HostContext,
  type LockHolder,
  type LockState,
} from '@frameworks/sdk';

/** Flags of every verb that changes a host (it takes that host's lock). */
export const lockFlags = {
  'lock-wait': Flags.string({
    helpGroup: 'LOCK',
    default: '0',
    description: 'Wait this long (e.g. 30s, 5m) for another run that holds the lock of the stack; default 0: refuse at once (exit 1, LOCKED).',
  }),
  'lock-message': Flags.string({ helpGroup: 'LOCK', description: 'Why this run holds the lock; shown to anyone who finds it locked.' }),
};

export interface LockScope {
  /** Folder of the lock file on the host (default: the command's folder). */
  dir?: string;
  file?: string;
  ensureDir?: boolean;
  /** "the edge stack in /opt/edge": used in messages. */
  what: string;
  /** LOCKED's suggestions: the status and release commands. */
  hints: string[];
}

export interface LockHooks {
  waitMs: number;
  message?: string;
  command: string;
  signal: AbortSignal;
  warn(text: string, code: string): void;
  info(text: string): void;
}

/** Take the host's lock, run `fn`, release it whatever happens (errors and interrupts included). */
export async function withHostLock<R>(h: HostContext, scope: LockScope, hooks: LockHooks, fn: (lock: HeldLock | null) => Promise<R>): Promise<R> {
  const where = h.remote ? ` on ${h.host}` : '';
  const lock = await acquireHostLock(h.executor, {
    dir: scope.dir ?? h.dir,
    ...(scope.file ? { file: scope.file } : {}),
    ...(scope.ensureDir ? { ensureDir: true } : {}),
    command: hooks.command,
    ...(hooks.message ? { message: hooks.message } : {}),
    waitMs: hooks.waitMs,
    what: `${scope.what}${where}`,
    hints: scope.hints,
    onWait: (holder, heldMs) => hooks.info(`Waiting for the lock of ${scope.what}${where}, held by ${describeHolder(holder, heldMs)}…`),
    onTakeOver: (holder) =>
      hooks.warn(
        `Took over the lock of ${scope.what}${where}: its holder ${holder.user}@${holder.machine} (pid ${holder.pid}, "${holder.command}") is no longer running.`,
        'LOCK_TAKEN_OVER',
      ),
    signal: hooks.signal,
  }).catch((err: unknown) => {
    // No folder, no stack to protect: the command says what is missing (or creates it, edge init).
    if (isFrameworksError(err) && err.code === 'LOCK_NO_FOLDER') return null;
    throw err;
  });
  if (!lock) return fn(null);
  try {
    return await fn(lock);
  } finally {
    await lock.release().catch((err: Error) => hooks.warn(`Could not remove the lock ${lock.path}${where}: ${err.message}`, 'LOCK_RELEASE_FAILED'));
  }
}

export interface LockView {
  host: string;
  path: string;
  locked: boolean;
  holder: LockHolder | null;
  held_ms: number | null;
  /** alive / dead: the holder's process on this machine; unknown: another machine. */
  liveness: 'alive' | 'dead' | 'unknown' | null;
}

export function lockView(host: string, s: LockState): LockView {
  return s.state === 'free'
    ? { host, path: s.path, locked: false, holder: null, held_ms: null, liveness: null }
    : { host, path: s.path, locked: true, holder: s.holder, held_ms: s.held_ms, liveness: s.liveness };
}

export async function lockStatus(h: HostContext, path: string): Promise<LockView> {
  return lockView(h.host, await readHostLock(h.executor, path));
}

/**
 * Remove the lock at `path`. A holder whose process is gone on this machine needs nothing more; a
 * live one, or one from another machine (whose process cannot be seen from here), needs --force.
 */
export async function lockRelease(h: HostContext, path: string, force: boolean, forceHint: string): Promise<LockView & { released: boolean; note: string }> {
  const s = await readHostLock(h.executor, path);
  if (s.state === 'free') return { ...lockView(h.host, s), released: false, note: 'not locked' };
  if (s.liveness !== 'dead' && !force) {
    const why =
      s.liveness === 'alive' ? 'its process is still running' : `it was taken on another machine (${s.holder.machine}), where this command cannot see whether it still runs`;
    throw new FrameworksError(`${path}${h.remote ? ` on ${h.host}` : ''} is held by ${describeHolder(s.holder, s.held_ms)}: ${why}. Nothing was removed.`, {
      code: 'LOCK_HELD',
      exitCode: ExitCode.FAILED,
      suggestions: [`${forceHint}   # only when that run is really gone`],
      result: lockView(h.host, s),
    });
  }
  const r = await removeLock(h.executor, path, s.raw);
  const note = {
    REMOVED: s.liveness === 'dead' ? 'removed (its holder was no longer running)' : 'removed (--force)',
    GONE: 'released meanwhile by its holder',
    CHANGED: 'a new lock was taken meanwhile; left in place',
  }[r];
  return { ...lockView(h.host, s), released: r === 'REMOVED', note };
}

/** One line for `lock status`: who holds it, for how long, and whether that process still runs. */
export function describeLockView(v: LockView): string {
  if (!v.locked || !v.holder) return `not locked (${v.path})`;
  const state = { alive: 'its process is running', dead: 'its process is gone: the next run takes it over', unknown: 'taken on another machine' }[v.liveness ?? 'unknown'];
  return `locked by ${describeHolder(v.holder, v.held_ms ?? 0)} since ${localDate(v.holder.started_at)}; ${state} (${v.path})`;
}
