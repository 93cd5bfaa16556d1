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

export type EdgeFlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof EdgeCommand)['baseFlags'] & T['flags']>;

export interface HostContext {
  executor: Executor;
  /** "local" or the --ssh spec as typed. */
  host: string;
  /** The edge folder on that host. */
  dir: string;
  remote: boolean;
  /** Network address of a remote host (the SSH target's resolved HostName), for probes from this machine. */
  address?: string;
}

/**
 * Base of every `edge` verb: --dir and --ssh (repeatable, comma-separated) with bounded
 * concurrency. Domain logic receives an Executor and never knows whether it is local or remote.
 */
export abstract class EdgeCommand<T extends typeof Command> extends FrameworksCommand<T> {
  static override baseFlags = {
    ...FrameworksCommand.baseFlags,
    dir: Flags.string({
      helpGroup: 'EDGE',
      description: "Edge folder (on the remote host with --ssh). Default: FRAMEWORKS_EDGE_DIR, then the context's edge.dir, then the current folder.",
    }),
    ssh: Flags.string({
      helpGroup: 'EDGE',
      multiple: true,
      description: 'Run on user@host[:port] (or a ~/.ssh/config alias) over SSH; repeatable or comma-separated for a fleet.',
    }),
    parallel: Flags.integer({ helpGroup: 'EDGE', min: 1, default: 10, description: 'Hosts handled at once with several --ssh targets.' }),
    'accept-new-host-key': Flags.boolean({
      helpGroup: 'EDGE',
      description: 'Trust and record the key of a host seen for the first time (a changed key is always refused).',
    }),
    'ssh-key': Flags.string({ helpGroup: 'EDGE', description: 'Private key file for SSH (default: ssh-agent, then ~/.ssh/config IdentityFile, then ~/.ssh/id_*).' }),
  };

  protected declare flags: EdgeFlagsOf<T>;

  protected sshTargets(): SshTarget[] {
    return parseSshTargets(this.flags.ssh);
  }

  /** --dir > FRAMEWORKS_EDGE_DIR > the context's edge.dir > "." (relative to the host's working folder). */
  protected async edgeDir(): Promise<string> {
    if (this.flags.dir) return this.flags.dir;
    if (process.env.FRAMEWORKS_EDGE_DIR?.trim()) return process.env.FRAMEWORKS_EDGE_DIR.trim();
    const ctx = await this.context();
    return ctx.config.edge?.dir ?? '.';
  }

  /**
   * Run `task` on this host, or on every --ssh host (at most --parallel at once, one connection
   * per host). Every host gets an outcome; connections are closed whatever happens.
   */
  protected async onHosts<R>(task: (h: HostContext) => Promise<R>): Promise<HostOutcome<R>[]> {
    const dir = await this.edgeDir();
    const targets = this.sshTargets();
    this.auditTargets = targets.length ? targets.map((t) => t.spec) : ['local'];
    if (targets.length === 0) {
      return runBounded(['local'], (h) => h, async () => {
        const executor = new LocalExecutor();
        return task({ executor, host: 'local', dir, remote: false });
      });
    }
    const { connectSsh } = await import('@frameworks/sdk/ssh');
    const opts = {
      acceptNewHostKey: this.flags['accept-new-host-key'],
      identityFile: this.flags['ssh-key'],
    };
    return runBounded(
      targets,
      (t) => t.spec,
      async (t) => {
        const executor = await connectSsh(t, opts);
        try {
          // Dial what the target resolved to: an ~/.ssh/config alias is not a DNS name.
          const address = (executor as { host?: { hostName?: string } }).host?.hostName ?? t.host;
          return await task({ executor, host: t.spec, dir, remote: true, address });
        } finally {
          await executor.close();
        }
      },
      this.flags.parallel,
    );
  }

  /**
   * The command's result across hosts. One host: its error is the command's error (its exit
   * code). Several: every host failed → exit 1; some failed → exit 68 with the per-host result.
   */
  protected settle<R>(outcomes: HostOutcome<R>[], what: string): Array<{ host: string; ok: boolean; result: R | null; error: ReturnType<typeof errorView> | null; duration_ms: number }> {
    const rows = outcomes.map((o) => ({ host: o.host, ok: o.ok, result: o.value ?? null, error: o.error ? errorView(o.error) : null, duration_ms: o.durationMs }));
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
}

export function errorView(err: Error): { code: string; message: string; exit_code: number } {
  return isFrameworksError(err)
    ? { code: err.code, message: err.message, exit_code: err.exitCode }
    : { code: 'FAILED', message: err.message, exit_code: ExitCode.FAILED };
}
