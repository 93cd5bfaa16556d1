import { ExitCode, FrameworksError, isFrameworksError } from '@frameworks/sdk';

/**
 * A pipeline of named stages under one time budget (`edge enroll`, `edge update`). Each stage
 * gets what remains of the budget; a stage that runs out is reported as `timeout` and the error
 * names it and the commands that show why. The runner knows nothing about how stages are drawn:
 * the command drives it through listr2 (one host) or plain lines (a fleet), see drive.ts.
 */

export type StageStatus = 'ok' | 'warn' | 'skipped' | 'failed' | 'timeout' | 'interrupted' | 'not-run';

export interface StageReport {
  name: string;
  title: string;
  status: StageStatus;
  duration_ms: number;
  detail: string;
}

export interface StageOutcome {
  detail: string;
  /** Default ok. `warn` and `skipped` do not stop the pipeline (best-effort stages). */
  status?: 'ok' | 'warn' | 'skipped';
}

export interface StageRun {
  /** Epoch ms by which this stage must be done (the pipeline's deadline, or the stage's cap). */
  deadline: number;
  /** ms left until `deadline` (never negative). */
  remainingMs(): number;
  /** Aborted when the stage runs out of time: long calls pass it on. */
  signal: AbortSignal;
  /** What the stage is doing or waiting for; shown while it runs and quoted by a timeout. */
  progress(text: string): void;
}

export interface Stage {
  name: string;
  title: string;
  run(ctx: StageRun): Promise<StageOutcome>;
  /** Commands that show why this stage did not finish (first = the most useful). */
  hints: string[];
  /** Cap of this stage's budget in ms (best-effort stages must not eat the others' time). */
  maxMs?: number;
  /** A wait or a check (nothing half-done to leave): an interrupt stops it at once instead of letting it finish. */
  interruptible?: boolean;
}

export interface PipelineOptions {
  timeoutMs: number;
  /** "edge enroll": used in messages. */
  what: string;
  /** Error code prefix: ENROLL → ENROLL_TIMEOUT. */
  codePrefix: string;
  now?: () => number;
  /** Ctrl-C / SIGTERM: no stage starts after it; the one in flight gets `graceMs` to finish. */
  interrupt?: AbortSignal;
  graceMs?: number;
  /** After an interrupt: the command that finishes what was started (first suggestion). */
  resumeHint?: string;
}

/** Grace after a stage's deadline before the runner stops waiting for it (its own timeout reports better). */
const GRACE_MS = 500;
/** Inner errors that mean "ran out of time". */
const TIMEOUT_CODES = new Set(['COMPOSE_WAIT_TIMEOUT', 'COMPOSE_TIMEOUT', 'STAGE_DEADLINE']);

class StageDeadline extends Error {
  readonly code = 'STAGE_DEADLINE';
}

/** The pipeline stopped because of an interrupt (before a stage, or a stage cut off after its grace). */
export class PipelineInterrupted extends Error {
  readonly code = 'INTERRUPTED';
}

const DEFAULT_GRACE_MS = 15_000;

export interface StageFailure {
  stage: Stage;
  report: StageReport;
  /** The error the stage threw (or the runner's deadline). */
  cause: Error;
  /** What the stage last reported doing. */
  lastProgress?: string;
}

export class Pipeline {
  readonly reports: StageReport[];
  readonly startedAt: number;
  readonly deadline: number;
  failure?: StageFailure;
  private readonly now: () => number;

  constructor(
    readonly stages: Stage[],
    readonly opts: PipelineOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    this.deadline = this.startedAt + opts.timeoutMs;
    this.reports = stages.map((s) => ({ name: s.name, title: s.title, status: 'not-run', duration_ms: 0, detail: '' }));
  }

  elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /**
   * Run stage `i`: resolves with its report (ok / warn / skipped), or throws after recording the
   * failure (see `failure` and `error()`).
   */
  async runStage(i: number, onProgress?: (text: string) => void): Promise<StageReport> {
    const stage = this.stages[i];
    const report = this.reports[i];
    const t0 = this.now();
    const deadline = Math.min(this.deadline, stage.maxMs === undefined ? Infinity : t0 + stage.maxMs);
    const controller = new AbortController();
    let lastProgress: string | undefined;
    let lastShown: string | undefined;
    const ctx: StageRun = {
      deadline,
      remainingMs: () => Math.max(0, deadline - this.now()),
      signal: controller.signal,
      // Shown with the time left to the stage's bound, so that a wait names it; a timeout quotes the bare text.
      progress: (text) => {
        const shown = `${text} (${Math.ceil(Math.max(0, deadline - this.now()) / 1000)} s left)`;
        lastProgress = text;
        if (shown === lastShown) return;
        lastShown = shown;
        onProgress?.(shown);
      },
    };
    let timer: NodeJS.Timeout | undefined;
    let grace: NodeJS.Timeout | undefined;
    let onInterrupt: (() => void) | undefined;
    const interrupt = this.opts.interrupt;
    if (interrupt?.aborted) {
      // No new step after an interrupt: this stage stays not-run.
      const cause = new PipelineInterrupted(`interrupted before stage "${stage.name}" started`);
      this.failure = { stage, report, cause };
      throw cause;
    }
    try {
      if (deadline - t0 <= 0) throw new StageDeadline('no time left');
      const outcome = await Promise.race([
        stage.run(ctx),
        new Promise<never>((_, reject) => {
          // The step in flight finishes (within the grace) unless it only waits or checks.
          onInterrupt = () => {
            const stop = () => {
              // Reject first: a stage that settles on its abort signal must not win the race.
              const graceMs = this.opts.graceMs ?? DEFAULT_GRACE_MS;
              const why = stage.interruptible ? `interrupted while ${lastProgress ?? stage.title.toLowerCase()}` : `did not finish within ${formatDuration(graceMs)} of the interrupt`;
              reject(new PipelineInterrupted(why));
              controller.abort();
            };
            if (stage.interruptible) stop();
            else grace = setTimeout(stop, this.opts.graceMs ?? DEFAULT_GRACE_MS);
          };
          interrupt?.addEventListener('abort', onInterrupt, { once: true });
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(new StageDeadline(lastProgress ?? 'still running'));
          }, deadline - t0 + GRACE_MS);
        }),
      ]);
      Object.assign(report, { status: outcome.status ?? 'ok', duration_ms: this.now() - t0, detail: outcome.detail });
      return report;
    } catch (err) {
      const cause = err instanceof Error ? err : new Error(String(err));
      const code = isFrameworksError(cause) ? cause.code : (cause as { code?: string }).code;
      // Out of time: the runner's deadline, an inner timeout, or any error once the pipeline's time is up.
      const timedOut = cause instanceof StageDeadline || TIMEOUT_CODES.has(code ?? '') || this.now() >= this.deadline - 50;
      const stopped = cause instanceof PipelineInterrupted || (interrupt?.aborted === true && code === 'ABORTED');
      const status: StageStatus = stopped ? 'interrupted' : timedOut ? 'timeout' : 'failed';
      Object.assign(report, { status, duration_ms: this.now() - t0, detail: firstLine(cause.message) });
      this.failure = { stage, report, cause, ...(lastProgress ? { lastProgress } : {}) };
      throw cause;
    } finally {
      if (timer) clearTimeout(timer);
      if (grace) clearTimeout(grace);
      if (onInterrupt) interrupt?.removeEventListener('abort', onInterrupt);
      controller.abort();
    }
  }

  /** Run every stage in order; stops at the first failure (the rest stay `not-run`). */
  async runAll(hooks: { onStart?: (s: Stage) => void; onEnd?: (r: StageReport) => void; onProgress?: (s: Stage, text: string) => void } = {}): Promise<StageReport[]> {
    for (let i = 0; i < this.stages.length; i++) {
      hooks.onStart?.(this.stages[i]);
      try {
        await this.runStage(i, (text) => hooks.onProgress?.(this.stages[i], text));
      } finally {
        if (this.reports[i].status !== 'not-run') hooks.onEnd?.(this.reports[i]);
      }
    }
    return this.reports;
  }

  /** Did the pipeline stop because of an interrupt (rather than a failure of its own)? */
  get interrupted(): boolean {
    return this.failure?.cause instanceof PipelineInterrupted || (this.opts.interrupt?.aborted === true && this.failure?.report.status === 'interrupted');
  }

  /**
   * The command's error for a failed pipeline, carrying `result`: a timeout names the stage and the
   * commands that show why (ENROLL_TIMEOUT, exit 1); a failure keeps the stage error's code and exit
   * code, with the stage's hints first.
   */
  error(err: unknown, result: unknown): FrameworksError {
    const f = this.failure;
    if (!f) {
      if (isFrameworksError(err)) return new FrameworksError(err.message, { code: err.code, exitCode: err.exitCode, suggestions: err.suggestions, cause: err, result });
      return new FrameworksError((err as Error)?.message ?? String(err), { code: 'FAILED', exitCode: ExitCode.FAILED, cause: err, result });
    }
    const { stage, report, cause } = f;
    const inner = isFrameworksError(cause) ? cause : undefined;
    if (this.interrupted) {
      const at = report.status === 'not-run' ? `before stage "${stage.name}" (${stage.title})` : `at stage "${stage.name}" (${stage.title}): ${firstLine(cause.message)}`;
      return new FrameworksError(`${this.opts.what} was interrupted ${at}`, { code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, name: 'InterruptedError', suggestions: dedupe([...(this.opts.resumeHint ? [this.opts.resumeHint] : []), ...stage.hints]), cause, result });
    }
    if (report.status === 'timeout') {
      const why = cause instanceof StageDeadline ? (f.lastProgress ?? cause.message) : cause.message;
      return new FrameworksError(
        `${this.opts.what} timed out after ${formatDuration(this.opts.timeoutMs)}: stage "${stage.name}" (${stage.title}) did not finish in ${formatDuration(report.duration_ms)} — ${firstLine(why)}`,
        { code: `${this.opts.codePrefix}_TIMEOUT`, exitCode: ExitCode.FAILED, suggestions: dedupe([...stage.hints, ...(inner?.suggestions ?? [])]), cause, result },
      );
    }
    return new FrameworksError(`${this.opts.what} failed at stage "${stage.name}" (${stage.title}): ${cause.message}`, {
      code: inner?.code ?? `${this.opts.codePrefix}_FAILED`,
      exitCode: inner?.exitCode ?? ExitCode.FAILED,
      suggestions: dedupe([...(inner?.suggestions ?? []).filter((x) => !isToolHint(x)), ...stage.hints, ...(inner?.suggestions ?? [])]),
      cause,
      result,
    });
  }
}

/** Raw tool commands (docker compose -p … logs) come after the stage's frameworks commands. */
function isToolHint(s: string): boolean {
  return /^(?:sudo -n )?docker[ -]/.test(s);
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** 0.4s, 12.3s, 2m05s, 1h02m. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Sleep that ends early on abort. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
