/** The summary of a saved plan from `terraform show -json <planfile>` (plan representation). */
export interface PlanJson {
  terraform_version?: string;
  variables?: Record<string, { value: unknown }>;
  resource_changes?: Array<{
    address: string;
    type?: string;
    change: { actions: string[]; before?: unknown; after?: unknown; before_sensitive?: unknown; after_sensitive?: unknown };
    action_reason?: string;
  }>;
  output_changes?: Record<string, { actions: string[]; after?: unknown; after_sensitive?: unknown }>;
  configuration?: { root_module?: { variables?: Record<string, { sensitive?: boolean }> } };
}

export type ChangeAction = 'create' | 'update' | 'replace' | 'delete' | 'read' | 'no-op';

export interface PlanSummary {
  counts: { create: number; update: number; replace: number; delete: number };
  changes: Array<{ address: string; action: ChangeAction; reason: string | null }>;
  changes_pending: boolean;
}

export function actionOf(actions: string[]): ChangeAction {
  const a = actions.join(',');
  if (a === 'delete,create' || a === 'create,delete') return 'replace';
  if (a === 'create' || a === 'update' || a === 'delete' || a === 'read') return a;
  return 'no-op';
}

export function summarizePlan(plan: PlanJson): PlanSummary {
  const counts = { create: 0, update: 0, replace: 0, delete: 0 };
  const changes: PlanSummary['changes'] = [];
  for (const rc of plan.resource_changes ?? []) {
    const action = actionOf(rc.change.actions);
    if (action === 'no-op' || action === 'read') continue;
    counts[action]++;
    changes.push({ address: rc.address, action, reason: rc.action_reason ?? null });
  }
  const outputsChange = Object.values(plan.output_changes ?? {}).some((o) => actionOf(o.actions) !== 'no-op');
  return { counts, changes, changes_pending: changes.length > 0 || outputsChange };
}

/**
 * Every value the plan marks sensitive (`before_sensitive`/`after_sensitive` mirror the value's shape
 * with `true` where it is secret), and the variables the configuration declares sensitive: they are
 * registered for redaction so that no line the CLI prints can carry them.
 */
export function sensitiveValues(plan: PlanJson, sensitiveVars: string[] = []): string[] {
  const out: string[] = [];
  const collect = (value: unknown, mark: unknown) => {
    if (mark === true) return leaves(value, out);
    if (mark && typeof mark === 'object' && value && typeof value === 'object') {
      for (const [k, m] of Object.entries(mark as Record<string, unknown>)) collect((value as Record<string, unknown>)[k], m);
    }
  };
  for (const rc of plan.resource_changes ?? []) {
    collect(rc.change.before, rc.change.before_sensitive);
    collect(rc.change.after, rc.change.after_sensitive);
  }
  for (const o of Object.values(plan.output_changes ?? {})) collect(o.after, o.after_sensitive);
  const declared = Object.entries(plan.configuration?.root_module?.variables ?? {}).filter(([, v]) => v.sensitive).map(([k]) => k);
  for (const name of new Set([...declared, ...sensitiveVars])) leaves(plan.variables?.[name]?.value, out);
  return out;
}

export function leaves(value: unknown, out: string[] = []): string[] {
  if (value === null || value === undefined) return out;
  if (typeof value === 'object') for (const v of Object.values(value as Record<string, unknown>)) leaves(v, out);
  else out.push(String(value));
  return out;
}
