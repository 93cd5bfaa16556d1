import { renderTable } from '@frameworks/cli-kit';
import { InfraCommand } from '../../lib/infra-command.js';

export default class InfraStatus extends InfraCommand<typeof InfraStatus> {
  static override summary = 'Per tenant: the last plan and apply, and whether changes are pending.';
  static override description = `For every tenant of the Terraform folder (tenants/<tenant>.yaml or .tfvars.json): when its last saved plan was made, with what changes, whether it was applied, and whether changes are pending (a plan not applied yet that changes something).

Read from the plan records (plans/<tenant>.tfplan.meta.json) where Terraform runs: this folder, or the control host with --ssh. No Terraform run; for drift against the real infrastructure, infra plan --detailed-exitcode.`;

  static override examples = [
    { description: 'Status of every tenant in ./infra', command: '<%= config.bin %> infra status --dir ./infra' },
    { description: 'Status as kept on the control host', command: '<%= config.bin %> infra status --ssh ops@control-1 --json' },
  ];

  async run() {
    const { readdir } = await import('node:fs/promises');
    const { basename } = await import('node:path');
    const { readPlanMeta } = await import('../../driver/plan-meta.js');
    const { countsLine } = await import('../../lib/render.js');
    const localDir = await this.infraDir();
    const names = await readdir(`${localDir}/tenants`).catch(() => [] as string[]);
    const tenants = [...new Set(names.map((n) => /^([a-z][a-z0-9-]{0,62})\.(?:ya?ml|tfvars\.json)$/.exec(n)?.[1]).filter((t): t is string => Boolean(t)))].sort();
    const workDir = this.sshTargets().length ? (this.flags['remote-dir'] ?? `frameworks-infra/${basename(localDir)}`) : localDir;
    const outcomes = await this.runOnHosts(workDir, async (h) =>
      Promise.all(
        tenants.map(async (tenant) => {
          const meta = await readPlanMeta(h.executor, h.dir, `plans/${tenant}.tfplan`);
          return {
            tenant,
            last_plan_at: meta?.created_at ?? null,
            last_apply_at: meta?.applied_at ?? null,
            plan_counts: meta?.counts ?? null,
            changes_pending: meta ? meta.changes_pending && !meta.applied_at : null,
          };
        }),
      ),
    );
    const rows = this.settle(outcomes, 'infra status')[0].result!;
    if (!this.jsonEnabled()) {
      if (!rows.length) this.info(`No tenants in ${localDir}/tenants.`);
      else this.out(renderTable(rows, [
        { header: 'tenant', get: (r) => r.tenant },
        { header: 'last plan', get: (r) => r.last_plan_at ?? 'never' },
        { header: 'last apply', get: (r) => r.last_apply_at ?? 'never' },
        { header: 'pending', get: (r) => (r.changes_pending === null ? 'unknown' : r.changes_pending ? `yes: ${countsLine(r.plan_counts!)}` : 'no') },
      ]));
    }
    return { dir: localDir, tenants: rows };
  }
}
