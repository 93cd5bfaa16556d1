import { Flags, type Command, type Interfaces } from '@oclif/core';
import { HostsCommand, type HostContext } from '@frameworks/cli-kit';
import { checkTenantName, quoteArg, registerSecret, usageError } from '@frameworks/sdk';
import type { TaskRenderContext } from '@frameworks/cli-kit/tasks';
import type { PreparedTenant } from '../overlay/index.js';
import type { StreamResult, Terraform } from '../driver/terraform.js';

export type InfraFlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof InfraCommand)['baseFlags'] & T['flags']>;

export const tenantFlag = Flags.string({ required: true, description: 'Tenant: its overlay tenants/<tenant>.yaml, its own state (backends/<tenant>.hcl).' });

export interface TerraformRun {
  tf: Terraform;
  h: HostContext;
  prepared: PreparedTenant;
}

/** A folder that belongs to the host that runs Terraform (state, caches, saved plans): never synced to a control host. */
export function hostOwned(rel: string, isDir: boolean): boolean {
  const top = rel.split('/')[0];
  if (top === '.git' || top === 'plans' || rel === '.frameworks.lock') return true;
  if (isDir && rel === top && top.startsWith('.terraform')) return true;
  return /(^|\/)terraform\.tfstate(\.backup)?$/.test(rel);
}

/**
 * Base of the `infra` verbs: --dir (the Terraform folder, here), --binary, and --ssh for one control
 * host: the folder is synced there first and Terraform runs there (its state and plans stay there).
 */
export abstract class InfraCommand<T extends typeof Command> extends HostsCommand<T> {
  static override baseFlags = {
    ...HostsCommand.baseFlags,
    dir: Flags.string({
      helpGroup: 'INFRA',
      description: "Terraform folder (tenants/, backends/, modules). Default: the context's infra.dir, then the current folder.",
    }),
    binary: Flags.string({
      helpGroup: 'INFRA',
      description: 'terraform or tofu binary to run (default: terraform, else tofu, on the PATH of the host that runs it).',
    }),
    'remote-dir': Flags.string({
      helpGroup: 'SSH',
      description: 'With --ssh: folder on the control host the files are synced to and Terraform runs in. Default: frameworks-infra/<name of --dir>.',
    }),
  };

  protected declare flags: InfraFlagsOf<T>;

  /** --dir > the context's infra.dir > "." (absolute, on this machine). */
  protected async infraDir(): Promise<string> {
    const { resolve } = await import('node:path');
    if (this.flags.dir) return resolve(this.flags.dir);
    const ctx = await this.context().catch(() => undefined);
    return resolve(ctx?.config.infra?.dir ?? '.');
  }

  protected tenant(): string {
    return checkTenantName((this.flags as { tenant?: string }).tenant ?? '');
  }

  protected renderContext(): TaskRenderContext {
    return { json: this.jsonEnabled(), verbose: Boolean(this.flags.verbose), interactive: this.interactive };
  }

  /** The flags that pick where and with what Terraform runs, for the commands suggested next. */
  protected whereFlags(): string {
    const f = this.flags;
    return [
      ...(f.dir ? ['--dir', quoteArg(f.dir)] : []),
      ...(f.ssh?.length ? ['--ssh', quoteArg(f.ssh.join(','))] : []),
      ...(f['remote-dir'] ? ['--remote-dir', quoteArg(f['remote-dir'])] : []),
      ...(f.binary ? ['--binary', quoteArg(f.binary)] : []),
    ]
      .map((x) => ` ${x}`)
      .join('');
  }

  protected retryCommand(verb: string, tenant: string): string {
    return `frameworks infra ${verb} --tenant ${tenant}${this.whereFlags()}`;
  }

  /** The error of a failed -json run; on a terminal or log, every error diagnostic first, with its file:line and source line. */
  protected async streamFailure(what: string, res: StreamResult, ctx: { tenant: string; retry: string; plan: string }) {
    const { streamError } = await import('../driver/terraform.js');
    const { formatDiagnostic, lockInfo } = await import('../driver/diagnostics.js');
    if (!this.jsonEnabled()) for (const d of res.diagnostics) if (d.severity !== 'warning' && !lockInfo(d)) this.info(formatDiagnostic(d));
    return streamError(what, res, ctx);
  }

  /**
   * Prepare the tenant here (overlay → tfvars + backend config), then on this host or the one --ssh
   * control host: sync the folder, find and check the binary, and run `fn` (under the folder's lock
   * when `lock`). Secrets among the tenant's variables are registered for redaction first.
   */
  protected async withTerraform<R>(verb: string, tenant: string, opts: { lock: boolean }, fn: (run: TerraformRun) => Promise<R>): Promise<R> {
    const { prepareTenant } = await import('../overlay/index.js');
    const { findBinary } = await import('../driver/binary.js');
    const { Terraform } = await import('../driver/terraform.js');
    const { leaves } = await import('../driver/plan-summary.js');
    const { basename } = await import('node:path');
    const targets = this.sshTargets();
    if (targets.length > 1) {
      throw usageError(`infra ${verb} runs on one control host; --ssh named ${targets.length}.`, [`frameworks infra ${verb} --tenant ${tenant} --ssh ${targets[0].spec}`], 'INFRA_ONE_CONTROL_HOST');
    }
    const localDir = await this.infraDir();
    const prepared = await prepareTenant(localDir, tenant);
    // Secret variables come from TF_VAR_<name> (never a file): masked everywhere, passed on to a control host.
    const secretEnv: Record<string, string> = {};
    for (const name of prepared.sensitive) {
      for (const v of leaves(prepared.vars[name])) registerSecret(v);
      const value = process.env[`TF_VAR_${name}`];
      if (value) {
        registerSecret(value);
        secretEnv[`TF_VAR_${name}`] = value;
      }
    }
    const workDir = targets.length ? (this.flags['remote-dir'] ?? `frameworks-infra/${basename(localDir)}`) : localDir;
    const retry = this.retryCommand(verb, tenant);
    const outcomes = await this.runOnHosts(workDir, async (h) => {
      if (h.remote) {
        const { uploadTree } = await import('@frameworks/sdk');
        this.info(`Syncing ${localDir} to ${h.host}:${workDir}…`);
        await uploadTree(h.executor, localDir, workDir, hostOwned);
      }
      const bin = await findBinary(h.executor, this.flags.binary, retry, h.dir);
      const tf = new Terraform(h.executor, bin, h.dir, secretEnv);
      const go = () => fn({ tf, h, prepared });
      if (!opts.lock) return go();
      return this.withLock(h, go, {
        what: `the infrastructure folder ${h.dir}`,
        hints: [`frameworks infra status${this.whereFlags()}`, `${retry} --lock-wait 5m   # wait for it instead`],
      });
    });
    return this.settle(outcomes, `infra ${verb}`)[0].result!;
  }
}
