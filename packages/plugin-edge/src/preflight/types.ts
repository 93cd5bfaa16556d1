/** Shared shapes of `edge preflight` (and of `edge doctor`, which reuses the checks). */

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/**
 * The remediation of a failed check is chosen by its category, never by a substring of its
 * name (the Go CLI mapped `ip_local_port_range` to "free the port" that way).
 */
export type CheckCategory = 'dns' | 'ports' | 'time' | 'docker' | 'disk' | 'shm' | 'sysctl' | 'limits';

export interface Check {
  /** Stable id: dns, port-80, clock, docker, compose, disk-root, disk-docker, shm, nofile, sysctl:<key>. */
  id: string;
  category: CheckCategory;
  status: CheckStatus;
  /** What was seen on the host, human-readable. */
  value: string;
  /** What it is compared with. */
  threshold: string;
  /** Why it failed or what to do; empty for a plain pass. */
  hint: string;
  /** A command that fixes it, when one exists. */
  fix?: string;
}

export interface Summary {
  total: number;
  pass: number;
  warn: number;
  fail: number;
  skip: number;
  ok: boolean;
  duration_ms: number;
}

export interface PreflightReport {
  host: string;
  dir: string;
  checks: Check[];
  summary: Summary;
}

export function summarize(checks: Check[], durationMs: number): Summary {
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  const fail = count('fail');
  return { total: checks.length, pass: count('pass'), warn: count('warn'), fail, skip: count('skip'), ok: fail === 0, duration_ms: durationMs };
}

export function check(id: string, category: CheckCategory, status: CheckStatus, value: string, threshold: string, hint = '', fix?: string): Check {
  return fix ? { id, category, status, value, threshold, hint, fix } : { id, category, status, value, threshold, hint };
}
