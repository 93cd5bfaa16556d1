import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { ExitCode, FrameworksError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { trace } from '../log.js';
import { quoteCommand } from './quote.js';
import type { Executor, RunOptions, RunResult } from './types.js';

/** Runs commands on this host with spawn(argv) — no shell, so no quoting problems at all. */
export class LocalExecutor implements Executor {
  readonly name: string = 'local';

  /**
   * `detached`: children get a process group of their own, so a Ctrl-C typed in the terminal
   * reaches only frameworks, which lets the step in flight finish (mutating commands) instead of
   * the terminal killing `docker compose up` halfway.
   */
  constructor(private readonly opts: { detached?: boolean } = {}) {}

  run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const display = quoteCommand(argv);
    trace(`$ ${display}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), {
        cwd: opts.cwd,
        env: opts.env ? { ...process.env, ...opts.env } : process.env,
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        signal: opts.signal,
        ...(this.opts.detached ? { detached: true } : {}),
      });
      // Our own timer rather than spawn's `timeout`: spawn clears it only on 'exit', so a
      // program that fails to start (ENOENT) would keep the CLI alive until it fires.
      let timedOut = false;
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
      const onInterrupt = () => child.kill('SIGINT');
      opts.interrupt?.addEventListener('abort', onInterrupt, { once: true });
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        opts.onStdout?.(c);
      });
      child.stderr!.setEncoding('utf8').on('data', (c: string) => {
        stderr += c;
        opts.onStderr?.(c);
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(Object.assign(err, { display }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        opts.interrupt?.removeEventListener('abort', onInterrupt);
        // Same contract as the SSH executor: a timeout is an error, not an exit status.
        if (timedOut) {
          reject(new FrameworksError(`"${display}" did not finish within ${Math.round((opts.timeoutMs ?? 0) / 100) / 10} s; it was killed.`, { code: 'TIMEOUT', exitCode: ExitCode.NETWORK }));
          return;
        }
        resolve({ code: code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1), stdout, stderr, display });
      });
      if (child.stdin) {
        // A child that exits before reading its input closes the pipe: not our failure.
        child.stdin.on('error', () => undefined);
        child.stdin.end(opts.input);
      }
    });
  }

  readFile(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  writeFile(path: string, data: string, mode = 0o644): Promise<void> {
    return writeFileAtomic(path, data, mode);
  }

  async exists(path: string): Promise<boolean> {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}
}
