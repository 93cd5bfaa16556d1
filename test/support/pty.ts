import { spawn, spawnSync } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { join } from 'node:path';
import { BIN, ROOT } from './cli.js';

/** One step of test/support/pty-drive.py (see its docstring). */
export type PtyStep =
  | { expect: string; timeout?: number }
  | { expect_re: string; timeout?: number }
  | { send: string }
  | { sleep: number }
  | { quiet: number; timeout?: number }
  | { select: string; key?: string; max?: number; quiet?: number };

export interface PtyResult {
  code: number | null;
  signal: number | null;
  /** Raw terminal output (ANSI sequences included). */
  output: string;
  /** Output with ANSI sequences and carriage returns removed. */
  text: string;
  timed_out: boolean;
  failed_step: number | null;
  error: string | null;
}

export const KEY = { up: '\u001b[A', down: '\u001b[B', enter: '\r', ctrlC: '\u0003' } as const;

const DRIVER = join(ROOT, 'test', 'support', 'pty-drive.py');

/** python3 with the pty module, or undefined (the reason is then in ptyUnavailableReason). */
export const python = ['python3', 'python'].find((p) => spawnSync(p, ['-c', 'import pty, json, select'], { stdio: 'ignore' }).status === 0);
export const ptyUnavailableReason = python ? undefined : 'python3 (with its pty module) is not installed';

export function stripAnsi(s: string): string {
  return stripVTControlCharacters(s).replace(/\r/g, '');
}

/**
 * The lines a terminal would show at the end: `\r` returns to the line's start and `ESC[2K` erases
 * it (a spinner redrawn and cleared leaves nothing), other escape sequences take no room.
 */
export function screenLines(output: string): string[] {
  const lines: string[] = [];
  let buf: string[] = [];
  let cur = 0;
  // eslint-disable-next-line no-control-regex
  const esc = /^\u001b\[([0-?]*)[ -/]*([@-~])/;
  for (let i = 0; i < output.length; ) {
    const m = esc.exec(output.slice(i, i + 32));
    if (m) {
      if (m[2] === 'K' && m[1] === '2') buf = [];
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(output.codePointAt(i)!);
    i += ch.length;
    if (ch === '\r') cur = 0;
    else if (ch === '\n') {
      lines.push(buf.join('').trimEnd());
      buf = [];
      cur = 0;
    } else {
      buf[cur++] = ch;
    }
  }
  if (buf.length) lines.push(buf.join('').trimEnd());
  return lines;
}

/** A pointer-agnostic regex for "this choice is focused" in an enquirer select render. */
export function focused(choice: string): string {
  return `^\\S\\s+${choice.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`;
}

/** Run `node bin/run.js ...args` in a pseudo-terminal, driving it with steps. */
export function runInPty(
  args: string[],
  opts: {
    env: Record<string, string | undefined>;
    steps?: PtyStep[];
    timeoutSec?: number;
    cwd?: string;
    cols?: number;
    rows?: number;
    /** stdout to this file instead of the terminal (stdin and stderr stay on it): a `--json` run read by a script. */
    stdoutFile?: string;
  },
): Promise<PtyResult> {
  if (!python) throw new Error(`cannot drive a pty: ${ptyUnavailableReason}`);
  const env = Object.fromEntries(Object.entries(opts.env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const spec = {
    argv: opts.stdoutFile ? ['sh', '-c', 'f=$1; shift; exec "$@" > "$f"', 'sh', opts.stdoutFile, process.execPath, BIN, ...args] : [process.execPath, BIN, ...args],
    cwd: opts.cwd ?? ROOT,
    timeout: opts.timeoutSec ?? 40,
    cols: opts.cols ?? 120,
    rows: opts.rows ?? 40,
    steps: opts.steps ?? [],
  };
  return new Promise((resolve, reject) => {
    const child = spawn(python, [DRIVER], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        const r = JSON.parse(stdout) as Omit<PtyResult, 'text'>;
        resolve({ ...r, text: stripAnsi(r.output) });
      } catch {
        reject(new Error(`pty-drive.py exited ${code} without a result:\n${stderr}\n${stdout}`));
      }
    });
    child.stdin.end(JSON.stringify(spec));
  });
}
