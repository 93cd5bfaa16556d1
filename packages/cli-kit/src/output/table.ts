import { truncate, visibleLength, wrap } from './fit.js';
import { outputMode, tableWidth } from './mode.js';
import { terminalText } from './safe-text.js';
import { stripAnsi } from './style.js';

export interface Column<T> {
  header: string;
  get: (row: T) => string;
  /** The row's id: what `-q/--quiet` prints, one per line. Never shortened. */
  id?: boolean;
  /** On a terminal, the value goes on its own lines under the row (a hint, a fix), not in a column. */
  below?: boolean;
  /** Left out on a terminal too narrow for it even with every cell shortened (rightmost first); always in the full table. */
  optional?: boolean;
  /** When this optional column is left out, the rows it picks show its value on a `header: value` line under the row. */
  belowWhenLeftOut?: (row: T) => boolean;
  /**
   * On a terminal, a value too long for its column continues on the next lines (at word boundaries)
   * instead of being cut: always, or for the rows the predicate picks (e.g. failed checks only).
   */
  wrap?: boolean | ((row: T) => boolean);
  /** Never shortened to fit (a status word, a short number). */
  keep?: boolean;
  /** Shortened to no fewer characters than this (default 8, or the header's length). */
  min?: number;
}

export interface TableOptions {
  /** Columns the caller prints before each line (an indent), taken from the width to fit. */
  indent?: number;
  /** The terminal width to fit, instead of the one detected (`tableWidth()`); null for the full table. */
  width?: number | null;
}

/** Texts renderTable produced under --quiet: the base command's out() prints these and nothing else. */
const quietTexts = new Set<string>();
export const isQuietOutput = (text: string): boolean => quietTexts.has(text);

/**
 * Plain aligned columns: readable in a terminal, greppable in a pipe, no box drawing. A cell is one
 * line: control characters in it (a newline, `\r`, an escape sequence from a server) are shown escaped.
 *
 * On a terminal the table fits its width: `below` columns move under their row, `optional` columns
 * are left out when even shortened cells would not fit, and the widest cells are shortened with `…`
 * until the row fits. Off a terminal and
 * with `-o wide`, every column is printed in full, in the same order every run.
 * With `--quiet` only the `id` column is printed, without a header (nothing when there is none).
 */
export function renderTable<T>(rows: T[], columns: Column<T>[], opts: TableOptions = {}): string {
  if (outputMode().quiet) {
    const id = columns.find((c) => c.id);
    const text = id ? rows.map((r) => terminalText(id.get(r) ?? '')).join('\n') : '';
    quietTexts.add(text);
    return text;
  }
  const layout = layoutTable(rows, columns, opts);
  return [layout.header, ...rows.map((r) => layout.row(r))].join('\n');
}

export interface TableLayout<T> {
  header: string;
  /** One row, with its `below` lines on a terminal. */
  row: (r: T) => string;
}

/**
 * The widths of a table laid out for `sample` rows (renderTable's own rows, or rows as wide as the
 * ones to come when they are printed as they arrive, e.g. `context check` on a terminal).
 */
export function layoutTable<T>(sample: T[], columns: Column<T>[], opts: TableOptions = {}): TableLayout<T> {
  const full = opts.width === undefined ? tableWidth() : (opts.width ?? undefined);
  const width = full === undefined ? undefined : Math.max(20, full - (opts.indent ?? 0));
  let shown = width === undefined ? columns : columns.filter((c) => !c.below);
  const below = width === undefined ? [] : columns.filter((c) => c.below);
  const all = sample.map((r) => new Map(shown.map((c) => [c, terminalText(c.get(r) ?? '')])));
  const naturalOf = (c: Column<T>) => Math.max(c.header.length, ...all.map((row) => visibleLength(row.get(c)!)));
  if (width !== undefined) {
    const floorOf = (c: Column<T>) => (c.id || c.keep ? naturalOf(c) : Math.min(naturalOf(c), Math.max(c.min ?? 8, c.header.length)));
    const need = (cols: Column<T>[]) => cols.reduce((a, c) => a + floorOf(c), 0) + 2 * (cols.length - 1);
    while (need(shown) > width && shown.some((c) => c.optional)) {
      const drop = shown.findLast((c) => c.optional)!;
      shown = shown.filter((c) => c !== drop);
    }
  }
  const leftOut = width === undefined ? [] : columns.filter((c) => !c.below && !shown.includes(c) && c.belowWhenLeftOut);
  const natural = shown.map(naturalOf);
  const widths = width === undefined ? natural : fitWidths(shown, natural, width);
  // The last column may use what the others leave (rows printed later can be longer than the sample).
  if (width !== undefined) widths[widths.length - 1] = Math.max(widths.at(-1)!, width - widths.slice(0, -1).reduce((a, b) => a + b + 2, 0));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => {
        const cut = width === undefined ? v : truncate(v, widths[i]);
        return i === vals.length - 1 ? cut : cut + ' '.repeat(Math.max(0, widths[i] - visibleLength(cut)));
      })
      .join('  ')
      .trimEnd();
  return {
    header: line(shown.map((c) => c.header.toUpperCase())),
    row: (r) => {
      const vals = shown.map((c) => terminalText(c.get(r) ?? ''));
      // Wrapping columns spread over continuation lines; the other cells stay on the first.
      const parts = vals.map((v, i) => (width !== undefined && wraps(shown[i], r) && visibleLength(v) > widths[i] ? wrap(stripAnsi(v), widths[i]) : [v]));
      const height = Math.max(...parts.map((p) => p.length));
      const out = Array.from({ length: height }, (_, j) => line(parts.map((p) => p[j] ?? '')));
      for (const c of leftOut) {
        const text = c.belowWhenLeftOut!(r) ? stripAnsi(terminalText(c.get(r) ?? '')).trim() : '';
        if (text) out.push(...wrap(`${c.header}: ${text}`, width! - 4).map((l, j) => `${j === 0 ? '  ' : '    '}${l}`));
      }
      for (const c of below) {
        const text = stripAnsi(terminalText(c.get(r) ?? '')).trim();
        if (text) out.push(...wrap(text, width! - 4).map((l, j) => `${j === 0 ? '  → ' : '    '}${l}`));
      }
      return out.join('\n');
    },
  };
}

const wraps = <T>(c: Column<T>, r: T): boolean => (typeof c.wrap === 'function' ? c.wrap(r) : Boolean(c.wrap));

/** Column widths that fit `width`: the widest shrinkable column gives up room first, down to its minimum. */
function fitWidths<T>(columns: Column<T>[], natural: number[], width: number): number[] {
  const widths = [...natural];
  const budget = width - 2 * (columns.length - 1);
  const floor = columns.map((c, i) => (c.id || c.keep ? natural[i] : Math.min(natural[i], Math.max(c.min ?? 8, c.header.length))));
  let excess = widths.reduce((a, b) => a + b, 0) - budget;
  while (excess > 0) {
    let pick = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i] > floor[i] && (pick < 0 || widths[i] > widths[pick])) pick = i;
    if (pick < 0) break;
    const second = Math.max(floor[pick], ...widths.filter((_, i) => i !== pick && widths[i] > floor[i]));
    const give = Math.min(excess, Math.max(1, widths[pick] - second), widths[pick] - floor[pick]);
    widths[pick] -= give;
    excess -= give;
  }
  // Still too wide at every minimum: the last column takes what is left.
  if (excess > 0) widths[widths.length - 1] = Math.max(1, widths[widths.length - 1] - excess);
  return widths;
}

/** `key: value` lines with the keys aligned. */
export function renderKeyValues(pairs: Array<[string, string]>, indent = ''): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${(k + ':').padEnd(width + 1)} ${terminalText(v)}`).join('\n');
}
