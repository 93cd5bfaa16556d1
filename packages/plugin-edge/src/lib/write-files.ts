import { posix } from 'node:path';
import { ExitCode, FrameworksError, readFilesIfPresent, writeAllOrNothing, type Executor } from '@frameworks/sdk';
import { unifiedDiff } from './diff.js';
import { maskEnvSecrets } from './edge-env.js';

/** A file `edge init` writes: name inside the edge folder, content, mode, and whether it holds secrets. */
export interface RenderedFile {
  name: string;
  content: string;
  mode: number;
  secret: boolean;
}

export type FileAction = 'created' | 'replaced' | 'unchanged' | 'would-create' | 'would-replace' | 'conflict';

export interface FileOutcome {
  name: string;
  path: string;
  /** Octal, e.g. "0600". */
  mode: string;
  bytes: number;
  action: FileAction;
  /** Unified diff of the file on disk → the new content (secrets masked); for conflicts and replacements. */
  diff?: string;
  /** The new content with secrets masked (--dry-run only). */
  content?: string;
}

export interface WriteOptions {
  force?: boolean;
  dryRun?: boolean;
  /** What is on disk now, file by file (readEdgeFiles), when the caller has read it already. */
  existing?: Array<string | undefined>;
}

/** The current content of each file in `dir` (undefined where missing), in one round trip. */
export function readEdgeFiles(executor: Executor, dir: string, files: Array<Pick<RenderedFile, 'name'>>): Promise<Array<string | undefined>> {
  return readFilesIfPresent(executor, files.map((file) => posix.join(dir, file.name)));
}

export interface WriteResult {
  dir: string;
  dir_created: boolean;
  files: FileOutcome[];
}

interface Planned {
  file: RenderedFile;
  path: string;
  state: 'missing' | 'same' | 'differs';
  diff?: string;
}

const octal = (mode: number) => `0${mode.toString(8)}`;

/** Content as it may be shown: secrets of env files masked. */
export function displayContent(file: Pick<RenderedFile, 'name'>, content: string): string {
  return file.name.startsWith('.edge.env') ? maskEnvSecrets(content) : content;
}

/**
 * Write the rendered files into `dir` through the executor (so --ssh writes on the remote host),
 * all or nothing: every file is compared first; if one exists with other content and `force` is
 * not set, nothing is written and EDGE_FILES_EXIST (exit 1) carries the list and the diffs.
 * Identical files are left alone ("unchanged"). The others are written by the SDK's all-or-nothing
 * writer: a full disk or a refused rename leaves every existing file as it was. `dryRun` compares
 * and reports, and writes nothing (not even the folder).
 */
export async function writeEdgeFiles(executor: Executor, dir: string, files: RenderedFile[], opts: WriteOptions = {}): Promise<WriteResult> {
  const paths = files.map((file) => posix.join(dir, file.name));
  const contents = opts.existing ?? (await readEdgeFiles(executor, dir, files));
  const planned: Planned[] = [];
  for (const [i, file] of files.entries()) {
    const path = paths[i];
    const existing = contents[i];
    const state: Planned['state'] = existing === undefined ? 'missing' : existing === file.content ? 'same' : 'differs';
    const diff =
      state === 'differs'
        ? unifiedDiff(displayContent(file, existing!), displayContent(file, file.content), { from: `${path} (on disk)`, to: `${path} (edge init)` })
        : undefined;
    planned.push({ file, path, state, diff });
  }

  const outcome = (p: Planned, action: FileAction): FileOutcome => ({
    name: p.file.name,
    path: p.path,
    mode: octal(p.file.mode),
    bytes: Buffer.byteLength(p.file.content),
    action,
    ...(p.diff ? { diff: p.diff } : {}),
    ...(opts.dryRun ? { content: displayContent(p.file, p.file.content) } : {}),
  });
  const planAction = (p: Planned): FileAction =>
    p.state === 'missing' ? 'would-create' : p.state === 'same' ? 'unchanged' : opts.force ? 'would-replace' : 'conflict';

  const conflicts = planned.filter((p) => p.state === 'differs' && !opts.force);
  if (opts.dryRun) return { dir, dir_created: false, files: planned.map((p) => outcome(p, planAction(p))) };
  if (conflicts.length) {
    const names = conflicts.map((p) => p.file.name);
    throw new FrameworksError(
      `${names.length === 1 ? `${names[0]} already exists` : `${names.length} files already exist`} in ${dir}${executor.name === 'local' ? '' : ` on ${executor.name}`} with other content (${names.join(', ')}). Nothing was written.`,
      {
        code: 'EDGE_FILES_EXIST',
        exitCode: ExitCode.FAILED,
        suggestions: ['Re-run the same command with --force to replace them (the diff is above)', 'Or add --dry-run to print the new files, or choose another folder with --dir'],
        result: { dir, files: planned.map((p) => outcome(p, planAction(p))) },
      },
    );
  }

  // The SDK's one writer: every file or none, old files byte-identical on any failure.
  const changed = planned.filter((p) => p.state !== 'same');
  const written = await writeAllOrNothing(
    executor,
    changed.map((p) => ({ path: p.path, content: p.file.content, mode: p.file.mode })),
    { createDirs: true },
  );
  const results = planned.map((p) => outcome(p, p.state === 'same' ? 'unchanged' : p.state === 'missing' ? 'created' : 'replaced'));
  return { dir, dir_created: written.dirs_created.length > 0, files: results };
}
