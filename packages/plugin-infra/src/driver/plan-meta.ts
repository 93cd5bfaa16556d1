import { posix } from 'node:path';
import type { Executor } from '@frameworks/sdk';
import type { PlanSummary } from './plan-summary.js';

/**
 * Beside every saved plan (`<plan>.meta.json`): which tenant it is for and the state it was made
 * against. `apply` refuses a plan of another tenant, or one older than the state, before Terraform runs.
 */
export interface PlanMeta {
  tenant: string;
  plan_file: string;
  created_at: string;
  state_serial: number | null;
  state_lineage: string | null;
  binary: string;
  version: string;
  counts: PlanSummary['counts'];
  changes_pending: boolean;
  applied_at: string | null;
}

export const metaPath = (dir: string, planFile: string): string => posix.join(dir, `${planFile}.meta.json`);

export async function readPlanMeta(executor: Executor, dir: string, planFile: string): Promise<PlanMeta | undefined> {
  const path = metaPath(dir, planFile);
  if (!(await executor.exists(path))) return undefined;
  try {
    return JSON.parse(await executor.readFile(path)) as PlanMeta;
  } catch {
    return undefined;
  }
}

export async function writePlanMeta(executor: Executor, dir: string, meta: PlanMeta): Promise<void> {
  await executor.writeFile(metaPath(dir, meta.plan_file), `${JSON.stringify(meta, null, 2)}\n`, 0o644);
}
