import { Flags } from '@oclif/core';
import { lockFlags, renderTable } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError, registerSecret } from '@frameworks/sdk';
import { InfraCommand, tenantFlag } from '../../lib/infra-command.js';

export default class InfraPlan extends InfraCommand<typeof InfraPlan> {
  static override summary = "Plan a tenant's infrastructure changes and save the plan for infra apply.";
  static override description = `Run terraform (or tofu) plan for one tenant and save the plan: init with the tenant's backend config (its own state), plan -json with its variables (tenants/<tenant>.tfvars.json), then show -json for the summary of creates, updates, replaces and destroys.

Progress is shown per resource as the binary reports it; diagnostics with their file:line and source line. Beside the plan file, <plan>.meta.json records the tenant and the state's serial and lineage: infra apply refuses the plan for another tenant or once the state has moved on.

--detailed-exitcode: exit 8 (CHANGES_PENDING) when changes are pending, 0 when none, 1 on failure — for CI drift checks.
--ci: also writes <plan>.summary.json and <plan>.summary.md (markdown) for a pipeline to attach.
Variables and values Terraform marks sensitive are never printed nor written to the audit log.`;

  static override examples = [
    { description: 'Plan tenant acme-prod in ./infra and save the plan', command: '<%= config.bin %> infra plan --tenant acme-prod --dir ./infra' },
    { description: 'A CI drift check: exit 8 when changes are pending', command: '<%= config.bin %> infra plan --tenant acme-prod --detailed-exitcode --ci' },
    { description: 'Plan on a control host that reaches the private network', command: '<%= config.bin %> infra plan --tenant acme-prod --ssh ops@control-1' },
  ];

  static override flags = {
    ...lockFlags,
    tenant: tenantFlag,
    out: Flags.string({ description: 'Plan file, relative to the Terraform folder. Default: plans/<tenant>.tfplan.' }),
    'detailed-exitcode': Flags.boolean({ description: 'Exit 8 (CHANGES_PENDING) when changes are pending, 0 when there are none.' }),
    ci: Flags.boolean({ description: 'Also write <plan>.summary.json and <plan>.summary.md for a pipeline to attach.' }),
  };

  static override mutating = true;

  async run() {
    const { posix, join, resolve } = await import('node:path');
    const { summarizePlan, sensitiveValues } = await import('../../driver/plan-summary.js');
    const { writePlanMeta } = await import('../../driver/plan-meta.js');
    const { formatDiagnostic, diagnosticView } = await import('../../driver/diagnostics.js');
    const { withLiveProgress } = await import('../../lib/live-progress.js');
    const { countsLine, planMarkdown, changeMark } = await import('../../lib/render.js');
    const tenant = this.tenant();
    const out = this.flags.out ?? `plans/${tenant}.tfplan`;
    const retry = this.retryCommand('plan', tenant);
    const r = await this.withTerraform('plan', tenant, { lock: true }, async ({ tf, h, prepared }) => {
      await tf.init(prepared.backendConfig, retry);
      const stamp = await tf.statePull(retry);
      await h.executor.run(['mkdir', '-p', posix.dirname(posix.join(h.dir, out))]);
      const args = ['plan', '-json', '-input=false', '-lock-timeout=0s', `-out=${out}`, `-var-file=${prepared.varFile}`, '-detailed-exitcode'];
      const res = await withLiveProgress(`${tf.bin.kind} plan (tenant ${tenant})`, this.renderContext(), (hooks) => tf.stream(args, hooks));
      for (const d of res.diagnostics.filter((x) => x.severity === 'warning')) this.warning(formatDiagnostic(d), 'TERRAFORM_WARNING');
      if (res.code !== 0 && res.code !== 2) throw await this.streamFailure(`${tf.bin.kind} plan`, res, { tenant, retry, plan: out });
      const plan = await tf.show(out, retry);
      for (const v of sensitiveValues(plan, prepared.sensitive)) registerSecret(v);
      const summary = summarizePlan(plan);
      await writePlanMeta(h.executor, h.dir, {
        tenant,
        plan_file: out,
        created_at: new Date().toISOString(),
        state_serial: stamp.serial,
        state_lineage: stamp.lineage,
        binary: tf.bin.kind,
        version: tf.bin.version,
        counts: summary.counts,
        changes_pending: summary.changes_pending,
        applied_at: null,
      });
      return {
        tenant,
        host: h.host,
        dir: h.dir,
        plan_file: out,
        binary: { kind: tf.bin.kind, path: tf.bin.path, version: tf.bin.version },
        changes_pending: summary.changes_pending,
        counts: summary.counts,
        changes: summary.changes,
        diagnostics: res.diagnostics.map(diagnosticView),
        state_serial: stamp.serial,
      };
    });
    const ciFiles: string[] = [];
    if (this.flags.ci) {
      const { writeAllOrNothing, LocalExecutor } = await import('@frameworks/sdk');
      // Written here (where the pipeline runs), beside the plan's path in the local folder.
      const base = resolve(join(await this.infraDir(), out));
      const summary = { tenant, plan_file: out, binary: r.binary, changes_pending: r.changes_pending, counts: r.counts, changes: r.changes };
      const md = planMarkdown(tenant, { counts: r.counts, changes: r.changes, changes_pending: r.changes_pending }, out, `${r.binary.kind} ${r.binary.version}`);
      await writeAllOrNothing(new LocalExecutor(), [
        { path: `${base}.summary.json`, content: `${JSON.stringify(summary, null, 2)}\n` },
        { path: `${base}.summary.md`, content: md },
      ], { createDirs: true });
      ciFiles.push(`${base}.summary.json`, `${base}.summary.md`);
    }
    if (!this.jsonEnabled()) {
      if (r.changes.length) this.out(renderTable(r.changes, [
        { header: '', get: (c) => changeMark(c.action) },
        { header: 'resource', get: (c) => c.address },
        { header: 'action', get: (c) => c.action },
        { header: 'reason', get: (c) => c.reason ?? '' },
      ]));
      this.out(`Plan for tenant ${tenant}: ${countsLine(r.counts)}. Saved to ${out}${r.host === 'local' ? '' : ` on ${r.host}`}.`);
      for (const f of ciFiles) this.info(`Wrote ${f}`);
    }
    const result = { ...r, ci_files: ciFiles };
    if (r.changes_pending) this.next(`${this.retryCommand('apply', tenant)} --plan ${out}`);
    if (this.flags['detailed-exitcode'] && r.changes_pending) {
      throw new FrameworksError(`Changes are pending for tenant ${tenant}: ${countsLine(r.counts)} (plan saved to ${out}).`, {
        code: 'CHANGES_PENDING',
        exitCode: ExitCode.CHANGES_PENDING,
        name: 'ChangesPending',
        result,
        suggestions: [`frameworks infra apply --tenant ${tenant}${this.whereFlags()} --plan ${out}`],
      });
    }
    return result;
  }
}
