import { runTasks, type TaskRenderContext } from '@frameworks/cli-kit/tasks';
import { escapeControl, redact } from '@frameworks/sdk';
import { formatDuration, type Pipeline, type StageReport } from './stages.js';

type Tasks = Parameters<typeof runTasks<object>>[0];

/** listr2 draws past the command's output functions: redact, and escape what the host sent (log lines). */
const safe = (text: string) => escapeControl(redact(text));

/** "— detail (1.2s)" after a stage title. */
export function stageSuffix(r: StageReport): string {
  return `${r.detail ? ` — ${r.detail}` : ''} (${formatDuration(r.duration_ms)})`;
}

/**
 * One host: the stages as a listr2 list on stderr (animated on a terminal, plain lines otherwise,
 * nothing under --json), each title ending with the stage's time once it is done. listr2 writes
 * straight to stderr, past the command's output functions: everything it gets is redacted here.
 */
export async function driveWithListr(pipeline: Pipeline, render: TaskRenderContext): Promise<void> {
  const tasks: Tasks = pipeline.stages.map((stage, i) => ({
    title: stage.title,
    task: async (_ctx, task) => {
      try {
        const r = await pipeline.runStage(i, (text) => {
          task.output = safe(text);
        });
        if (r.status === 'skipped') task.skip(safe(`${r.detail} (${formatDuration(r.duration_ms)})`));
        else task.title = safe(`${r.status === 'warn' ? '⚠ ' : ''}${stage.title}${stageSuffix(r)}`);
      } catch (err) {
        const r = pipeline.reports[i];
        task.title = `${stage.title} (${r.status === 'timeout' ? 'timed out after ' : ''}${formatDuration(r.duration_ms)})`;
        // The pipeline keeps the real error; listr2 prints only this line of it.
        throw new Error(safe(r.detail || (err as Error).message), { cause: err });
      }
    },
  }));
  await runTasks(tasks, render, { exitOnError: true });
}

const MARK: Record<string, string> = { ok: '✓', warn: '⚠', skipped: '↓', failed: '✗', timeout: '✗', 'not-run': '·' };

/**
 * A fleet: listr2 per host would interleave; each stage end is one line, prefixed with the host.
 */
export async function driveWithLines(pipeline: Pipeline, host: string, print: (line: string) => void): Promise<void> {
  await pipeline.runAll({
    onEnd: (r) => {
      const status = r.status === 'timeout' ? 'timed out' : r.status === 'skipped' ? 'skipped' : '';
      print(`[${host}] ${MARK[r.status]} ${r.title}${status ? ` (${status})` : ''}${stageSuffix(r)}`);
    },
  });
}

/** Silent (--json): run the stages, draw nothing. */
export async function driveSilently(pipeline: Pipeline): Promise<void> {
  await pipeline.runAll();
}

/** What driveWithProgress draws on: cli-kit's spinner (the command's `progress()`). */
export interface ProgressSink {
  wait(what: string): void;
  print(line: string, stream?: NodeJS.WriteStream): void;
  stop(): void;
}

/**
 * --json on a terminal: stdout keeps the one document, stderr shows each stage as it ends and a
 * spinner naming what the stage waits for, with the time left to its bound.
 */
export async function driveWithProgress(pipeline: Pipeline, host: string, progress: ProgressSink): Promise<void> {
  try {
    await pipeline.runAll({
      onStart: (s) => progress.wait(safe(`${host === 'local' ? '' : `[${host}] `}${s.title}`)),
      onProgress: (s, text) => progress.wait(safe(`${host === 'local' ? '' : `[${host}] `}${s.title}: ${text}`)),
      onEnd: (r) => {
        const status = r.status === 'timeout' ? 'timed out' : r.status === 'skipped' ? 'skipped' : '';
        progress.print(safe(`${host === 'local' ? '' : `[${host}] `}${MARK[r.status]} ${r.title}${status ? ` (${status})` : ''}${stageSuffix(r)}`), process.stderr);
      },
    });
  } finally {
    progress.stop();
  }
}
