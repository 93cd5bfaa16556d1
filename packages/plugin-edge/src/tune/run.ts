import type { Executor } from '@frameworks/sdk';
import { probe } from '../lib/probe.js';
import { rooted, writeAndApply, type WriteOptions, type WriteResult } from './apply.js';
import { detectCongestionSupport, type CongestionSupport } from './kernel.js';
import { readLiveLimits, readSysctls } from './live.js';
import { buildPlan, type PlannedKey, type TunePlan } from './plan.js';
import { LIMITS_FILE, SYSCTL_FILE, SYSCTL_TARGETS } from './targets.js';

export interface FileView {
  path: string;
  kind: 'sysctl' | 'limits';
  content: string;
  /** Against the file on the host now. */
  on_disk: 'missing' | 'identical' | 'differs';
  /** Lines that would leave (-) or arrive (+), when it differs. */
  diff: string[];
}

export interface TuneReport {
  host: string;
  mode: 'preview' | 'write';
  root: string | null;
  files: FileView[];
  keys: PlannedKey[];
  limits: TunePlan['limits'];
  support: CongestionSupport;
  /** With --write. */
  applied?: WriteResult;
  summary: { set: number; ok: number; keep: number; omit: number; applied?: number; not_applied?: number; excluded?: number };
}

/** Read the live kernel and limits and work out both files. Read-only: safe on any host, any user. */
export async function planTuning(executor: Executor, root?: string): Promise<TunePlan & { support: CongestionSupport }> {
  const [live, support, liveLimits] = await Promise.all([
    readSysctls(
      executor,
      SYSCTL_TARGETS.map((t) => t.key),
    ),
    detectCongestionSupport(executor),
    readLiveLimits(executor),
  ]);
  return { ...buildPlan(live, support, liveLimits, { sysctl: rooted(root, SYSCTL_FILE), limits: rooted(root, LIMITS_FILE) }), support };
}

export async function isRoot(executor: Executor): Promise<boolean> {
  const r = await probe(executor, ['id', '-u'], { timeoutMs: 5_000 });
  return r.ok && r.stdout.trim() === '0';
}

/** Lines only in the old file (-) and only in the new one (+): enough for small key = value files. */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const b = after.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  return [...a.filter((l) => !b.includes(l)).map((l) => `- ${l}`), ...b.filter((l) => !a.includes(l)).map((l) => `+ ${l}`)];
}

async function fileView(executor: Executor, path: string, kind: FileView['kind'], content: string): Promise<FileView> {
  const current = (await executor.exists(path)) ? await executor.readFile(path).catch(() => undefined) : undefined;
  if (current === undefined) return { path, kind, content, on_disk: 'missing', diff: lineDiff('', content) };
  if (current === content) return { path, kind, content, on_disk: 'identical', diff: [] };
  return { path, kind, content, on_disk: 'differs', diff: lineDiff(current, content) };
}

function summarizeKeys(keys: PlannedKey[]): TuneReport['summary'] {
  const n = (a: PlannedKey['action']) => keys.filter((k) => k.action === a).length;
  return { set: n('set'), ok: n('ok'), keep: n('keep'), omit: n('omit') };
}

/** The no-write view: both files, their diff against disk, and every key against the live kernel. */
export async function previewTune(executor: Executor, host: string, root?: string): Promise<TuneReport> {
  const plan = await planTuning(executor, root);
  const files = await Promise.all([
    fileView(executor, plan.sysctlFile.path, 'sysctl', plan.sysctlFile.content),
    fileView(executor, plan.limitsFile.path, 'limits', plan.limitsFile.content),
  ]);
  return { host, mode: 'preview', root: root ?? null, files, keys: plan.keys, limits: plan.limits, support: plan.support, summary: summarizeKeys(plan.keys) };
}

/** --write: the preview, then write + apply + read back. */
export async function writeTune(executor: Executor, host: string, opts: WriteOptions = {}): Promise<TuneReport> {
  const report = await previewTune(executor, host, opts.root);
  const plan: TunePlan = {
    keys: report.keys,
    sysctlFile: { path: report.files[0].path, content: report.files[0].content },
    limitsFile: { path: report.files[1].path, content: report.files[1].content },
    limits: report.limits,
  };
  const applied = await writeAndApply(executor, plan, opts);
  const n = (s: string) => applied.keys.filter((k) => k.status === s).length;
  return { ...report, mode: 'write', applied, summary: { ...report.summary, applied: n('applied'), not_applied: n('not-applied'), excluded: n('excluded') } };
}
