import { posix } from 'node:path';
import { ExitCode, FrameworksError, type Executor } from '@frameworks/sdk';
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
  if (!(await executor.exists(path))) return undefined;
  try {
    return await executor.readFile(path);
  } catch (err) {
    throw new FrameworksError(`Cannot read ${path} on ${executor.name}: ${(err as Error).message}`, {
      code: 'SERVICES_FILE_UNREADABLE',
      exitCode: ExitCode.FAILED,
      cause: err,
      suggestions: [`Check the permissions of ${path}`],
    });
  }
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
 *  - every write is atomic (temp file + rename through the executor), so an interrupt leaves
 *    each file either old or new.
 */
export async function writePlanFiles(
  executor: Executor,
  dir: string,
  files: { fragments: RenderedFile[]; env: RenderedFile; plan: RenderedFile },
  opts: { force?: boolean; dryRun?: boolean; previous?: PlanDoc } = {},
): Promise<PlanWriteResult> {
  const dirExists = await executor.exists(dir);
  const recorded = opts.previous?.fragments ?? {};
  const planned: Planned[] = [];
  for (const file of files.fragments) {
    const path = posix.join(dir, file.name);
    const existing = dirExists ? await readIfExists(executor, path) : undefined;
    let state: Planned['state'];
    if (existing === undefined) state = 'missing';
    else if (existing === file.content) state = 'same';
    else if (recorded[file.name] === sha256(existing)) state = 'regenerate';
    else state = recorded[file.name] ? 'edited' : 'foreign';
    planned.push({ file, path, state });
  }
  const envPath = posix.join(dir, files.env.name);
  planned.push({ file: files.env, path: envPath, state: dirExists && (await executor.exists(envPath)) ? 'keep' : 'missing' });
  const planPath = posix.join(dir, files.plan.name);
  const oldPlan = dirExists ? await readIfExists(executor, planPath) : undefined;
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

  if (!dirExists) {
    const r = await executor.run(['mkdir', '-p', dir]);
    if (r.code !== 0) {
      throw new FrameworksError(`Cannot create the folder ${dir} on ${executor.name}: ${r.stderr.trim() || `mkdir exited ${r.code}`}`, {
        code: 'SERVICES_DIR_FAILED',
        exitCode: ExitCode.FAILED,
        suggestions: ['Choose a folder you can write to with --dir'],
      });
    }
  }
  const results: FileOutcome[] = [];
  for (const p of planned) {
    if (p.state === 'same' || p.state === 'keep') {
      results.push(outcome(p, p.state === 'same' ? 'unchanged' : 'kept'));
      continue;
    }
    try {
      await executor.writeFile(p.path, p.file.content, p.file.mode);
    } catch (err) {
      throw new FrameworksError(`Cannot write ${p.path} on ${executor.name}: ${(err as Error).message}`, {
        code: 'SERVICES_WRITE_FAILED',
        exitCode: ExitCode.FAILED,
        cause: err,
        suggestions: ['Check the permissions of the folder, or choose another one with --dir'],
      });
    }
    results.push(outcome(p, p.state === 'missing' ? 'created' : 'replaced'));
  }
  return { dir, files: results, stale };
}
