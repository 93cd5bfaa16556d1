import { readFile, readdir, readlink } from 'node:fs/promises';

/** What /proc/<pid>/stat says about a process (Linux); undefined when it is gone or /proc is not there. */
export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie), T … */
  state: string;
  pgrp: number;
  /** Start time in clock ticks since boot: with the pid, it names one process for good (pids are reused). */
  startTicks: number;
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it start past the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: rest[0], pgrp: Number(rest[2]), startTicks: Number(rest[19]) };
}

/** The command line of a process, arguments joined by spaces ('' when unreadable). */
export async function processCommandLine(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** True when the process exists and is not a zombie (kill(pid, 0) where /proc is missing). */
export async function processAlive(pid: number): Promise<boolean> {
  const st = await readProcStat(pid);
  if (st) return st.state !== 'Z';
  try {
    process.kill(pid, 0);
    return !(await procAvailable());
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let hasProc: boolean | undefined;
async function procAvailable(): Promise<boolean> {
  hasProc ??= await readFile('/proc/self/stat', 'utf8').then(
    () => true,
    () => false,
  );
  return hasProc;
}

async function numericEntries(dir: string): Promise<number[]> {
  try {
    return (await readdir(dir)).filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}

/**
 * The live (not zombie) members of process group `pgid`. A dev server's children stay in the group its
 * leader was started in, also after the leader is gone; zombies are left for their parent to reap.
 */
export async function processGroupMembers(pgid: number): Promise<number[]> {
  if (!(await procAvailable())) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const stats = await Promise.all((await numericEntries('/proc')).map((pid) => readProcStat(pid)));
  return stats.filter((s): s is ProcStat => s !== undefined && s.pgrp === pgid && s.state !== 'Z').map((s) => s.pid);
}

/** The pid holding the socket with this inode (scans /proc/<pid>/fd), when this user can see it. */
export async function socketHolder(inode: string): Promise<number | undefined> {
  const target = `socket:[${inode}]`;
  for (const pid of await numericEntries('/proc')) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (link === target) return pid;
    }
  }
  return undefined;
}
