import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN, ROOT, type CliResult } from './cli.js';
import { checkJsonContract } from './json-contract.js';

/** The built bin/run.js as a child the test can signal (Ctrl-C is SIGINT to the process). */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr (or stdout) matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<CliResult>;
}

export function spawnCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 120_000): RunningCli {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const child = spawn(process.execPath, [BIN, ...args], { env: clean, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (c: string) => ((out += c), listeners.forEach((l) => l())));
  child.stderr.setEncoding('utf8').on('data', (c: string) => ((err += c), listeners.forEach((l) => l())));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      let json: CliResult['json'];
      try {
        json = out.trim() ? JSON.parse(out) : undefined;
      } catch {
        json = undefined;
      }
      const result = { code: code ?? (signal ? 128 : 1), stdout: out, stderr: err, json };
      checkJsonContract(args, json).then(() => resolve(result), reject);
    });
  });
  const waitFor = (re: RegExp, ms = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (re.test(err) || re.test(out)) {
          listeners.delete(check);
          clearTimeout(t);
          resolve();
        }
      };
      const t = setTimeout(() => (listeners.delete(check), reject(new Error(`no ${re} within ${ms} ms; stderr: ${err}`))), ms);
      listeners.add(check);
      void done.then(() => {
        if (!listeners.has(check)) return;
        listeners.delete(check);
        clearTimeout(t);
        reject(new Error(`exited before ${re}; stderr: ${err}`));
      });
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitFor, done };
}
