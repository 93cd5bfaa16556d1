import { parseDuration, toGoDuration, usageError } from '@frameworks/sdk';

/** Lines per container when neither --tail nor --since/--until is given (the Go CLI's default). */
export const DEFAULT_TAIL = 200;

/**
 * --tail: a whole number of lines per container, or `all`. 0 means no history (docker's meaning:
 * with --follow, only new lines). Without --tail: 200, or everything in the --since/--until window.
 */
export function parseTail(value: string | undefined, windowed: boolean): number | 'all' {
  if (value === undefined) return windowed ? 'all' : DEFAULT_TAIL;
  const v = value.trim().toLowerCase();
  if (v === 'all') return 'all';
  if (/^\d+$/.test(v)) return Number(v);
  throw usageError(`--tail "${value}" is not a number of lines.`, ['e.g. --tail 50, --tail 0 (only new lines, with --follow) or --tail all'], 'INVALID_TAIL');
}

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))+$/;
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(Z|z|[+-]\d\d:?\d\d)?)?$/;
const UNIX = /^\d{9,}(?:\.\d+)?$/;

export interface TimeBound {
  /** What docker gets (--since/--until): RFC 3339, a Unix timestamp, or a Go duration. */
  value: string;
  /** The instant it names, for the since < until check. */
  at: number;
}

/**
 * --since / --until: RFC 3339 (2024-05-01T10:00:00Z, a date alone, a time without zone = local),
 * a Unix timestamp, or a duration back from now (10m, 1h30m; `d` is turned into hours, which
 * docker does not know). Anything else exits 2 before docker is run.
 */
export function parseTimeBound(flag: '--since' | '--until', value: string, now = Date.now()): TimeBound {
  const v = value.trim();
  const bad = () =>
    usageError(`${flag} "${value}" is neither a time nor a duration.`, [`e.g. ${flag} 10m, ${flag} 1h30m, ${flag} 2d, ${flag} 2024-05-01T10:00:00Z or ${flag} 2024-05-01`], 'INVALID_TIME');
  if (GO_DURATION.test(v)) return { value: v, at: now - goDurationMs(v) };
  if (/^(?:\d+(?:\.\d+)?(?:d|h|m|s|ms))+$/.test(v)) {
    const ms = parseDuration(v, flag);
    return { value: toGoDuration(ms), at: now - ms };
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

function goDurationMs(v: string): number {
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

/** Both bounds, checked against each other. */
export function parseWindow(since: string | undefined, until: string | undefined, now = Date.now()): { since?: TimeBound; until?: TimeBound } {
  const s = since === undefined ? undefined : parseTimeBound('--since', since, now);
  const u = until === undefined ? undefined : parseTimeBound('--until', until, now);
  if (s && u && s.at >= u.at) {
    throw usageError(`--since ${since} is not before --until ${until}: the window is empty.`, ['e.g. --since 1h --until 10m (from an hour ago to ten minutes ago)'], 'EMPTY_WINDOW');
  }
  return { ...(s ? { since: s } : {}), ...(u ? { until: u } : {}) };
}

/** --grep: a JavaScript regular expression, tested against the text of each line (not its prefix). */
export function parseGrep(pattern: string | undefined, ignoreCase = false): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(pattern, ignoreCase ? 'i' : '');
  } catch (err) {
    throw usageError(`--grep "${pattern}" is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}.`, ['Escape special characters, e.g. --grep "mode=\\(draining\\)"'], 'INVALID_GREP');
  }
}

/** `unknown` is not a service of the stack: exit 2 with the list. */
export function checkService(service: string | undefined, known: string[], hint: (s: string) => string): void {
  if (service === undefined || known.includes(service)) return;
  const sorted = [...known].sort();
  throw usageError(`Unknown service "${service}": the stack has ${sorted.join(', ') || 'no services'}.`, sorted.slice(0, 3).map(hint), 'UNKNOWN_SERVICE');
}
