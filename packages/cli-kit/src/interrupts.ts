import { ExitCode, FrameworksError } from '@frameworks/sdk';

/**
 * Ctrl-C and SIGTERM, shared between bin/run.js (which installs the handlers before oclif loads)
 * and the command that runs. A global symbol, not a module singleton: a plugin installed by a user
 * carries its own copy of cli-kit. A command that is not `graceful` exits 130 at once (a mutating
 * one writes its audit line through `hardExit` first). A graceful one sees the first signal on
 * `controller.signal`, lets the step in flight finish (at most 15 s: the edge stage pipeline), then
 * rolls back or says what changed; a second signal calls `hardExit` and exits 130 at once.
 */
export interface InterruptState {
  controller: AbortController;
  graceful: boolean;
  count: number;
  /** Synchronous last words of the command (audit line); true when it printed the --json document. */
  hardExit?: () => boolean;
}

const KEY = Symbol.for('frameworks.interrupt');

export function interruptState(): InterruptState {
  const g = globalThis as { [KEY]?: InterruptState };
  g[KEY] ??= { controller: new AbortController(), graceful: false, count: 0 };
  return g[KEY];
}

export function interruptedError(message: string, o: { result?: unknown; suggestions?: string[]; cause?: unknown } = {}): FrameworksError {
  return new FrameworksError(message, { code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, name: 'InterruptedError', ...o });
}
