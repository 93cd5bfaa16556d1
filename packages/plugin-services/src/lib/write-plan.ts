import { posix } from 'node:path';
import { ExitCode, FrameworksError, readFilesIfPresent, writeAllOrNothing, type Executor } from '@frameworks/sdk';
import { ENV_FILE, FRAGMENT_RE, PLAN_FILE, parsePlan, sha256, type PlanDoc, type RenderedFile } from './fragments.js';

export type FileAction = 'created' | 'replaced' | 'unchanged' | 'kept' | 'would-create' | 'would-replace' | 'would-keep' | 'conflict';

export interface FileOutcome {
  name: string;
  path: string;
  mode: string;
  bytes: number;
  action: FileAction;
  /** Why a file is (or would be, without --force) refused: edited by hand since the last plan, or never written by the planner. */
  reason?: 'hand-edited' | 'not-planned';
  content?: string;
}

export interface PlanWriteResult {
  dir: string;
  files: FileOutcome[];
  /** svc-*.yml files in the folder that the new plan does not list (left in place). */
  stale: string[];
}

interface Planned {
  file: RenderedFile;
  path: string;
  state: 'missing' | 'same' | 'regenerate' | 'edited' | 'foreign' | 'keep';
}

const octal = (m: number) => `0${m.toString(8)}`;

export async function readIfExists(executor: Executor, path: string): Promise<string | undefined> {
  return (await readFilesIfPresent(executor, [path]))[0];
}

/** Names of the svc-*.yml files in dir, sorted (empty when the folder does not exist). */
export async function listFragments(executor: Executor, dir: string): Promise<string[]> {
  if (!(await executor.exists(dir))) return [];
  const r = await executor.run(['ls', '-1A', dir]);
  if (r.code !== 0) return [];
  return r.stdout.split('\n').map((s) => s.trim()).filter((s) => FRAGMENT_RE.test(s)).sort();
}

export async function readPlan(executor: Executor, dir: string): Promise<PlanDoc | undefined> {
  const text = await readIfExists(executor, posix.join(dir, PLAN_FILE));
  return text === undefined ? undefined : parsePlan(text);
}

/**
 * Write fragments, .central.env and plan.yaml (last), all or nothing:
 *  - a fragment whose content on disk still has the sha256 plan.yaml recorded is regenerated;
 *  - one edited by hand since (or a svc-*.yml the planner never wrote) is a conflict: nothing is
 *    written (SERVICES_FRAGMENTS_EDITED, exit 1, the list in the message) unless `force`;
 *  - .central.env is created once and never overwritten (it holds the operator's values);
 *  - the files are written by the SDK's all-or-nothing writer: a full disk or a refused rename
 *    leaves every existing file as it was.
 */
export async function writePlanFiles(
  executor: Executor,
  dir: string,
  files: { fragments: RenderedFile[]; env: RenderedFile; plan: RenderedFile },
  opts: { force?: boolean; dryRun?: boolean; previous?: PlanDoc } = {},
): Promise<PlanWriteResult> {
  const recorded = opts.previous?.fragments ?? {};
  const all = [...files.fragments, files.env, files.plan];
  const contents = await readFilesIfPresent(executor, all.map((f) => posix.join(dir, f.name))); // one round trip over SSH
  const planned: Planned[] = [];
  for (const [i, file] of files.fragments.entries()) {
    const path = posix.join(dir, file.name);
    const existing = contents[i];
    let state: Planned['state'];
    if (existing === undefined) state = 'missing';
    else if (existing === file.content) state = 'same';
    else if (recorded[file.name] === sha256(existing)) state = 'regenerate';
    else state = recorded[file.name] ? 'edited' : 'foreign';
    planned.push({ file, path, state });
  }
  const envPath = posix.join(dir, files.env.name);
  planned.push({ file: files.env, path: envPath, state: contents[all.length - 2] !== undefined ? 'keep' : 'missing' });
  const planPath = posix.join(dir, files.plan.name);
  const oldPlan = contents[all.length - 1];
  planned.push({ file: files.plan, path: planPath, state: oldPlan === undefined ? 'missing' : oldPlan === files.plan.content ? 'same' : 'regenerate' });

  const listed = new Set(files.fragments.map((f) => f.name));
  const stale = (await listFragments(executor, dir)).filter((n) => !listed.has(n));

  const isConflict = (p: Planned) => p.state === 'edited' || p.state === 'foreign';
  const outcome = (p: Planned, action: FileAction): FileOutcome => ({
    name: p.file.name,
    path: p.path,
    mode: octal(p.file.mode),
    bytes: Buffer.byteLength(p.file.content),
    action,
    ...(isConflict(p) ? { reason: p.state === 'edited' ? ('hand-edited' as const) : ('not-planned' as const) } : {}),
    ...(opts.dryRun && p.file.name !== ENV_FILE ? { content: p.file.content } : {}),
  });
  const dryAction = (p: Planned): FileAction =>
    p.state === 'missing' ? 'would-create' : p.state === 'same' ? 'unchanged' : p.state === 'keep' ? 'would-keep' : isConflict(p) && !opts.force ? 'conflict' : 'would-replace';

  if (opts.dryRun) return { dir, files: planned.map((p) => outcome(p, dryAction(p))), stale };
  const conflicts = planned.filter(isConflict);
  if (conflicts.length && !opts.force) {
    const list = conflicts.map((p) => `${p.file.name} (${p.state === 'edited' ? 'edited by hand since the last plan' : 'not written by services plan'})`);
    throw new FrameworksError(`${list.length === 1 ? 'A fragment' : `${list.length} fragments`} in ${dir}${executor.name === 'local' ? '' : ` on ${executor.name}`} would be overwritten: ${list.join(', ')}. Nothing was written.`, {
      code: 'SERVICES_FRAGMENTS_EDITED',
      exitCode: ExitCode.FAILED,
      suggestions: ['Re-run with --force to replace them (hand edits are lost)', 'Or move your changes elsewhere first; --dry-run shows what would be written'],
      result: { dir, files: planned.map((p) => outcome(p, dryAction(p))), stale },
    });
  }

  // The SDK's one writer: every file or none (plan.yaml included), old files byte-identical on any failure.
  const changed = planned.filter((p) => p.state !== 'same' && p.state !== 'keep');
  await writeAllOrNothing(executor, changed.map((p) => ({ path: p.path, content: p.file.content, mode: p.file.mode })), { createDirs: true });
  const action = (p: Planned): FileAction => (p.state === 'same' ? 'unchanged' : p.state === 'keep' ? 'kept' : p.state === 'missing' ? 'created' : 'replaced');
  return { dir, files: planned.map((p) => outcome(p, action(p))), stale };
}
