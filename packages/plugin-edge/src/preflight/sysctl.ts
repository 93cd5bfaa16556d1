import type { Executor } from '@frameworks/sdk';
import { describeThreshold, meets } from '../tune/compare.js';
import { detectCongestionSupport, type CongestionSupport } from '../tune/kernel.js';
import { readSysctls, type LiveSysctl } from '../tune/live.js';
import { SYSCTL_TARGETS, type SysctlTarget } from '../tune/targets.js';
import { check, type Check } from './types.js';

export const TUNE_FIX = 'frameworks edge tune --write';

/** One check per tune target: the live value compared with the target (the Go CLI only checked it was readable). */
export function evaluateSysctl(t: SysctlTarget, live: LiveSysctl | undefined, support: CongestionSupport): Check {
  const id = `sysctl:${t.key}`;
  const threshold = describeThreshold(t.compare, t.value);
  if (t.requires && !support[t.requires].available) {
    return check(id, 'sysctl', 'skip', live?.value ?? 'n/a', threshold, `Not tuned: ${support[t.requires].reason}.`);
  }
  if (live?.value === undefined) return check(id, 'sysctl', 'skip', 'not present', threshold, `This kernel has no ${t.key}${live?.error ? ` (${live.error})` : ''}.`);
  if (meets(t.compare, live.value, t.value)) return check(id, 'sysctl', 'pass', live.value, threshold);
  // Below target is a warning: the node runs, it just runs worse under load.
  return check(id, 'sysctl', 'warn', live.value, threshold, `${t.why[0].toUpperCase()}${t.why.slice(1)}. Tune it: ${TUNE_FIX}.`, TUNE_FIX);
}

export async function checkSysctls(executor: Executor): Promise<Check[]> {
  const [live, support] = await Promise.all([
    readSysctls(
      executor,
      SYSCTL_TARGETS.map((t) => t.key),
    ),
    detectCongestionSupport(executor),
  ]);
  return SYSCTL_TARGETS.map((t) => evaluateSysctl(t, live.get(t.key), support));
}
