import { ExitCode, FrameworksError } from '@frameworks/sdk';

/**
 * Ctrl-C and SIGTERM, shared between bin/run.js (which installs the handlers before oclif loads)
 * and the command that runs. A global symbol, not a module singleton: a plugin installed by a user
 * carries its own copy of cli-kit. A read-only command leaves `graceful` off and exits 130 at once;
 * a mutating one turns it on, sees the first signal as `signal` and gets INTERRUPT_GRACE_MS for the
 * step in flight; a second signal calls `hardExit` (audit line, JSON document) and exits 130 at once.
 */
export interface InterruptState {
  controller: AbortController;
  graceful: boolean;
  count: number;
  /** Synchronous last words of the command on a second signal; true when it printed the --json document. */
  hardExit?: () => boolean;
}

const KEY = Symbol.for('frameworks.interrupt');

/** The step in flight gets this long after the first Ctrl-C before it is cut off. */
export const INTERRUPT_GRACE_MS = Number(process.env.FRAMEWORKS_INTERRUPT_GRACE_MS) || 15_000;

export function interruptState(): InterruptState {
  const g = globalThis as { [KEY]?: InterruptState };
  g[KEY] ??= { controller: new AbortController(), graceful: false, count: 0 };
  return g[KEY];
}

/** Aborted INTERRUPT_GRACE_MS after `signal` is: long calls of the step in flight pass it on. */
export function graceSignal(signal: AbortSignal, ms = INTERRUPT_GRACE_MS): AbortSignal {
  const c = new AbortController();
  const start = () => setTimeout(() => c.abort(new Error('grace period over')), ms).unref();
  if (signal.aborted) start();
  else signal.addEventListener('abort', start, { once: true });
  return c.signal;
}

export function interruptedError(message: string, o: { result?: unknown; suggestions?: string[]; cause?: unknown } = {}): FrameworksError {
  return new FrameworksError(message, { code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, name: 'InterruptedError', ...o });
}
