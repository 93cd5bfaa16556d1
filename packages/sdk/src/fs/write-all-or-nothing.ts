import { posix } from 'node:path';
import { ExitCode, FrameworksError } from '../errors.js';
import { quoteArg } from '../exec/quote.js';
import type { Executor } from '../exec/types.js';
import { trace } from '../log.js';
import { isStaleSideName, sideName } from './temp-names.js';
import { writeFailureError } from './write-errors.js';
import { localBackend } from './write-local.js';
import { StepFailure, type Backend, type Entry, type FileWrite, type WriteHooks } from './write-plan.js';
import { remoteBackend } from './write-remote.js';

export type { FileWrite, WriteHooks } from './write-plan.js';

export interface WriteAllOptions {
  /** Create missing folders (mode 0755); they are removed again when the transaction fails. */
  createDirs?: boolean;
  /** Testing only. */
  hooks?: WriteHooks;
}

export interface WriteAllResult {
  files: Array<{ path: string; real_path: string; created: boolean }>;
  dirs_created: string[];
  /** Temp files of earlier, killed runs that were removed. */
  stale_removed: string[];
}

/** The local backend works with node:fs; any other executor (SSH) gets the shell-script one. */
function backendFor(executor: Executor, hooks?: WriteHooks): Backend {
  return executor.name === 'local' ? localBackend(hooks) : remoteBackend(executor);
}

/**
 * The one writer: every file or none. Everything is rendered by the caller first; then every file is
 * written to a temp name in its own folder and fsynced; only when all are written are they renamed
 * into place, each existing file keeping a second name (hard link) until the end, so a rename that
 * fails half way puts back what was already replaced. A failure before the renames leaves every
 * existing file byte-identical and removes every temp file. A symlinked target is written through
 * to the file it points at (the link stays a link). Temp files of an earlier run that was killed are
 * removed on the way. Errors: DISK_FULL, WRITE_PERMISSION_DENIED, READ_ONLY_FILESYSTEM, WRITE_FAILED.
 */
export async function writeAllOrNothing(executor: Executor, files: FileWrite[], opts: WriteAllOptions = {}): Promise<WriteAllResult> {
  if (!files.length) return { files: [], dirs_created: [], stale_removed: [] };
  const backend = backendFor(executor, opts.hooks);
  const fail = async (f: StepFailure, path: string) => {
    throw await writeFailureError({ executor, path, failure: f.failure, reason: f.reason, untouched: f.untouched, lost: f.lost });
  };

  let inspection;
  try {
    inspection = await backend.inspect(files.map((f) => f.path));
  } catch (err) {
    if (err instanceof StepFailure) return fail(err, files[err.index]?.path ?? files[0].path);
    throw err;
  }
  const { targets, missingDirs, sideFiles, legacyTemps } = inspection;
  const on = executor.name === 'local' ? '' : ` on ${executor.name}`;
  const seen = new Set<string>();
  for (const t of targets) {
    if (t.kind === 'other') {
      throw new FrameworksError(`Cannot write ${t.path}${on}: it is not a regular file (a folder?). Nothing was changed.`, {
        code: 'WRITE_FAILED',
        exitCode: ExitCode.FAILED,
        suggestions: [`ls -ld ${quoteArg(t.path)}   # move it away, or choose another folder`],
      });
    }
    if (seen.has(t.real)) {
      throw new FrameworksError(`internal: ${t.real} is written twice in one transaction`, { code: 'INTERNAL', exitCode: ExitCode.INTERNAL });
    }
    seen.add(t.real);
  }
  if (missingDirs.length && !opts.createDirs) {
    const dir = missingDirs[0];
    const first = targets.find((t) => t.real.startsWith(`${dir}/`))?.path ?? dir;
    throw new FrameworksError(`Cannot write ${first}${on}: the folder ${dir} does not exist. Nothing was changed.`, {
      code: 'WRITE_FAILED',
      exitCode: ExitCode.FAILED,
      suggestions: [`mkdir -p ${quoteArg(dir)}`],
    });
  }

  const stale = [...sideFiles.filter((p) => isStaleSideName(posix.basename(p))), ...legacyTemps];
  if (stale.length) trace(`removing temp files left by an earlier run that was killed: ${stale.join(', ')}`);
  const entries: Entry[] = files.map((f, i) => ({
    real: targets[i].real,
    tmp: sideName(targets[i].real, 'tmp'),
    bak: sideName(targets[i].real, 'bak'),
    existed: targets[i].kind === 'file',
    content: f.content,
    mode: f.mode ?? 0o644,
  }));
  const pathOf = (i: number) => (i >= 0 ? entries[i].real : (missingDirs[0] ?? entries[0].real));

  let dirsCreated: string[];
  try {
    ({ dirsCreated } = await backend.stage(entries, { stale, createDirs: missingDirs }));
  } catch (err) {
    if (err instanceof StepFailure) return fail(err, pathOf(err.index));
    throw err;
  }
  try {
    await backend.commit(entries);
  } catch (err) {
    await backend.removeDirs(dirsCreated).catch(() => undefined);
    if (err instanceof StepFailure) return fail(err, pathOf(err.index));
    throw err;
  }
  return {
    files: entries.map((e, i) => ({ path: files[i].path, real_path: e.real, created: !e.existed })),
    dirs_created: dirsCreated,
    stale_removed: stale,
  };
}
