import type { Executor } from '@frameworks/sdk';
import { firstLine, probe } from '../lib/probe.js';
import { check, type Check } from './types.js';

export const MIN_FREE_BYTES = 20 * 1024 ** 3;
export const MIN_FREE_PCT = 10;
export const MIN_SHM_BYTES = 1024 ** 3;

export interface DfRow {
  filesystem: string;
  totalBytes: number;
  usedBytes: number;
  availBytes: number;
  mount: string;
}

/** `df -Pk <path>`: POSIX format keeps each filesystem on one line, sizes in KiB. */
export function parseDf(stdout: string): DfRow[] {
  const rows: DfRow[] = [];
  for (const line of stdout.split('\n').slice(1)) {
    const m = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(.+)$/.exec(line.trim());
    if (m) rows.push({ filesystem: m[1], totalBytes: Number(m[2]) * 1024, usedBytes: Number(m[3]) * 1024, availBytes: Number(m[4]) * 1024, mount: m[6] });
  }
  return rows;
}

/** 1024-based, one decimal: 20.0 GiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

const DISK_THRESHOLD = `≥ ${formatBytes(MIN_FREE_BYTES)} and ≥ ${MIN_FREE_PCT} % free`;

/** Free space measured as the spec does: available blocks (what a non-root writer gets) over the total. */
export function evaluateDisk(id: string, path: string, row: DfRow | undefined, error?: string, sameAs?: string): Check {
  if (!row) return check(id, 'disk', 'warn', `${path}: ${error || 'df gave no answer'}`, DISK_THRESHOLD, `Could not measure ${path}; check it by hand: df -h ${path}`);
  const pct = row.totalBytes > 0 ? (row.availBytes / row.totalBytes) * 100 : 0;
  const value = `${formatBytes(row.availBytes)} free (${pct.toFixed(1)} % of ${formatBytes(row.totalBytes)}) on ${row.mount}${sameAs ? ` (same filesystem as ${sameAs})` : ''}`;
  if (row.totalBytes === 0 || row.availBytes < MIN_FREE_BYTES || pct < MIN_FREE_PCT) {
    return check(
      id,
      'disk',
      'fail',
      value,
      DISK_THRESHOLD,
      `Free space on ${row.mount}: remove unused images and build cache (docker system prune), old logs, or grow the disk. Recordings, the HLS cache and image layers live here.`,
      'docker system prune',
    );
  }
  return check(id, 'disk', 'pass', value, DISK_THRESHOLD);
}

export async function df(executor: Executor, path: string): Promise<{ row?: DfRow; error?: string }> {
  const r = await probe(executor, ['df', '-Pk', path], { timeoutMs: 8_000 });
  const row = parseDf(r.stdout)[0];
  return row ? { row } : { error: r.missing ? 'df not found' : r.timedOut ? 'df timed out (a hung mount?)' : firstLine(r.stderr) || `df exited ${r.code}` };
}

const SHM_THRESHOLD = `tmpfs mounted, ≥ ${formatBytes(MIN_SHM_BYTES)}`;

/**
 * /dev/shm on the host. In container mode MistServer gets its own 1 GiB (compose shm_size), so a
 * small host /dev/shm only matters for native installs: warn, not fail. A missing one fails.
 */
export function evaluateShm(row: DfRow | undefined, error?: string): Check {
  if (!row) return check('shm', 'shm', 'fail', `/dev/shm missing: ${error ?? 'df gave no answer'}`, SHM_THRESHOLD, 'Mount it: mount -t tmpfs -o size=1g tmpfs /dev/shm (and add it to /etc/fstab). MistServer keeps stream buffers there.', 'mount -t tmpfs -o size=1g tmpfs /dev/shm');
  const value = `${formatBytes(row.totalBytes)} (${formatBytes(row.availBytes)} free) ${row.filesystem} on ${row.mount}`;
  if (row.mount !== '/dev/shm') {
    return check('shm', 'shm', 'warn', value, SHM_THRESHOLD, '/dev/shm is not a mount of its own: mount a tmpfs there (mount -t tmpfs -o size=1g tmpfs /dev/shm).', 'mount -t tmpfs -o size=1g tmpfs /dev/shm');
  }
  if (row.totalBytes < MIN_SHM_BYTES) {
    return check('shm', 'shm', 'warn', value, SHM_THRESHOLD, 'Smaller than MistServer wants for a native install (containers get shm_size: 1g of their own): mount -o remount,size=1g /dev/shm.', 'mount -o remount,size=1g /dev/shm');
  }
  return check('shm', 'shm', 'pass', value, SHM_THRESHOLD);
}
