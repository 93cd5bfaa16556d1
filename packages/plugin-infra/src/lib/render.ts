import type { PlanSummary } from '../driver/plan-summary.js';

const MARK: Record<string, string> = { create: '+', update: '~', replace: '-/+', delete: '-', read: '<=', 'no-op': ' ' };

/** "Plan: 3 to create, 1 to update, 1 to replace, 0 to destroy." */
export function countsLine(c: PlanSummary['counts']): string {
  return `${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to destroy`;
}

/** The markdown a pipeline attaches to a merge request (infra plan --ci). */
export function planMarkdown(tenant: string, s: PlanSummary, planFile: string, binary: string): string {
  const rows = s.changes.map((c) => `| \`${c.address}\` | ${c.action} | ${c.reason ?? ''} |`);
  return [
    `## Infrastructure plan: tenant \`${tenant}\``,
    '',
    `${binary}, plan file \`${planFile}\`: **${countsLine(s.counts)}**.`,
    '',
    ...(rows.length ? ['| resource | action | reason |', '|---|---|---|', ...rows] : ['No changes: the infrastructure matches the configuration.']),
    '',
  ].join('\n');
}

export function changeMark(action: string): string {
  return MARK[action] ?? action;
}
