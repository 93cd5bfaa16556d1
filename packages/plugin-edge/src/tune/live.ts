import type { Executor } from '@frameworks/sdk';
import { probe } from '../lib/probe.js';
import { normalizeValue } from './compare.js';
import { procSysPath } from './targets.js';

/** A sysctl as the host sees it: `cat /proc/sys/…` through the executor (so --ssh reads the remote kernel). */
export interface LiveSysctl {
  key: string;
  /** Undefined when the key does not exist in this kernel or network namespace. */
  value?: string;
  error?: string;
}

export async function readSysctl(executor: Executor, key: string): Promise<LiveSysctl> {
  const r = await probe(executor, ['cat', procSysPath(key)], { timeoutMs: 5_000 });
  if (r.ok) return { key, value: normalizeValue(r.stdout) };
  return { key, error: r.stderr.trim() || `cat exited ${r.code}` };
}

/** All keys at once: one `cat` each, concurrently, so a missing key never hides the others. */
export async function readSysctls(executor: Executor, keys: readonly string[]): Promise<Map<string, LiveSysctl>> {
  const all = await Promise.all(keys.map((k) => readSysctl(executor, k)));
  return new Map(all.map((l) => [l.key, l]));
}

export interface LiveLimits {
  nofileSoft?: string;
  nofileHard?: string;
  nprocSoft?: string;
  nprocHard?: string;
}

/** "Max open files  20000  20000  files" and "Max processes …" lines of /proc/<pid>/limits. */
export function parseProcLimits(text: string): LiveLimits {
  const row = (name: string) => new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(text);
  const files = row('Max open files');
  const procs = row('Max processes');
  return { nofileSoft: files?.[1], nofileHard: files?.[2], nprocSoft: procs?.[1], nprocHard: procs?.[2] };
}

/**
 * The limits a process started on the host has today (`cat` reading its own /proc/self/limits,
 * inherited from the executor's session); limits.d changes them from the next login on.
 */
export async function readLiveLimits(executor: Executor): Promise<LiveLimits> {
  const r = await probe(executor, ['cat', '/proc/self/limits'], { timeoutMs: 5_000 });
  return r.ok ? parseProcLimits(r.stdout) : {};
}
