import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkJsonContract } from './json-contract.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin', 'run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Parsed stdout when it is JSON (--json runs), else undefined. */
  json?: Record<string, unknown> & { status: number; result?: unknown; warnings?: unknown[] };
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
  /** Run the CLI under this command, e.g. ['ip', 'netns', 'exec', 'ns1'] (a machine that sees another network). */
  prefix?: string[];
}

/** A throw-away FRAMEWORKS_HOME plus a runner that executes the built bin/run.js in it, as a user would. */
export class CliSandbox {
  readonly home: string;
  readonly baseEnv: Record<string, string | undefined>;

  constructor(prefix = 'fw-e2e-') {
    this.home = mkdtempSync(join(tmpdir(), prefix));
    this.baseEnv = {
      ...process.env,
      FRAMEWORKS_HOME: join(this.home, '.frameworks'),
      HOME: this.home,
      XDG_CACHE_HOME: join(this.home, '.cache'),
      XDG_DATA_HOME: join(this.home, '.local', 'share'),
      XDG_CONFIG_HOME: join(this.home, '.config'),
      CI: '1',
      NO_COLOR: '1',
      // Credentials from the developer's shell must never leak into a test run.
      FRAMEWORKS_CONTEXT: undefined,
      FRAMEWORKS_JWT: undefined,
      FRAMEWORKS_SERVICE_TOKEN: undefined,
      SERVICE_TOKEN: undefined,
      DEBUG: undefined,
    };
  }

  get frameworksHome(): string {
    return this.baseEnv.FRAMEWORKS_HOME!;
  }

  run(args: string[], opts: RunOptions = {}): Promise<CliResult> {
    return runCli(args, { ...opts, env: { ...this.baseEnv, ...opts.env } });
  }

  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const env = Object.fromEntries(Object.entries(opts.env ?? process.env).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const [cmd, ...pre] = [...(opts.prefix ?? []), process.execPath, BIN, ...args];
    const child = spawn(cmd, pre, { env, cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let json: CliResult['json'];
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr, json };
      checkJsonContract(args, json).then(() => resolvePromise(result), reject);
    });
    child.stdin.end(opts.input ?? '');
  });
}
