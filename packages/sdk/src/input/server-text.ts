import { usageError } from '../errors.js';

/**
 * Characters that change what a terminal or a log shows rather than being shown: C0 and C1
 * controls (newline, carriage return, escape …), DEL, the Unicode line/paragraph separators and
 * the bidirectional overrides (text that reads differently from what it is).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

export const MAX_ID_LENGTH = 128;
export const MAX_NAME_LENGTH = 256;
export const MAX_VALUE_LENGTH = 1024;

/** `"\n"` → `a newline (U+000A)`: messages name the offending character without printing it. */
function describeControl(c: string): string {
  const code = `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  const names: Record<string, string> = { '\n': 'a newline', '\r': 'a carriage return', '\t': 'a tab', '\u001b': 'an escape character' };
  return `${names[c] ?? 'a control character'} (${code})`;
}

function check(value: string, what: string, max: number, allowSpaces: boolean, example: string): string {
  const bad = (why: string) => usageError(`${what} is not accepted: ${why}. Nothing was sent.`, [example], 'INVALID_INPUT');
  const c = CONTROL.exec(value)?.[0];
  if (c !== undefined) throw bad(`it contains ${describeControl(c)}`);
  if (value.length > max) throw bad(`it is ${value.length} characters long (at most ${max})`);
  if (!allowSpaces && /\s/u.test(value)) throw bad('it contains whitespace');
  if (value.trim() === '') throw bad('it is empty');
  return value;
}

/**
 * An identifier sent to a server (cluster id, node id, token id, service type, region, tenant id,
 * metadata key): no control characters, no whitespace, at most 128 characters. Exit 2 otherwise;
 * call it before any request so nothing is sent.
 */
export function checkIdentifier(value: string, what: string, max = MAX_ID_LENGTH): string {
  return check(value, what, max, false, `Give ${what} as the server lists it, e.g. copy it from a list command`);
}

/** A name or label sent to a server (token name, metadata value): spaces allowed, no control characters, at most 256. */
export function checkName(value: string, what: string, max = MAX_NAME_LENGTH): string {
  return check(value, what, max, true, `Use printable text on one line for ${what}`);
}

/** Optional variants: undefined passes through. */
export const checkOptionalIdentifier = (value: string | undefined, what: string): string | undefined =>
  value === undefined ? undefined : checkIdentifier(value, what);

/**
 * Text that came from a server or a remote tool, made safe to print: control characters become
 * visible escapes (`\x1b`, `\r`, `\u2028`), so no reply can clear the screen, move the cursor,
 * rewrite a line or break a table. With `keepNewlines`, `\n` and `\t` stay (multi-line text).
 */
export function escapeControl(text: string, opts: { keepNewlines?: boolean } = {}): string {
  // eslint-disable-next-line no-control-regex
  const re = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
  return text.replace(re, (c) => {
    if (opts.keepNewlines && (c === '\n' || c === '\t')) return c;
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default: {
        const code = c.codePointAt(0) ?? 0;
        return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
      }
    }
  });
}
