import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FrameworksError } from '../errors.js';
import { trace } from '../log.js';
import { quoteCommand } from '../exec/quote.js';
import { readProcStat } from './proc-info.js';

export interface BackgroundSpawnOptions {
  argv: string[];
  cwd: string;
  /** The whole environment of the process. */
  env: NodeJS.ProcessEnv;
  /** stdout and stderr go here (truncated first: the log of this run). */
  logFile: string;
}

export interface BackgroundProcess {
  pid: number;
  /** The process group: the process leads its own (detached, setsid), so the group outlives us and stops as one. */
  pgid: number;
  /** /proc start time (clock ticks since boot), to tell this process from a later one with the same pid. */
  startTicks?: number;
}

/**
 * Start a long-running program that outlives this CLI: its own session and process group, stdin
 * closed, stdout and stderr into `logFile` (0600), not waited for. Fails when the program cannot
 * be started at all (ENOENT, EACCES).
 */
export async function spawnBackground(o: BackgroundSpawnOptions): Promise<BackgroundProcess> {
  await mkdir(dirname(o.logFile), { recursive: true, mode: 0o700 });
  const fd = openSync(o.logFile, 'w', 0o600);
  trace(`$ ${quoteCommand(o.argv)}   (in ${o.cwd}, background, log ${o.logFile})`);
  try {
    const child = spawn(o.argv[0], o.argv.slice(1), { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', fd, fd] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    }).catch((err: NodeJS.ErrnoException) => {
      throw new FrameworksError(`Cannot start ${o.argv[0]}: ${err.code === 'ENOENT' ? 'not found' : err.message}`, { code: 'SPAWN_FAILED', cause: err });
    });
    child.unref();
    const pid = child.pid!;
    return { pid, pgid: pid, startTicks: (await readProcStat(pid))?.startTicks };
  } finally {
    closeSync(fd);
  }
}

export interface ForegroundResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** Run a program to its end with stdout and stderr appended to `logFile` (an install step before a dev server). */
export async function runToLog(o: BackgroundSpawnOptions & { signal?: AbortSignal }): Promise<ForegroundResult> {
  await mkdir(dirname(o.logFile), { recursive: true, mode: 0o700 });
  const fd = openSync(o.logFile, 'a', 0o600);
  trace(`$ ${quoteCommand(o.argv)}   (in ${o.cwd}, log ${o.logFile})`);
  try {
    const child = spawn(o.argv[0], o.argv.slice(1), { cwd: o.cwd, env: o.env, stdio: ['ignore', fd, fd], ...(o.signal ? { signal: o.signal } : {}) });
    return await new Promise<ForegroundResult>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(new FrameworksError(`Cannot run ${o.argv[0]}: ${err.code === 'ENOENT' ? 'not found' : err.message}`, { code: 'SPAWN_FAILED', cause: err })),
      );
      child.once('close', (exitCode, signal) => resolve({ exitCode, signal }));
    });
  } finally {
    closeSync(fd);
  }
}
