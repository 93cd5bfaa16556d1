/** Cutting and wrapping terminal text by what it shows: our SGR colour codes take no room and are never cut. */

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;
// eslint-disable-next-line no-control-regex
const SGR_AT_START = /^\u001b\[[0-9;]*m/;
// eslint-disable-next-line no-control-regex
const SGR_RESET = /\u001b\[(?:0|22|39)?m/;

export function visibleLength(text: string): number {
  return Array.from(text.replace(SGR, '')).length;
}

/**
 * `text` in at most `width` visible characters: whole when it fits, else cut and ended with `…`,
 * at the last space of the kept part when that keeps most of it (a word boundary), else at a
 * character. A colour open at the cut is closed.
 */
export function truncate(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  if (width <= 1) return width === 1 ? '…' : '';
  const keep = width - 1;
  let out = '';
  let shown = 0;
  let open = false;
  let lastSpace = -1;
  let rest = text;
  while (rest && shown < keep) {
    const esc = SGR_AT_START.exec(rest);
    if (esc) {
      out += esc[0];
      open = !SGR_RESET.test(esc[0]);
      rest = rest.slice(esc[0].length);
      continue;
    }
    const ch = Array.from(rest)[0];
    if (ch === ' ') lastSpace = out.length;
    out += ch;
    shown += 1;
    rest = rest.slice(ch.length);
  }
  // A word boundary only when it keeps at least two thirds of the room.
  if (lastSpace > 0 && visibleLength(out.slice(0, lastSpace)) >= (keep * 2) / 3) out = out.slice(0, lastSpace);
  return `${out.trimEnd()}…${open ? '\u001b[0m' : ''}`;
}

/** Plain text (no colour) wrapped at word boundaries into lines of at most `width`; a longer word is cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    while (visibleLength(w) > width) {
      if (line) lines.push(line);
      line = '';
      lines.push(Array.from(w).slice(0, width).join(''));
      w = Array.from(w).slice(width).join('');
    }
    if (!w) continue;
    if (!line) line = w;
    else if (visibleLength(line) + 1 + visibleLength(w) <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line) lines.push(line);
  return lines;
}
