import { escapeControl } from '@frameworks/sdk';
import { colorEnabled } from './style.js';

/** The colour sequences paint() emits; any other escape sequence came from data, not from us. */
// eslint-disable-next-line no-control-regex
const OWN_SGR = /(\u001b\[(?:1|2|22|31|32|33|36|39)m)/;

/**
 * Text made safe for a terminal: control characters from data (a server's node name, a remote
 * tool's output) are shown escaped (`\x1b[2J`, `\r`) instead of acting on the screen. Our own
 * colours stay when the stream shows colour. With `keepNewlines`, lines and tabs stay as they are.
 */
export function terminalText(text: string, opts: { keepNewlines?: boolean; stream?: NodeJS.WriteStream } = {}): string {
  const keepColour = colorEnabled(opts.stream ?? process.stdout);
  const source = opts.keepNewlines ? text.replace(/\r\n/g, '\n') : text;
  return source
    .split(OWN_SGR)
    .map((part, i) => (i % 2 === 1 && keepColour ? part : escapeControl(part, { keepNewlines: opts.keepNewlines })))
    .join('');
}
