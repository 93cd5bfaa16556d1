import { desiredValue, describeThreshold, meets, normalizeValue } from './compare.js';
import type { CongestionSupport } from './kernel.js';
import type { LiveLimits, LiveSysctl } from './live.js';
import { LIMIT_LINES, LIMITS_FILE, SYSCTL_FILE, SYSCTL_TARGETS, type Compare, type LimitLine, type SysctlTarget } from './targets.js';

/**
 * What tuning does to one key:
 * - set: written, and the live value changes;
 * - ok: written, the live value already equals it;
 * - keep: left out of the file, the live value is already better than the target;
 * - omit: left out, the kernel does not offer it (missing key, no bbr, no fq).
 */
export type KeyAction = 'set' | 'ok' | 'keep' | 'omit';

export interface PlannedKey {
  key: string;
  target: string;
  compare: Compare;
  threshold: string;
  live: string | null;
  /** The value the file holds (null when the key is left out). */
  value: string | null;
  action: KeyAction;
  reason: string;
}

export interface TunePlan {
  keys: PlannedKey[];
  sysctlFile: { path: string; content: string };
  limitsFile: { path: string; content: string };
  limits: PlannedLimit[];
}

export function planKey(t: SysctlTarget, live: LiveSysctl | undefined, support: CongestionSupport): PlannedKey {
  const base = { key: t.key, target: t.value, compare: t.compare, threshold: describeThreshold(t.compare, t.value), live: live?.value ?? null };
  if (t.requires && !support[t.requires].available) return { ...base, value: null, action: 'omit', reason: support[t.requires].reason };
  if (live?.value === undefined) {
    return { ...base, value: null, action: 'omit', reason: `not present in this kernel${live?.error ? ` (${live.error})` : ''}` };
  }
  const value = desiredValue(t.compare, live.value, t.value);
  if (value === normalizeValue(live.value) && value !== normalizeValue(t.value)) {
    return { ...base, value: null, action: 'keep', reason: `the live ${live.value} is already better than ${t.value}; left as it is` };
  }
  if (value === normalizeValue(live.value)) return { ...base, value, action: 'ok', reason: 'already set' };
  return { ...base, value, action: 'set', reason: meets(t.compare, live.value, t.value) ? t.why : `${live.value} → ${value}: ${t.why}` };
}

export interface PlannedLimit {
  line: string;
  live: string | null;
  target: string;
  /** Written, or left out because the live limit is already higher (nproc scales with RAM). */
  action: 'set' | 'ok' | 'keep';
}

export function planLimit(l: LimitLine, live: string | undefined): PlannedLimit {
  const line = `${l.domain} ${l.type} ${l.item}`;
  const base = { line, live: live ?? null, target: String(l.value) };
  if (live === 'unlimited' || (live !== undefined && Number(live) > l.value)) return { ...base, action: 'keep' };
  return { ...base, action: live !== undefined && Number(live) === l.value ? 'ok' : 'set' };
}

export function buildPlan(live: Map<string, LiveSysctl>, support: CongestionSupport, liveLimits: LiveLimits = {}, paths = { sysctl: SYSCTL_FILE, limits: LIMITS_FILE }): TunePlan {
  const keys = SYSCTL_TARGETS.map((t) => planKey(t, live.get(t.key), support)).sort((a, b) => a.key.localeCompare(b.key));
  // The shell reading them runs as the executor's user: its own limits stand for every domain.
  const liveOf = (l: LimitLine) => (l.item === 'nofile' ? (l.type === 'soft' ? liveLimits.nofileSoft : liveLimits.nofileHard) : l.type === 'soft' ? liveLimits.nprocSoft : liveLimits.nprocHard);
  const limits = LIMIT_LINES.map((l) => planLimit(l, liveOf(l)));
  return {
    keys,
    // The header names the real path even when --root (testing) redirects the write.
    sysctlFile: { path: paths.sysctl, content: renderSysctlFile(keys) },
    limitsFile: { path: paths.limits, content: renderLimitsFile(limits) },
    limits,
  };
}

/** Deterministic content (no timestamp): re-running tune on a tuned host reports "unchanged". */
export function renderSysctlFile(keys: PlannedKey[], path = SYSCTL_FILE): string {
  const lines = [
    `# ${path}: FrameWorks edge host tuning, written by \`frameworks edge tune --write\`.`,
    '# Values of the node_tuning role (core + edge profile). Applied with `sysctl --system`;',
    '# check them with `frameworks edge preflight`. Edit through the CLI: a re-run rewrites this file.',
    '',
  ];
  for (const k of keys) if (k.value !== null) lines.push(`${k.key} = ${k.value}`);
  const left = keys.filter((k) => k.value === null);
  if (left.length) {
    lines.push('', '# Left out:');
    for (const k of left) lines.push(`#   ${k.key} = ${k.target}: ${k.reason}`);
  }
  return lines.join('\n') + '\n';
}

export function renderLimitsFile(limits: PlannedLimit[] = LIMIT_LINES.map((l) => planLimit(l, undefined)), path = LIMITS_FILE): string {
  const lines = [
    `# ${path}: FrameWorks edge limits, written by \`frameworks edge tune --write\`.`,
    '# pam_limits applies them to the next login session. `*` does not match root, hence the root lines.',
    '# Containers take their limits from dockerd, not from here: give docker.service LimitNOFILE=1048576',
    '# (`frameworks edge preflight` checks what the engine can grant).',
    '',
  ];
  const fmt = (l: PlannedLimit) => {
    const [domain, type, item] = l.line.split(' ');
    return `${domain.padEnd(5)} ${type.padEnd(4)} ${item.padEnd(6)} ${l.target}`;
  };
  for (const l of limits) if (l.action !== 'keep') lines.push(fmt(l));
  const kept = limits.filter((l) => l.action === 'keep');
  if (kept.length) {
    lines.push('', '# Left out (the live limit is already higher; tuning never lowers one):');
    for (const l of kept) lines.push(`#   ${fmt(l)} (live ${l.live})`);
  }
  return lines.join('\n') + '\n';
}
