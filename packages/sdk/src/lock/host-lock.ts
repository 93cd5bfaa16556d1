import { hostname, userInfo } from 'node:os';
import { posix } from 'node:path';
import { ExitCode, FrameworksError } from '../errors.js';
import type { Executor } from '../exec/types.js';
import { failureOfStderr, writeFailureError } from '../fs/write-errors.js';
import { pidExists } from '../proc/pid-exists.js';

/**
 * One change at a time per stack: a lock file created atomically in the folder a mutating command
 * changes, on the host it changes (locally or over SSH, one round trip per attempt). The holder is
 * the frameworks process (user@machine, pid), which is why a dead holder can be recognised only on
 * the machine it ran on; a lock from another machine is never broken without --force.
 */
export const LOCK_FILE = '.frameworks.lock';

export interface LockHolder {
  user: string;
  machine: string;
  pid: number;
  /** "frameworks edge update". */
  command: string;
  /** RFC 3339. */
  started_at: string;
  message: string | null;
}

export type LockState =
  | { state: 'free'; path: string }
  | { state: 'held'; path: string; holder: LockHolder; raw: string; held_ms: number; liveness: 'alive' | 'dead' | 'unknown' };

export interface HeldLock {
  path: string;
  holder: LockHolder;
  /** The stale holder this run took over, if any. */
  took_over: LockHolder | null;
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** The lock file's folder on that host (must exist). */
  dir: string;
  file?: string;
  /** Create the folder first (a host-wide lock under /run). */
  ensureDir?: boolean;
  command: string;
  message?: string;
  /** How long to wait for a live holder (0: refuse at once). */
  waitMs?: number;
  intervalMs?: number;
  /** "the edge stack in /opt/edge on ops@edge-1": used in messages. */
  what: string;
  /** Commands for the LOCKED error (status, release). */
  hints?: string[];
  onWait?: (holder: LockHolder, heldMs: number) => void;
  onTakeOver?: (holder: LockHolder) => void;
  signal?: AbortSignal;
}

const MARK = 'FW-LOCK';

// $1 dir, $2 file name, $3 holder line. Written to a temp name, then hard-linked into place:
// link(2) fails when the name exists, and the file is whole the moment it appears. The holder line goes
// through cat: dash's printf reports a full disk only as "I/O error", cat names ENOSPC.
const ACQUIRE = `d=$1; f=$2; t="$d/.$2.$$.tmp"; export LC_ALL=C
[ "$4" = 1 ] && mkdir -p "$d" 2>/dev/null
[ -d "$d" ] || { echo "${MARK} NODIR"; exit 0; }
if ! e=$( { printf '%s\\n' "$3" | cat > "$t"; } 2>&1 ); then rm -f "$t"; echo "${MARK} UNWRITABLE"; printf '%s\\n' "$e"; exit 0; fi
if ln "$t" "$d/$f" 2>/dev/null; then rm -f "$t"; echo "${MARK} ACQUIRED"; exit 0; fi
rm -f "$t"; echo "${MARK} HELD"; cat "$d/$f" 2>/dev/null; exit 0`;

// $1 path, $2 the exact content to remove: compare-and-remove under a guard folder ($1.guard, mkdir is
// atomic). Nothing else replaces an existing lock file (acquirers only link(2) a new one where there is
// none), so with the guard held the file compared is the file removed. A guard left by a killed run is
// cleared after a minute; BUSY tells the caller to try again.
const REMOVE = `p=$1; g="$1.guard"
if ! mkdir "$g" 2>/dev/null; then
  [ -n "$(find "$g" -maxdepth 0 -mmin +1 2>/dev/null)" ] && rmdir "$g" 2>/dev/null
  echo "${MARK} BUSY"; exit 0
fi
if [ ! -e "$p" ]; then rmdir "$g"; echo "${MARK} GONE"; exit 0; fi
if [ "$(cat "$p")" = "$2" ]; then rm -f "$p"; rmdir "$g"; echo "${MARK} REMOVED"; exit 0; fi
rmdir "$g"; echo "${MARK} CHANGED"; exit 0`;

const READ = `if [ -e "$1" ]; then echo "${MARK} HELD"; cat "$1"; else echo "${MARK} FREE"; fi`;

export function currentHolder(command: string, message?: string): LockHolder {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  return { user, machine: hostname(), pid: process.pid, command, started_at: new Date().toISOString(), message: message ?? null };
}

/** Is the holder's process gone? Known only on its own machine. */
export function holderLiveness(h: LockHolder): 'alive' | 'dead' | 'unknown' {
  if (h.machine !== hostname()) return 'unknown';
  if (h.pid === process.pid) return 'alive';
  return pidExists(h.pid) ? 'alive' : 'dead';
}

export function describeHolder(h: LockHolder, heldMs: number): string {
  return `${h.user}@${h.machine} (pid ${h.pid}, "${h.command}", for ${formatAge(heldMs)}${h.message ? `: ${h.message}` : ''})`;
}

export async function readHostLock(executor: Executor, path: string): Promise<LockState> {
  const r = await executor.run(['sh', '-c', READ, 'sh', path], { timeoutMs: 30_000 });
  const out = parseOutput(r.stdout);
  if (r.code !== 0 || !out) throw scriptError(`read the lock ${path}`, r);
  if (out.status === 'FREE') return { state: 'free', path };
  return heldState(path, out.body);
}

/**
 * Take the lock, or throw LOCKED (exit 1) naming the holder and how long it has held it. A holder
 * whose process is gone on this machine is taken over (onTakeOver warns); a live one, or one from
 * another machine, is waited for up to `waitMs`.
 */
export async function acquireHostLock(executor: Executor, o: AcquireOptions): Promise<HeldLock> {
  const file = o.file ?? LOCK_FILE;
  const path = posix.join(o.dir, file);
  const holder = currentHolder(o.command, o.message);
  const line = JSON.stringify(holder);
  const deadline = Date.now() + (o.waitMs ?? 0);
  let tookOver: LockHolder | null = null;
  let waited = false;
  for (;;) {
    const r = await executor.run(['sh', '-c', ACQUIRE, 'sh', o.dir, file, line, o.ensureDir ? '1' : '0'], { timeoutMs: 30_000 });
    const out = parseOutput(r.stdout);
    if (r.code !== 0 || !out) throw scriptError(`take the lock ${path}`, r);
    if (out.status === 'ACQUIRED') {
      return { path, holder, took_over: tookOver, release: () => removeLock(executor, path, line).then(() => undefined) };
    }
    if (out.status === 'NODIR') {
      throw new FrameworksError(`Cannot lock ${o.what}: the folder ${o.dir} does not exist.`, { code: 'LOCK_NO_FOLDER', exitCode: ExitCode.FAILED });
    }
    if (out.status === 'UNWRITABLE') {
      // A full disk or a read-only mount is said as such (the writer's words), not as permissions.
      const failure = failureOfStderr(out.body);
      if (failure === 'ENOSPC' || failure === 'EROFS') {
        throw await writeFailureError({ executor, path, failure, reason: out.body.trim(), untouched: true });
      }
      throw new FrameworksError(`Cannot lock ${o.what}: ${o.dir} is not writable for this user (the lock file ${file} goes there).`, {
        code: 'LOCK_UNWRITABLE',
        exitCode: ExitCode.FORBIDDEN,
        suggestions: [`ls -ld ${o.dir}`],
        ...(out.body.trim() ? { detail: out.body.trim() } : {}),
      });
    }
    const held = heldState(path, out.body);
    if (held.state === 'held' && held.liveness === 'dead') {
      // The same machine, and its process is gone: a crash or kill -9 left it.
      if ((await removeLock(executor, path, held.raw)) !== 'CHANGED') {
        tookOver = held.holder;
        o.onTakeOver?.(held.holder);
      }
      continue;
    }
    if (held.state === 'free') continue;
    const left = deadline - Date.now();
    if (o.signal?.aborted) {
      throw new FrameworksError(`Interrupted while waiting for the lock of ${o.what}, held by ${describeHolder(held.holder, held.held_ms)}. Nothing was changed.`, {
        code: 'INTERRUPTED',
        exitCode: ExitCode.INTERRUPTED,
        name: 'InterruptedError',
      });
    }
    if (left <= 0) {
      const h = held.holder;
      throw new FrameworksError(
        `${capitalise(o.what)} is locked by ${describeHolder(h, held.held_ms)}${waited ? `; waited ${formatAge(o.waitMs ?? 0)}` : ''}. Nothing was changed.`,
        {
          code: 'LOCKED',
          exitCode: ExitCode.FAILED,
          suggestions: o.hints ?? [],
          result: { lock: path, holder: h, held_ms: held.held_ms, liveness: held.liveness },
        },
      );
    }
    if (!waited) o.onWait?.(held.holder, held.held_ms);
    waited = true;
    await sleep(Math.min(left, o.intervalMs ?? 500), o.signal);
  }
}

/**
 * Remove the lock at `path` if it still holds `raw` (what was read): REMOVED, GONE (no lock any
 * more) or CHANGED (someone else's newer lock, left in place).
 */
export async function removeLock(executor: Executor, path: string, raw: string): Promise<'REMOVED' | 'GONE' | 'CHANGED'> {
  for (let attempt = 0; ; attempt++) {
    const r = await executor.run(['sh', '-c', REMOVE, 'sh', path, raw], { timeoutMs: 30_000 });
    const out = parseOutput(r.stdout);
    if (r.code !== 0 || !out || !['REMOVED', 'GONE', 'CHANGED', 'BUSY'].includes(out.status)) throw scriptError(`remove the lock ${path}`, r);
    if (out.status !== 'BUSY') return out.status as 'REMOVED' | 'GONE' | 'CHANGED';
    // Another run is removing a lock there right now (milliseconds); a guard left by a killed one clears in a minute.
    if (attempt >= 700) throw scriptError(`remove the lock ${path} (its guard ${path}.guard stays)`, r);
    await sleep(Math.min(100, 5 * 2 ** attempt));
  }
}

function heldState(path: string, body: string): LockState {
  const raw = body.replace(/\n$/, '');
  const holder = parseHolder(raw);
  const started = Date.parse(holder.started_at);
  return { state: 'held', path, holder, raw, held_ms: Number.isNaN(started) ? 0 : Math.max(0, Date.now() - started), liveness: holderLiveness(holder) };
}

/** A lock file that is not ours (hand-made, truncated) still locks; it just says less. */
function parseHolder(raw: string): LockHolder {
  try {
    const d = JSON.parse(raw) as Partial<LockHolder>;
    return {
      user: String(d.user ?? 'unknown'),
      machine: String(d.machine ?? 'unknown'),
      pid: Number(d.pid ?? 0),
      command: String(d.command ?? 'unknown'),
      started_at: String(d.started_at ?? ''),
      message: d.message == null ? null : String(d.message),
    };
  } catch {
    return { user: 'unknown', machine: 'unknown', pid: 0, command: 'unknown', started_at: '', message: raw.slice(0, 200) || null };
  }
}

function parseOutput(stdout: string): { status: string; body: string } | undefined {
  const i = stdout.indexOf(`${MARK} `);
  if (i < 0) return undefined;
  const rest = stdout.slice(i + MARK.length + 1);
  const nl = rest.indexOf('\n');
  return nl < 0 ? { status: rest.trim(), body: '' } : { status: rest.slice(0, nl).trim(), body: rest.slice(nl + 1) };
}

function scriptError(what: string, r: { code: number; stderr: string; display: string }): FrameworksError {
  const why = r.stderr.trim().split('\n').slice(-3).join(' ') || `exit ${r.code}`;
  return new FrameworksError(`Could not ${what}: ${why}`, { code: 'LOCK_FAILED', exitCode: ExitCode.FAILED });
}

/** 4s, 2m05s, 1h02m, 3d04h. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
