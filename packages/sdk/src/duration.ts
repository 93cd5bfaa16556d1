import { usageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parse a duration such as `500ms`, `2s`, `1h30m`, `30d`; a bare number means seconds.
 * Returns milliseconds, or throws exit 2 naming the flag.
 */
export function parseDuration(input: string, flag = '--timeout'): number {
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    matched = re.lastIndex;
  }
  if (!text || matched !== text.length) {
    throw usageError(`${flag}: "${input}" is not a duration.`, [`Use a number with a unit: 500ms, 2s, 5m, 24h, 30d (e.g. ${flag} 2s)`], 'INVALID_DURATION');
  }
  return Math.round(total);
}

/** Go duration text for the server (it knows h/m/s but no `d`): 30d → 720h. */
export function toGoDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
