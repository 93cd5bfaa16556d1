import type { Executor } from '@frameworks/sdk';

/** What one command run told us, with "the tool is not installed" and "it hung" told apart from a failure. */
export interface ProbeResult {
  ok: boolean;
  code: number;
  stdout: string;
  stderr: string;
  /** The program itself is absent on the host (ENOENT locally, "command not found" from a remote shell). */
  missing: boolean;
  timedOut: boolean;
  ms: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Run argv through the executor and never throw: a host check must turn every outcome into a
 * status, and a minimal host lacking `ss` or `chronyc` is a finding, not a crash.
 */
export async function probe(executor: Executor, argv: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ProbeResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // Executors that ignore timeoutMs still get cut off: the race settles, the signal kills the child.
  const guard = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('timeout');
    }, timeoutMs);
  });
  try {
    // Not timeoutMs for the local executor: spawn()'s timeout timer is only cleared on 'exit', which a
    // missing program never emits, so the CLI lingered for the whole timeout. Our signal kills instead.
    const runTimeout = executor.name === 'local' ? undefined : timeoutMs;
    const r = await Promise.race([executor.run(argv, { timeoutMs: runTimeout, input: opts.input, signal: controller.signal }), guard]);
    if (r === 'timeout') return { ok: false, code: -1, stdout: '', stderr: `timed out after ${timeoutMs} ms`, missing: false, timedOut: true, ms: ms() };
    const missing = r.code === 127 && commandNotFound(argv[0], r.stderr);
    // A child killed by our own timeout closes with SIGTERM (128+15) after ~timeoutMs.
    const timedOut = !missing && r.code === 143 && ms() >= timeoutMs - 50;
    return { ok: r.code === 0, code: r.code, stdout: r.stdout, stderr: timedOut ? `timed out after ${timeoutMs} ms` : r.stderr, missing, timedOut, ms: ms() };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { ok: false, code: 127, stdout: '', stderr: `${argv[0]}: not found`, missing: true, timedOut: false, ms: ms() };
    if (e.name === 'AbortError') return { ok: false, code: -1, stdout: '', stderr: `timed out after ${timeoutMs} ms`, missing: false, timedOut: true, ms: ms() };
    return { ok: false, code: -1, stdout: '', stderr: e.message, missing: false, timedOut: false, ms: ms() };
  } finally {
    clearTimeout(timer);
  }
}

/** "sh: 1: ss: not found", "bash: line 1: ss: command not found", "ss: command not found". */
export function commandNotFound(program: string, stderr: string): boolean {
  const name = program.split('/').pop()!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s:])${name}: (command )?not found`, 'm').test(stderr);
}

/** The first meaningful line of a command's stderr, for a one-line finding. */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

/** Memoise an async fact so several checks can share one command run (e.g. `docker info`). */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
