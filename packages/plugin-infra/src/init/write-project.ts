/**
 * infra init's writer: every file or none (the SDK's writeAllOrNothing). What it generated is recorded in
 * .frameworks-infra.json (sha256 per file), as services plan records its fragments in plan.yaml: a file
 * whose content still has the recorded hash is regenerated; one edited by hand since, or one init never
 * wrote, stops the run before anything is written unless --force. The overlays (tenants/*.yaml) are the
 * operator's (and .gitignore): created once, never replaced. A tenant's tfvars and backend file are derived: always rewritten.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, FrameworksError, LocalExecutor, writeAllOrNothing } from '@frameworks/sdk';
import { RECORD_FILE, type RenderedFile } from './render.js';

export type FileAction = 'created' | 'replaced' | 'unchanged' | 'kept' | 'would-create' | 'would-replace' | 'would-keep' | 'conflict';

export interface FileOutcome {
  path: string;
  action: FileAction;
  /** generated: regenerated unless edited; operator: written once, then yours (overlays, .gitignore); tenant: derived, always rewritten. */
  kind: 'generated' | 'operator' | 'tenant' | 'record';
  bytes: number;
  reason?: 'hand-edited' | 'not-generated';
  content?: string;
}

export interface Record {
  schema_version: 1;
  generator: string;
  provider: string;
  files: { [path: string]: string };
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

type State = 'missing' | 'same' | 'regenerate' | 'edited' | 'foreign' | 'keep';

export interface ProjectFiles {
  generated: RenderedFile[];
  overlays: RenderedFile[];
  tenant: RenderedFile[];
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function readRecord(dir: string): Promise<Record | undefined> {
  const text = await readText(join(dir, RECORD_FILE));
  if (text === undefined) return undefined;
  try {
    const r = JSON.parse(text) as Record;
    return r && typeof r.files === 'object' ? r : undefined;
  } catch {
    return undefined; // a garbled record: every existing file counts as not generated (--force to replace)
  }
}

/** What exists now: the contents of every path (undefined = missing). */
export async function readExisting(dir: string, paths: string[]): Promise<Map<string, string | undefined>> {
  const texts = await Promise.all(paths.map((p) => readText(join(dir, p))));
  return new Map(paths.map((p, i) => [p, texts[i]]));
}

export async function writeProject(
  dir: string,
  files: ProjectFiles,
  o: { force?: boolean; dryRun?: boolean; generator: string; provider: string; existing: Map<string, string | undefined>; record?: Record },
): Promise<FileOutcome[]> {
  const recorded = o.record?.files ?? {};
  const planned: Array<{ file: RenderedFile; kind: FileOutcome['kind']; state: State }> = [];
  for (const file of files.generated) {
    const now = o.existing.get(file.path);
    let state: State;
    if (now === undefined) state = 'missing';
    else if (now === file.content) state = 'same';
    else if (recorded[file.path] === sha256(now)) state = 'regenerate';
    else state = recorded[file.path] ? 'edited' : 'foreign';
    planned.push({ file, kind: 'generated', state });
  }
  for (const file of files.overlays) planned.push({ file, kind: 'operator', state: o.existing.get(file.path) === undefined ? 'missing' : 'keep' });
  for (const file of files.tenant) {
    const now = o.existing.get(file.path);
    planned.push({ file, kind: 'tenant', state: now === undefined ? 'missing' : now === file.content ? 'same' : 'regenerate' });
  }
  const record: Record = {
    schema_version: 1,
    generator: o.generator,
    provider: o.provider,
    files: Object.fromEntries(files.generated.map((f) => [f.path, sha256(f.content)])),
  };
  const recordFile: RenderedFile = { path: RECORD_FILE, content: `${JSON.stringify(record, null, 2)}\n`, mode: 0o644 };
  const oldRecord = o.existing.get(RECORD_FILE);
  planned.push({ file: recordFile, kind: 'record', state: oldRecord === undefined ? 'missing' : oldRecord === recordFile.content ? 'same' : 'regenerate' });

  const isConflict = (s: State) => s === 'edited' || s === 'foreign';
  const outcome = (p: (typeof planned)[number], action: FileAction): FileOutcome => ({
    path: p.file.path,
    action,
    kind: p.kind,
    bytes: Buffer.byteLength(p.file.content),
    ...(isConflict(p.state) ? { reason: p.state === 'edited' ? ('hand-edited' as const) : ('not-generated' as const) } : {}),
    ...(o.dryRun && p.state !== 'same' && p.state !== 'keep' ? { content: p.file.content } : {}),
  });
  const dryAction = (s: State): FileAction =>
    s === 'missing' ? 'would-create' : s === 'same' ? 'unchanged' : s === 'keep' ? 'would-keep' : isConflict(s) && !o.force ? 'conflict' : 'would-replace';
  if (o.dryRun) return planned.map((p) => outcome(p, dryAction(p.state)));

  const conflicts = planned.filter((p) => isConflict(p.state));
  if (conflicts.length && !o.force) {
    const list = conflicts.map((p) => `${p.file.path} (${p.state === 'edited' ? 'edited by hand since infra init wrote it' : 'not written by infra init'})`);
    const what = list.length === 1 ? 'A file' : `${list.length} files`;
    throw new FrameworksError(`${what} in ${dir} would be overwritten: ${list.join(', ')}. Nothing was written.`, {
      code: 'INFRA_FILES_EDITED',
      exitCode: ExitCode.FAILED,
      suggestions: [`frameworks infra init --dir ${dir} --dry-run`, `frameworks infra init --dir ${dir} --force`],
      result: { dir, files: planned.map((p) => outcome(p, dryAction(p.state))) },
    });
  }
  const changed = planned.filter((p) => p.state !== 'same' && p.state !== 'keep');
  await writeAllOrNothing(
    new LocalExecutor(),
    changed.map((p) => ({ path: join(dir, p.file.path), content: p.file.content, mode: p.file.mode })),
    { createDirs: true },
  );
  const action = (s: State): FileAction => (s === 'same' ? 'unchanged' : s === 'keep' ? 'kept' : s === 'missing' ? 'created' : 'replaced');
  return planned.map((p) => outcome(p, action(p.state)));
}
