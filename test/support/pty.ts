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

/** A pointer-agnostic regex for "this choice is focused" in an enquirer select render. */
export function focused(choice: string): string {
  return `^\\S\\s+${choice.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`;
}

/** Run `node bin/run.js ...args` in a pseudo-terminal, driving it with steps. */
export function runInPty(
  args: string[],
  opts: { env: Record<string, string | undefined>; steps?: PtyStep[]; timeoutSec?: number; cwd?: string; cols?: number; rows?: number },
): Promise<PtyResult> {
  if (!python) throw new Error(`cannot drive a pty: ${ptyUnavailableReason}`);
  const env = Object.fromEntries(Object.entries(opts.env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const spec = {
    argv: [process.execPath, BIN, ...args],
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
