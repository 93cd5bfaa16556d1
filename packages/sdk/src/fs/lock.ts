import { hostname, userInfo } from 'node:os';
import { mkdir, open, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { ExitCode, FrameworksError } from '../errors.js';
import { tildify } from '../paths.js';
import { machineTag } from './temp-names.js';
import { pidExists } from '../proc/pid-exists.js';

/** Who holds a lock: written into `<file>.lock` when it is taken. */
interface Holder {
  pid: number;
  machine: string;
  host: string;
  user: string;
  command: string;
  started: string;
}

export interface FileLockOptions {
  /** How long to wait for a live holder (default 10 s). */
  waitMs?: number;
  /** Told when a lock left by a process that is gone is taken over. */
  onWarning?: (message: string) => void;
}

/** A lock older than this with no readable holder (being written, or proper-lockfile's folder of older versions) is stale. */
const UNKNOWN_STALE_MS = 10_000;


function me(): Holder {
  // The verb only (e.g. "context use"): arguments may be secrets.
  const words = process.argv.slice(2).filter((a) => /^[a-z][a-z-]*$/.test(a)).slice(0, 2);
  let user = '';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry
  }
  const command = `frameworks ${words.join(' ')}`.trim();
  return { pid: process.pid, machine: machineTag(), host: hostname(), user, command, started: new Date().toISOString() };
}

async function readHolder(lock: string): Promise<{ text: string; holder?: Holder; ageMs: number } | undefined> {
  let st;
  try {
    st = await stat(lock);
  } catch {
    return undefined; // released meanwhile
  }
  const ageMs = Date.now() - st.mtimeMs;
  if (st.isDirectory()) return { text: '', ageMs };
  const text = await readFile(lock, 'utf8').catch(() => '');
  try {
    const h = JSON.parse(text) as Holder;
    return typeof h.pid === 'number' && typeof h.machine === 'string' ? { text, holder: h, ageMs } : { text, ageMs };
  } catch {
    return { text, ageMs };
  }
}

/**
 * Remove a stale lock if it is still the one that was read. Under a guard folder (`<lock>.guard`,
 * mkdir is atomic) nothing else can replace an existing lock file — acquirers only create one where
 * there is none, and a live holder removes only its own — so the file compared is the file removed.
 * (Moving it aside and putting back a lock that changed meanwhile would race a new acquirer.)
 */
async function breakLock(lock: string, seen: string): Promise<boolean> {
  const guard = `${lock}.guard`;
  try {
    await mkdir(guard);
  } catch {
    // Another process is breaking it now; a guard left by a killed one is cleared after a minute.
    const st = await stat(guard).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 60_000) await rmdir(guard).catch(() => undefined);
    return false;
  }
  try {
    const st = await stat(lock).catch(() => undefined);
    if (!st) return false;
    const now = st.isDirectory() ? '' : await readFile(lock, 'utf8').catch(() => '');
    if (now !== seen) return false;
    await (st.isDirectory() ? rmdir(lock) : unlink(lock)).catch(() => undefined);
    return true;
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}

const describeHolder = (h: Holder) => `process ${h.pid} (${h.command || 'frameworks'}, ${h.user ? `${h.user}@` : ''}${h.host}, since ${h.started})`;

/**
 * Run `fn` while holding `<path>.lock`, an atomically created file that names its holder (pid,
 * machine, user, command, start). Concurrent frameworks processes serialise their read-modify-write
 * cycles, so none loses another's change. A lock whose holder process is gone (same machine) is taken
 * over at once, with a warning; a live holder is waited for (10 s), then named in the error; a lock
 * from another machine (shared home) is never broken.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  const mine = me();
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(lock, 'wx', 0o600);
      try {
        await fh.writeFile(text);
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new FrameworksError(`Cannot create the lock ${tildify(lock)}: ${(err as Error).message}`, {
          code: 'LOCK_FAILED',
          exitCode: ExitCode.FAILED,
          cause: err,
          suggestions: [`ls -ld ${tildify(path.replace(/\/[^/]*$/, ''))}   # the folder must be writable`],
        });
      }
    }
    const seen = await readHolder(lock);
    if (!seen) continue;
    const h = seen.holder;
    const gone = h ? h.machine === mine.machine && h.pid !== process.pid && !pidExists(h.pid) : seen.ageMs > UNKNOWN_STALE_MS;
    if (gone && (await breakLock(lock, seen.text))) {
      opts.onWarning?.(
        h
          ? `Took over the lock on ${tildify(path)} left by ${describeHolder(h)}, which is no longer running (killed?).`
          : `Took over a stale lock on ${tildify(path)} (${Math.round(seen.ageMs / 1000)} s old, no holder recorded).`,
      );
      continue;
    }
    if (Date.now() > deadline) {
      const who = h ? describeHolder(h) : 'an unknown process';
      const foreign = h && h.machine !== mine.machine;
      const waited = Math.round((opts.waitMs ?? 10_000) / 1000);
      throw new FrameworksError(`${tildify(path)} is locked by ${who}${foreign ? ', on another machine' : ''}; waited ${waited} s.`, {
        code: 'LOCK_TIMEOUT',
        exitCode: ExitCode.FAILED,
        suggestions: [
          'Retry when that command has finished',
          `If no frameworks command is running${foreign ? ` on ${h.host}` : ''}: rm ${tildify(lock)}`,
        ],
      });
    }
    await new Promise((r) => setTimeout(r, Math.min(150, 5 * 1.3 ** attempt) * (0.5 + Math.random())));
  }
  try {
    return await fn();
  } finally {
    // Release only what is still ours.
    if ((await readFile(lock, 'utf8').catch(() => '')) === text) await unlink(lock).catch(() => undefined);
  }
}
