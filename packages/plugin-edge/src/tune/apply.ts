import { join } from 'node:path/posix';
import { readFilesIfPresent, writeAllOrNothing, type Executor } from '@frameworks/sdk';
import { probe } from '../lib/probe.js';
import { meets, normalizeValue } from './compare.js';
import { readSysctls } from './live.js';
import type { PlannedKey, TunePlan } from './plan.js';
import { LEGACY_FILES, LIMITS_FILE, SYSCTL_FILE, procSysPath } from './targets.js';

export interface WriteOptions {
  /** Testing: write every file under this folder instead of `/`. Nothing is applied unless applyKeys says so. */
  root?: string;
  /**
   * Testing: apply only these keys (`sysctl -p -` fed just their lines). Run inside a network
   * namespace the test made, with namespaced keys only, so the host's kernel is never touched.
   */
  applyKeys?: string[];
}

export type KeyOutcomeStatus = 'applied' | 'not-applied' | 'excluded';

export interface KeyOutcome {
  key: string;
  value: string;
  status: KeyOutcomeStatus;
  live_after: string | null;
  reason?: string;
}

export interface WriteResult {
  files: Array<{ path: string; changed: boolean }>;
  removed_legacy: string[];
  apply_command: string | null;
  keys: KeyOutcome[];
  limits: { path: string; status: 'pending-login'; reason: string };
}

export function rooted(root: string | undefined, path: string): string {
  return root ? join(root, path) : path;
}

/** One assignment as `sysctl --system` / `sysctl -p` echo it, with the file it came from. */
export interface Assignment {
  file?: string;
  key: string;
  value: string;
}

/** `* Applying /etc/sysctl.d/90-x.conf ...` then `key = value` lines (procps-ng). */
export function parseSysctlApplyOutput(stdout: string): Assignment[] {
  const out: Assignment[] = [];
  let file: string | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    const applying = /^\* Applying (.+?) \.\.\.$/.exec(line);
    if (applying) {
      file = applying[1];
      continue;
    }
    const kv = /^([A-Za-z0-9_.\-/]+)\s*=\s*(.*)$/.exec(line);
    if (kv) out.push({ file, key: kv[1].replace(/\//g, '.'), value: normalizeValue(kv[2]) });
  }
  return out;
}

/** The stderr line sysctl printed about this key ("cannot stat /proc/sys/…", "permission denied on key …"). */
export function sysctlErrorFor(key: string, stderr: string): string | undefined {
  const path = procSysPath(key);
  const line = stderr.split('\n').find((l) => l.includes(path) || l.includes(`"${key}"`) || l.includes(`'${key}'`) || new RegExp(`\\b${key.replace(/\./g, '\\.')}\\b`).test(l));
  return line?.replace(/^sysctl:\s*/, '').trim();
}

/** Applied, or why not: the error sysctl gave, a later file that overrode ours, or what reads back. */
export function judgeKey(k: PlannedKey & { value: string }, liveAfter: string | undefined, assignments: Assignment[], stderr: string, ourFile: string): KeyOutcome {
  const base = { key: k.key, value: k.value, live_after: liveAfter ?? null };
  if (liveAfter !== undefined && meets(k.compare, liveAfter, k.value)) return { ...base, status: 'applied' };
  const error = sysctlErrorFor(k.key, stderr);
  if (error) return { ...base, status: 'not-applied', reason: explainError(error) };
  const last = [...assignments].reverse().find((a) => a.key === k.key);
  if (last && last.file && last.file !== ourFile && last.value !== k.value) {
    return { ...base, status: 'not-applied', reason: `overridden by ${last.file} (${k.key} = ${last.value}); remove or change that line` };
  }
  if (liveAfter === undefined) return { ...base, status: 'not-applied', reason: 'the key cannot be read back' };
  return { ...base, status: 'not-applied', reason: `reads back ${liveAfter}: the kernel did not take ${k.value}` };
}

function explainError(error: string): string {
  if (/No such file or directory/i.test(error) && /cannot stat/i.test(error)) return `${error} (not present in this kernel or network namespace)`;
  if (/permission denied|Read-only file system|Operation not permitted/i.test(error)) return `${error} (read-only here: a container or a namespace that does not own the key)`;
  return error;
}

/**
 * Write both files (all or nothing), remove the MVP's files that would override them, apply, and read
 * every key back. Root has been checked by the caller.
 */
export async function writeAndApply(executor: Executor, plan: TunePlan, opts: WriteOptions = {}): Promise<WriteResult> {
  const sysctlPath = rooted(opts.root, SYSCTL_FILE);
  const limitsPath = rooted(opts.root, LIMITS_FILE);
  const files = [
    { path: sysctlPath, content: plan.sysctlFile.content },
    { path: limitsPath, content: plan.limitsFile.content },
  ];
  // Both files or neither (the SDK's one writer); a file already as planned is left alone.
  const before = await readFilesIfPresent(executor, files.map((f) => f.path));
  const written = files.map((f, i) => ({ path: f.path, changed: before[i] !== f.content }));
  await writeAllOrNothing(
    executor,
    files.filter((_, i) => written[i].changed).map((f) => ({ path: f.path, content: f.content, mode: 0o644 })),
    { createDirs: true },
  );
  const removed: string[] = [];
  for (const legacy of LEGACY_FILES.map((p) => rooted(opts.root, p))) {
    if (await executor.exists(legacy)) {
      const rm = await probe(executor, ['rm', '-f', legacy]);
      if (rm.ok) removed.push(legacy);
    }
  }

  const inFile = plan.keys.filter((k): k is PlannedKey & { value: string } => k.value !== null);
  const selected = opts.applyKeys ? inFile.filter((k) => opts.applyKeys!.includes(k.key)) : opts.root ? [] : inFile;
  let command: string | null = null;
  let stdout = '';
  let stderr = '';
  let missing = false;
  if (selected.length) {
    // --system re-reads every sysctl.d file in boot order, so what we read back is what a reboot gives.
    const argv = opts.applyKeys ? ['sysctl', '-p', '-'] : ['sysctl', '--system'];
    const input = opts.applyKeys ? selected.map((k) => `${k.key} = ${k.value}`).join('\n') + '\n' : undefined;
    const r = await probe(executor, argv, { input, timeoutMs: 30_000 });
    command = argv.join(' ');
    ({ stdout, stderr, missing } = r);
  }
  const after = await readSysctls(
    executor,
    selected.map((k) => k.key),
  );
  const assignments = parseSysctlApplyOutput(stdout);
  const keys: KeyOutcome[] = inFile.map((k) => {
    if (!selected.includes(k)) {
      const reason = opts.applyKeys ? `not in --apply-keys (testing: only ${opts.applyKeys.join(', ')} applied)` : '--root (testing) writes the files only';
      return { key: k.key, value: k.value, status: 'excluded', live_after: null, reason };
    }
    if (missing) return { key: k.key, value: k.value, status: 'not-applied', live_after: after.get(k.key)?.value ?? null, reason: 'sysctl is not installed (procps); apply with: sysctl --system' };
    return judgeKey(k, after.get(k.key)?.value, assignments, stderr, sysctlPath);
  });
  return {
    files: written,
    removed_legacy: removed,
    apply_command: command,
    keys,
    limits: { path: limitsPath, status: 'pending-login', reason: 'pam_limits applies it at the next login; running services keep their limits until restarted' },
  };
}
