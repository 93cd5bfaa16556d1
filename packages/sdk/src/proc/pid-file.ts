import { readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../fs/atomic.js';
import { processCommandLine, readProcStat } from './proc-info.js';
import { pidExists } from './pid-exists.js';

/** What a pid file records about a background process (JSON, 0600). */
export interface PidRecord {
  pid: number;
  pgid: number;
  /** /proc start time of `pid`; absent where /proc is not available. */
  start_ticks?: number;
  started_at: string;
  /** What was started, for humans and for the reuse check's message. */
  command: string[];
  [key: string]: unknown;
}

export type PidState =
  | { state: 'none' }
  | { state: 'running'; record: PidRecord }
  /** The pid file names a process that is gone, or whose pid now belongs to another program. */
  | { state: 'stale'; record: PidRecord; reason: 'gone' | 'reused'; now_running?: string }
  | { state: 'unreadable'; text: string };

export async function writePidFile(path: string, record: PidRecord): Promise<void> {
  await ensurePrivateDir(dirname(path));
  await writeFileAtomic(path, JSON.stringify(record, null, 2) + '\n', 0o600);
}

export async function removePidFile(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/** Read a pid file and check that the process it names is that very process (pid and start time). */
export async function checkPidFile(path: string): Promise<PidState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none' };
    throw err;
  }
  let record: PidRecord;
  try {
    record = JSON.parse(text) as PidRecord;
    if (!Number.isInteger(record.pid) || record.pid <= 0 || !Number.isInteger(record.pgid)) throw new Error('no pid');
  } catch {
    return { state: 'unreadable', text: text.slice(0, 200) };
  }
  const st = await readProcStat(record.pid);
  if (st === undefined || st.state === 'Z') {
    // Without /proc, kill(pid, 0) is all there is.
    if (st === undefined && record.start_ticks === undefined && pidExists(record.pid)) return { state: 'running', record };
    return { state: 'stale', record, reason: 'gone' };
  }
  if (record.start_ticks !== undefined && st.startTicks !== record.start_ticks) {
    return { state: 'stale', record, reason: 'reused', now_running: await processCommandLine(record.pid) };
  }
  return { state: 'running', record };
}

