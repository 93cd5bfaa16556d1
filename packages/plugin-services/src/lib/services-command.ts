import { Flags, type Command, type Interfaces } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import {
  ExitCode,
  FrameworksError,
  LocalExecutor,
  isFrameworksError,
  parseSshTargets,
  runBounded,
  type Executor,
  type HostOutcome,
  type SshTarget,
} from '@frameworks/sdk';

export type ServicesFlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof ServicesCommand)['baseFlags'] & T['flags']>;

export interface HostContext {
  executor: Executor;
  /** "local" or the --ssh spec as typed. */
  host: string;
  /** The plan folder on that host (absolute locally). */
  dir: string;
  remote: boolean;
}

/**
 * Base of every `services` verb: --dir and --ssh (repeatable, comma-separated) with bounded
 * concurrency, the same pattern as the edge commands. Domain code receives an Executor.
 */
export abstract class ServicesCommand<T extends typeof Command> extends FrameworksCommand<T> {
  static override baseFlags = {
    ...FrameworksCommand.baseFlags,
    dir: Flags.string({
      helpGroup: 'SERVICES',
      description: 'Plan folder (svc-*.yml, plan.yaml, .central.env); on the remote host with --ssh. Default: FRAMEWORKS_SERVICES_DIR, then the current folder.',
    }),
    ssh: Flags.string({
      helpGroup: 'SERVICES',
      multiple: true,
      description: 'Run on user@host[:port] (or a ~/.ssh/config alias) over SSH; repeatable or comma-separated.',
    }),
    parallel: Flags.integer({ helpGroup: 'SERVICES', min: 1, default: 10, description: 'Hosts handled at once with several --ssh targets.' }),
    'accept-new-host-key': Flags.boolean({ helpGroup: 'SERVICES', description: 'Trust and record the key of a host seen for the first time (a changed key is always refused).' }),
    'ssh-key': Flags.string({ helpGroup: 'SERVICES', description: 'Private key file for SSH (default: ssh-agent, then ~/.ssh/config IdentityFile, then ~/.ssh/id_*).' }),
  };

  protected declare flags: ServicesFlagsOf<T>;

  protected sshTargets(): SshTarget[] {
    return parseSshTargets(this.flags.ssh);
  }

  protected servicesDir(): string {
    if (this.flags.dir) return this.flags.dir;
    if (process.env.FRAMEWORKS_SERVICES_DIR?.trim()) return process.env.FRAMEWORKS_SERVICES_DIR.trim();
    return '.';
  }

  /** Run `task` here, or on every --ssh host (at most --parallel at once, one connection per host). */
  protected async onHosts<R>(task: (h: HostContext) => Promise<R>): Promise<HostOutcome<R>[]> {
    const dir = this.servicesDir();
    const targets = this.sshTargets();
    this.auditTargets = targets.length ? targets.map((t) => t.spec) : ['local'];
    if (targets.length === 0) {
      const { resolve } = await import('node:path');
      return runBounded(['local'], (h) => h, async () => task({ executor: new LocalExecutor(), host: 'local', dir: resolve(dir), remote: false }));
    }
    const { connectSsh } = await import('@frameworks/sdk/ssh');
    const opts = { acceptNewHostKey: this.flags['accept-new-host-key'], identityFile: this.flags['ssh-key'] };
    return runBounded(
      targets,
      (t) => t.spec,
      async (t) => {
        const executor = await connectSsh(t, opts);
        try {
          return await task({ executor, host: t.spec, dir, remote: true });
        } finally {
          await executor.close();
        }
      },
      this.flags.parallel,
    );
  }

  /** One host: its error is the command's. Several: all failed → exit 1; some → exit 68 with per-host rows. */
  protected settle<R>(outcomes: HostOutcome<R>[], what: string): Array<{ host: string; ok: boolean; result: R | null; error: { code: string; message: string; exit_code: number } | null }> {
    const rows = outcomes.map((o) => ({ host: o.host, ok: o.ok, result: o.value ?? null, error: o.error ? errorView(o.error) : null }));
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length === 0) return rows;
    if (outcomes.length === 1) throw failed[0].error!;
    const partial = failed.length < outcomes.length;
    throw new FrameworksError(`${what} failed on ${failed.length} of ${outcomes.length} hosts: ${failed.map((f) => f.host).join(', ')}.`, {
      code: partial ? 'PARTIAL_FAILURE' : 'ALL_HOSTS_FAILED',
      exitCode: partial ? ExitCode.PARTIAL : ExitCode.FAILED,
      result: rows,
      suggestions: failed.slice(0, 3).flatMap((f) => (isFrameworksError(f.error) ? f.error.suggestions.slice(0, 1) : [])),
    });
  }

  /** Prefix of per-host lines when several hosts (or a remote one) are involved. */
  protected prefix(h: HostContext): string {
    return this.sshTargets().length ? `[${h.host}] ` : '';
  }
}

export function errorView(err: Error): { code: string; message: string; exit_code: number } {
  return isFrameworksError(err) ? { code: err.code, message: err.message, exit_code: err.exitCode } : { code: 'FAILED', message: err.message, exit_code: ExitCode.FAILED };
}

/** Flags of the verbs that run Compose (up, down, status, logs). */
export const runFlags = {
  only: Flags.string({
    multiple: true,
    description: 'Act on these services only (comma-separated or repeated). Default: the services of plan.yaml, else every svc-*.yml in --dir.',
  }),
  project: Flags.string({ description: 'Compose project name. Default: the project recorded in plan.yaml (frameworks-central).' }),
};
