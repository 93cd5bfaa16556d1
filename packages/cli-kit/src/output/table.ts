import { terminalText } from './safe-text.js';
import { stripAnsi } from './style.js';

export interface Column<T> {
  header: string;
  get: (row: T) => string;
}

/**
 * Plain aligned columns: readable in a terminal, greppable in a pipe, no box drawing. A cell is one
 * line: control characters in it (a newline, `\r`, an escape sequence from a server) are shown escaped.
 */
export function renderTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => terminalText(c.get(r) ?? '')));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => stripAnsi(row[i]).length)));
  const line = (vals: string[]) =>
    vals.map((v, i) => (i === vals.length - 1 ? v : v + ' '.repeat(widths[i] - stripAnsi(v).length))).join('  ').trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}

/** `key: value` lines with the keys aligned. */
export function renderKeyValues(pairs: Array<[string, string]>, indent = ''): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${(k + ':').padEnd(width + 1)} ${terminalText(v)}`).join('\n');
}
