import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { posix } from 'node:path';
import { pidExists } from '../proc/pid-exists.js';

/**
 * Names of the writer's temp and backup files, next to their target: `.<name>.fwtmp.<machine>.<pid>.<start>.<rand>`.
 * The name says who made it, so a later run can tell the leftovers of a killed run (same machine,
 * process gone; or older than an hour, whichever machine wrote it) from a transaction in progress.
 */
const PATTERN = /^\..*\.fw(tmp|bak)\.([0-9a-f]{8})\.(\d+)\.([0-9a-z]+)\.[0-9a-f]{8}$/;
/** A transaction takes seconds: an hour-old temp file of another machine's run is a leftover. */
const FOREIGN_STALE_MS = 60 * 60 * 1000;

let machine: string | undefined;

/** This machine, as a short tag: hostname plus /etc/machine-id (two hosts may share a hostname). */
export function machineTag(): string {
  if (!machine) {
    let id = '';
    try {
      id = readFileSync('/etc/machine-id', 'utf8').trim();
    } catch {
      // not every system has one; the hostname alone then
    }
    machine = createHash('sha256').update(`${hostname()}\n${id}`).digest('hex').slice(0, 8);
  }
  return machine;
}

const started = Date.now().toString(36);

/** The temp (or backup) name for `path`, in the same folder. */
export function sideName(path: string, kind: 'tmp' | 'bak'): string {
  const base = posix.basename(path).slice(0, 100); // room for the suffix within NAME_MAX
  return posix.join(posix.dirname(path), `.${base}.fw${kind}.${machineTag()}.${process.pid}.${started}.${randomBytes(4).toString('hex')}`);
}

export function isSideName(name: string): boolean {
  return PATTERN.test(name);
}


/** A leftover of an earlier run that no longer runs: safe to remove. */
export function isStaleSideName(name: string, now = Date.now()): boolean {
  const m = PATTERN.exec(name);
  if (!m) return false;
  const [, , tag, pidText, start] = m;
  const pid = Number(pidText);
  if (tag === machineTag()) return pid !== process.pid && !pidExists(pid);
  return now - parseInt(start, 36) > FOREIGN_STALE_MS;
}

/**
 * Temp names of the writers this one replaced, which a killed run may have left: `.<name>.<pid>.<8 hex>.tmp`
 * (writeFileAtomic, on the machine that holds the file) and `.<name>.<12 hex>.tmp` (the SSH writeFile).
 * They carry no start time, so the file's age decides, and the pid where there is one.
 */
const LEGACY_PID = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const LEGACY_RANDOM = /^\..+\.[0-9a-f]{12}\.tmp$/;
/** Those writers took milliseconds: ten minutes is far beyond any write still in progress. */
export const LEGACY_STALE_MINUTES = 10;

export function isLegacyTempName(name: string): boolean {
  return LEGACY_PID.test(name) || LEGACY_RANDOM.test(name);
}

/** A legacy temp file on this machine, last modified at `mtimeMs`: a leftover when old enough and its writer (if named) is gone. */
export function isStaleLegacyTemp(name: string, mtimeMs: number, now = Date.now()): boolean {
  if (!isLegacyTempName(name) || now - mtimeMs <= LEGACY_STALE_MINUTES * 60_000) return false;
  const pid = LEGACY_PID.exec(name)?.[1];
  return pid === undefined || !pidExists(Number(pid));
}
