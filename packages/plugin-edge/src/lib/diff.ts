/**
 * A small unified diff (the `diff -u` format) for the "files exist" refusal of `edge init`:
 * longest common subsequence over lines, hunks with `context` lines around each change.
 * Inputs are small generated files; past a size bound the diff degrades to "replace all".
 */

export interface DiffOptions {
  /** Label of the old side (`--- a`). */
  from: string;
  /** Label of the new side (`+++ b`). */
  to: string;
  /** Unchanged lines shown around each change (default 3). */
  context?: number;
}

type Op = { kind: ' ' | '-' | '+'; line: string };

const MAX_CELLS = 4_000_000;

/** Marks a last line that has no newline, so "x" and "x\n" compare as different lines. */
const NO_EOL = '\u0000';

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  if (!text.endsWith('\n')) lines[lines.length - 1] += NO_EOL;
  return lines;
}

function editScript(a: string[], b: string[]): Op[] {
  // Trim the common head and tail first: typical edits touch a few lines.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const ops: Op[] = a.slice(0, head).map((line) => ({ kind: ' ', line }));
  const n = am.length;
  const m = bm.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    for (const line of am) ops.push({ kind: '-', line });
    for (const line of bm) ops.push({ kind: '+', line });
  } else {
    // lcs[i][j] = LCS length of am[i..] and bm[j..]
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (am[i] === bm[j]) {
        ops.push({ kind: ' ', line: am[i] });
        i++;
        j++;
      } else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
        ops.push({ kind: '-', line: am[i++] });
      } else {
        ops.push({ kind: '+', line: bm[j++] });
      }
    }
    while (i < n) ops.push({ kind: '-', line: am[i++] });
    while (j < m) ops.push({ kind: '+', line: bm[j++] });
  }
  for (const line of a.slice(a.length - tail)) ops.push({ kind: ' ', line });
  return ops;
}

/** Unified diff of `before` → `after`; '' when they are equal. */
export function unifiedDiff(before: string, after: string, opts: DiffOptions): string {
  if (before === after) return '';
  const context = opts.context ?? 3;
  const ops = editScript(splitLines(before), splitLines(after));
  const changeIdx = ops.map((o, i) => (o.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  const hunks: Array<[number, number]> = [];
  let start = Math.max(0, changeIdx[0] - context);
  let end = Math.min(ops.length - 1, changeIdx[0] + context);
  for (const idx of changeIdx.slice(1)) {
    if (idx - context <= end + 1) {
      end = Math.min(ops.length - 1, idx + context);
    } else {
      hunks.push([start, end]);
      start = Math.max(0, idx - context);
      end = Math.min(ops.length - 1, idx + context);
    }
  }
  hunks.push([start, end]);

  // Line numbers at each op index.
  const aLine: number[] = [];
  const bLine: number[] = [];
  let ai = 0;
  let bi = 0;
  for (const o of ops) {
    aLine.push(ai);
    bLine.push(bi);
    if (o.kind !== '+') ai++;
    if (o.kind !== '-') bi++;
  }

  const out = [`--- ${opts.from}`, `+++ ${opts.to}`];
  for (const [s, e] of hunks) {
    const slice = ops.slice(s, e + 1);
    const aCount = slice.filter((o) => o.kind !== '+').length;
    const bCount = slice.filter((o) => o.kind !== '-').length;
    const aStart = aCount === 0 ? aLine[s] : aLine[s] + 1;
    const bStart = bCount === 0 ? bLine[s] : bLine[s] + 1;
    out.push(`@@ -${aStart}${aCount === 1 ? '' : `,${aCount}`} +${bStart}${bCount === 1 ? '' : `,${bCount}`} @@`);
    for (let k = s; k <= e; k++) {
      const o = ops[k];
      if (o.line.endsWith(NO_EOL)) out.push(`${o.kind}${o.line.slice(0, -1)}`, '\\ No newline at end of file');
      else out.push(`${o.kind}${o.line}`);
    }
  }
  return out.join('\n') + '\n';
}
