import { Flags } from '@oclif/core';
import { lockFlags } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError } from '@frameworks/sdk';
import { InfraCommand, tenantFlag } from '../../lib/infra-command.js';

export default class InfraDestroy extends InfraCommand<typeof InfraDestroy> {
  static override summary = "Destroy every resource of a tenant's infrastructure.";
  static override description = `Destroy a tenant's infrastructure: terraform (or tofu) destroy -json with the tenant's variables and state, with live progress per resource.

On a terminal you type the tenant's name to confirm; elsewhere (CI, --json, --no-input) it needs --yes (exit 2 otherwise). A state locked by another run is named and never broken. Ctrl-C: SIGINT is forwarded once, the binary finishes what is in flight and releases its lock; exit 130 with what was destroyed and what may have been.`;

  static override examples = [
    { description: 'Destroy tenant acme-staging (asks for its name on a terminal)', command: '<%= config.bin %> infra destroy --tenant acme-staging' },
    { description: 'Destroy without a prompt (CI)', command: '<%= config.bin %> infra destroy --tenant acme-staging --yes' },
  ];

  static override flags = {
    ...lockFlags,
    tenant: tenantFlag,
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for the tenant name (needed without a terminal).' }),
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const { withLiveProgress } = await import('../../lib/live-progress.js');
    const { interruptedApply, recordOutputs } = await import('../../lib/apply-run.js');
    const tenant = this.tenant();
    const retry = this.retryCommand('destroy', tenant);
    if (!this.flags.yes) {
      const { promptInput } = await import('@frameworks/cli-kit/prompts');
      const typed = await promptInput(this.promptContext, `Destroy every resource of tenant ${tenant}? Type its name to confirm`, '--yes');
      if (typed.trim() !== tenant) {
        throw new FrameworksError(`"${typed.trim()}" is not ${tenant}: nothing was destroyed.`, { code: 'CANCELLED', exitCode: ExitCode.FAILED, suggestions: [`${retry} --yes`] });
      }
    }
    const r = await this.withTerraform('destroy', tenant, { lock: true }, async ({ tf, h, prepared }) => {
      await tf.init(prepared.backendConfig, retry);
      const args = ['destroy', '-json', '-input=false', '-lock-timeout=0s', '-auto-approve', `-var-file=${prepared.varFile}`];
      const res = await withLiveProgress(`${tf.bin.kind} destroy (tenant ${tenant})`, this.renderContext(), (hooks) => tf.stream(args, hooks), this.interrupted);
      if (this.interrupted.aborted) throw interruptedApply('destroy', tenant, res, retry);
      if (res.code !== 0) throw await this.streamFailure(`${tf.bin.kind} destroy`, res, { tenant, retry, plan: `plans/${tenant}.tfplan` });
      await recordOutputs(tf, tenant, retry);
      return { tenant, host: h.host, dir: h.dir, destroyed: res.tracker.done().map((d) => d.address) };
    });
    this.success(`Destroyed ${r.destroyed.length} resource${r.destroyed.length === 1 ? '' : 's'} of tenant ${tenant}.`);
    return r;
  }
}
