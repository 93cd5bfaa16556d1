import { usageError } from '@frameworks/sdk';

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

// --since/--until are parsed by the SDK's one duration and time parser (services logs uses it too).
export { parseTimeBound, parseWindow, type TimeBound } from '@frameworks/sdk';

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
