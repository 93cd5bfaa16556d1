import { Flags } from '@oclif/core';
import { lockFlags } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError } from '@frameworks/sdk';
import { InfraCommand, tenantFlag } from '../../lib/infra-command.js';

export default class InfraApply extends InfraCommand<typeof InfraApply> {
  static override summary = "Apply a tenant's saved plan (made by infra plan), nothing else.";
  static override description = `Apply a saved plan: terraform (or tofu) apply -json <plan>, with live progress per resource.

Only a saved plan is applied, never a fresh one: review it first (infra plan). The plan is refused, before the binary runs, when its <plan>.meta.json says it was made for another tenant (exit 2, PLAN_OTHER_TENANT) or for an older state (exit 1, PLAN_STALE); the binary's own "Saved plan is stale" is the same error. A state locked by another run is named (lock id, holder, since when) and never broken.

Afterwards the outputs are read back and kept in <frameworks home>/infra/<tenant>/ for infra hosts and context create --from-infra (sensitive outputs are not kept).

Ctrl-C: SIGINT is forwarded once; the binary finishes the resources in flight, writes its state and releases the lock; exit 130 with what was done and what may have been created. A second Ctrl-C exits at once.`;

  static override examples = [
    { description: 'Apply the plan saved by infra plan for acme-prod', command: '<%= config.bin %> infra apply --tenant acme-prod' },
    { description: 'Apply a given plan file on the control host', command: '<%= config.bin %> infra apply --tenant acme-prod --plan plans/acme-prod.tfplan --ssh ops@control-1' },
  ];

  static override flags = {
    ...lockFlags,
    tenant: tenantFlag,
    plan: Flags.string({ description: 'Saved plan file, relative to the Terraform folder. Default: plans/<tenant>.tfplan.' }),
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const { posix } = await import('node:path');
    const { readPlanMeta, writePlanMeta } = await import('../../driver/plan-meta.js');
    const { stalePlan } = await import('../../driver/terraform.js');
    const { formatDiagnostic } = await import('../../driver/diagnostics.js');
    const { withLiveProgress } = await import('../../lib/live-progress.js');
    const { interruptedApply, recordOutputs } = await import('../../lib/apply-run.js');
    const tenant = this.tenant();
    const planFile = this.flags.plan ?? `plans/${tenant}.tfplan`;
    const retry = this.retryCommand('apply', tenant);
    const planCmd = `frameworks infra plan --tenant ${tenant}${this.whereFlags()}${this.flags.plan ? ` --out ${planFile}` : ''}`;
    const r = await this.withTerraform('apply', tenant, { lock: true }, async ({ tf, h, prepared }) => {
      const where = h.remote ? ` on ${h.host}` : '';
      if (!(await h.executor.exists(posix.join(h.dir, planFile)))) {
        throw new FrameworksError(`No saved plan ${planFile} in ${h.dir}${where}: infra apply applies a saved plan only.`, {
          code: 'PLAN_NOT_FOUND',
          exitCode: ExitCode.FAILED,
          suggestions: [planCmd],
        });
      }
      const meta = await readPlanMeta(h.executor, h.dir, planFile);
      if (!meta) {
        throw new FrameworksError(`${planFile} has no ${planFile}.meta.json: it was not made by frameworks infra plan, so its tenant and state cannot be checked.`, {
          code: 'PLAN_UNVERIFIED',
          exitCode: ExitCode.USAGE,
          suggestions: [planCmd],
        });
      }
      if (meta.tenant !== tenant) {
        throw new FrameworksError(`The plan ${planFile} was made for tenant ${meta.tenant}, not ${tenant}: it is not applied.`, {
          code: 'PLAN_OTHER_TENANT',
          exitCode: ExitCode.USAGE,
          suggestions: [`frameworks infra apply --tenant ${meta.tenant}${this.whereFlags()} --plan ${planFile}`, planCmd],
        });
      }
      if (meta.applied_at) throw stalePlan(tenant, planFile, `it was applied already (${meta.applied_at})`);
      await tf.init(prepared.backendConfig, retry);
      const stamp = await tf.statePull(retry);
      if (stamp.serial !== meta.state_serial || stamp.lineage !== meta.state_lineage) {
        throw stalePlan(tenant, planFile, `it was made against state serial ${meta.state_serial}, the state is now at serial ${stamp.serial}${stamp.lineage !== meta.state_lineage ? ' of another lineage' : ''}`);
      }
      const args = ['apply', '-json', '-input=false', '-lock-timeout=0s', '-auto-approve', planFile];
      const res = await withLiveProgress(`${tf.bin.kind} apply (tenant ${tenant})`, this.renderContext(), (hooks) => tf.stream(args, hooks), this.interrupted);
      for (const d of res.diagnostics.filter((x) => x.severity === 'warning')) this.warning(formatDiagnostic(d), 'TERRAFORM_WARNING');
      if (this.interrupted.aborted) throw interruptedApply('apply', tenant, res, retry);
      if (res.code !== 0) {
        const err = await this.streamFailure(`${tf.bin.kind} apply`, res, { tenant, retry, plan: planFile });
        const maybe = res.tracker.maybeChanged();
        if (maybe.length && err.code === 'TERRAFORM_FAILED') err.message += ` Not completed: ${maybe.map((m) => m.address).join(', ')}.`;
        throw err;
      }
      await writePlanMeta(h.executor, h.dir, { ...meta, applied_at: new Date().toISOString() });
      const outputs = await recordOutputs(tf, tenant, retry);
      return { tenant, host: h.host, dir: h.dir, plan_file: planFile, applied: res.tracker.done(), outputs };
    });
    if (!this.jsonEnabled()) {
      this.success(`Applied ${planFile} for tenant ${tenant}: ${r.applied.length} resource${r.applied.length === 1 ? '' : 's'} changed.`);
      for (const [k, o] of Object.entries(r.outputs)) this.out(`${k} = ${o.sensitive ? '(sensitive)' : JSON.stringify(o.value)}`);
    }
    this.next(`frameworks infra hosts --tenant ${tenant}`);
    return r;
  }
}
