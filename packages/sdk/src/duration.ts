import { usageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const UNITS = 'ns|us|µs|ms|s|m|h|d';
/** Text with a unit on every number (1h30m, 250ms, 2d): a duration, never a timestamp. */
const WITH_UNITS = new RegExp(`^(?:\\d+(?:\\.\\d+)?(?:${UNITS}))+$`);
const DAY = 86_400_000;

/**
 * The longest wait the CLI arms a timer for. Node's timers hold at most 2^31-1 ms (about 24.8
 * days); past that they fire at once with a TimeoutOverflowWarning, so longer waits are refused.
 */
export const MAX_WAIT_MS = 24 * DAY;
/** Longest duration a Go server can parse (int64 nanoseconds): for values sent, never timed here. */
export const MAX_GO_DURATION_MS = 9_223_372_036_854;

export interface DurationOptions {
  /** The flag named in messages (default --timeout). */
  flag?: string;
  /** 0 is meaningful (e.g. --lock-wait 0: do not wait); otherwise it is a usage error. */
  allowZero?: boolean;
  /** Largest value in ms (default MAX_WAIT_MS: what a timer can hold). */
  max?: number;
}

/**
 * The one duration parser: `500ms`, `2s`, `1h30m`, `1.5h`, `30d` (also Go's `us`/`ns`); a bare
 * number means seconds. Returns milliseconds or throws exit 2 naming the flag: not a duration,
 * negative, 0 (unless allowZero) or longer than `max`.
 */
export function parseDuration(input: string, options: string | DurationOptions = {}): number {
  const opts = typeof options === 'string' ? { flag: options } : options;
  const flag = opts.flag ?? '--timeout';
  const max = opts.max ?? MAX_WAIT_MS;
  const text = input.trim();
  const example = `e.g. ${flag} ${opts.allowZero ? '0' : '30s'} or ${flag} 5m`;
  if (/^-/.test(text)) throw usageError(`${flag} "${input}" is negative: a duration is 0 or more.`, [example], 'INVALID_DURATION');
  let total: number;
  if (/^\d+(\.\d+)?$/.test(text)) total = Number(text) * 1000;
  else if (WITH_UNITS.test(text)) {
    total = 0;
    for (const m of text.matchAll(new RegExp(`(\\d+(?:\\.\\d+)?)(${UNITS})`, 'g'))) total += Number(m[1]) * UNIT_MS[m[2]];
  } else {
    throw usageError(`${flag} "${input}" is not a duration.`, [`Use a number with a unit: 500ms, 2s, 5m, 24h, 30d (e.g. ${flag} 2s)`], 'INVALID_DURATION');
  }
  const ms = Math.round(total);
  if (ms === 0 && !opts.allowZero) throw usageError(`${flag} "${input}" is zero: give a duration longer than 0.`, [example], 'INVALID_DURATION');
  if (ms > max) {
    const why = max === MAX_WAIT_MS ? ' (the longest wait a timer can hold)' : '';
    const hint = `e.g. ${flag} ${formatDuration(Math.min(max, DAY))}`;
    throw usageError(`${flag} "${input}" is too long: at most ${formatDuration(max)}${why}.`, [hint], 'INVALID_DURATION');
  }
  return ms;
}

/** Short text for a duration in ms: 24d, 1h30m, 250ms. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/** Go duration text for the server (it knows h/m/s but no `d`): 30d → 720h. */
export function toGoDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

export interface TimeBound {
  /** What docker gets (--since/--until): RFC 3339, a Unix timestamp, or a Go duration. */
  value: string;
  /** The instant it names, for the since < until check. */
  at: number;
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(Z|z|[+-]\d\d:?\d\d)?)?$/;
const UNIX = /^\d{9,}(?:\.\d+)?$/;

/**
 * --since / --until of a logs command: RFC 3339 (2024-05-01T10:00:00Z, a date alone, a time
 * without zone = local), a Unix timestamp, or a duration back from now (10m, 1h30m; `d` is turned
 * into hours, which docker does not know). Anything else exits 2 before docker is run.
 */
export function parseTimeBound(flag: string, value: string, now = Date.now()): TimeBound {
  const v = value.trim();
  const examples = `e.g. ${flag} 10m, ${flag} 1h30m, ${flag} 2d, ${flag} 2024-05-01T10:00:00Z or ${flag} 2024-05-01`;
  const bad = () => usageError(`${flag} "${value}" is neither a time nor a duration.`, [examples], 'INVALID_TIME');
  if (WITH_UNITS.test(v)) {
    const ms = parseDuration(v, { flag, allowZero: true, max: MAX_GO_DURATION_MS });
    return { value: v.includes('d') ? toGoDuration(ms) : v, at: now - ms };
  }
  if (UNIX.test(v)) return { value: v, at: Number(v) * 1000 };
  const m = RFC3339.exec(v);
  if (m) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${zone ? (zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d\d)(\d\d)$/, '$1:$2')) : ''}`;
    const at = Date.parse(iso);
    if (Number.isNaN(at) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) throw bad();
    return { value: v.replace(' ', 'T'), at };
  }
  throw bad();
}

/** --since and --until together, checked against each other. */
export function parseWindow(since: string | undefined, until: string | undefined, now = Date.now()): { since?: TimeBound; until?: TimeBound } {
  const s = since === undefined ? undefined : parseTimeBound('--since', since, now);
  const u = until === undefined ? undefined : parseTimeBound('--until', until, now);
  if (s && u && s.at >= u.at) {
    const hint = 'e.g. --since 1h --until 10m (from an hour ago to ten minutes ago)';
    throw usageError(`--since ${since} is not before --until ${until}: the window is empty.`, [hint], 'EMPTY_WINDOW');
  }
  return { ...(s ? { since: s } : {}), ...(u ? { until: u } : {}) };
}
