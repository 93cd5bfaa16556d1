import { Flags, type Command, type Interfaces } from '@oclif/core';
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
import { FrameworksCommand } from './command.js';

export type HostsFlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof HostsCommand)['baseFlags'] & T['flags']>;

export interface HostContext {
  executor: Executor;
  /** "local" or the --ssh spec as typed. */
  host: string;
  /** The command's folder on that host. */
  dir: string;
  remote: boolean;
  /** Network address of a remote host (the SSH target's resolved HostName), for probes from this machine. */
  address?: string;
}

export interface HostRow<R> {
  host: string;
  ok: boolean;
  result: R | null;
  error: { code: string; message: string; exit_code: number } | null;
  duration_ms: number;
}

/**
 * Base of commands that act on this host or on a fleet: --ssh (repeatable, comma-separated),
 * --parallel, host-key and key flags, the bounded fan-out and the 68-on-partial-failure rule.
 * Plugins (edge, services) add what their folder means; domain code only sees an Executor.
 */
export abstract class HostsCommand<T extends typeof Command> extends FrameworksCommand<T> {
  static override baseFlags = {
    ...FrameworksCommand.baseFlags,
    ssh: Flags.string({
      helpGroup: 'SSH',
      multiple: true,
      description: 'Run on user@host[:port] (or a ~/.ssh/config alias) over SSH; repeatable or comma-separated for a fleet.',
    }),
    parallel: Flags.integer({ helpGroup: 'SSH', min: 1, default: 10, description: 'Hosts handled at once with several --ssh targets.' }),
    'accept-new-host-key': Flags.boolean({
      helpGroup: 'SSH',
      description: 'Trust and record the key of a host seen for the first time (a changed key is always refused).',
    }),
    'ssh-key': Flags.string({ helpGroup: 'SSH', description: 'Private key file for SSH (default: ssh-agent, then ~/.ssh/config IdentityFile, then ~/.ssh/id_*).' }),
  };

  protected declare flags: HostsFlagsOf<T>;

  public override async init(): Promise<void> {
    await super.init();
    // A blank --ssh is a usage error before run() does anything (it never means this machine).
    this.sshTargets();
  }

  protected sshTargets(): SshTarget[] {
    return parseSshTargets(this.flags.ssh);
  }

  /**
   * Run `task` on this host, or on every --ssh host (at most --parallel at once, one connection
   * per host). Every host gets an outcome; connections are closed whatever happens.
   */
  protected async runOnHosts<R>(dir: string, task: (h: HostContext) => Promise<R>, opts: { absoluteLocalDir?: boolean } = {}): Promise<HostOutcome<R>[]> {
    const targets = this.sshTargets();
    this.auditTargets = targets.length ? targets.map((t) => t.spec) : ['local'];
    if (targets.length === 0) {
      const localDir = opts.absoluteLocalDir ? (await import('node:path')).resolve(dir) : dir;
      return runBounded(['local'], (h) => h, async () => task({ executor: new LocalExecutor(), host: 'local', dir: localDir, remote: false }));
    }
    const { connectSsh } = await import('@frameworks/sdk/ssh');
    const sshOpts = { acceptNewHostKey: this.flags['accept-new-host-key'], identityFile: this.flags['ssh-key'] };
    return runBounded(
      targets,
      (t) => t.spec,
      async (t) => {
        const executor = await connectSsh(t, sshOpts);
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
   * code). Several: every host failed → exit 1; some failed → exit 68 with the per-host rows.
   */
  protected settle<R>(outcomes: HostOutcome<R>[], what: string): HostRow<R>[] {
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

  /** Prefix of per-host lines when a remote host is involved. */
  protected prefix(h: HostContext): string {
    return this.sshTargets().length ? `[${h.host}] ` : '';
  }
}

export function errorView(err: Error): { code: string; message: string; exit_code: number } {
  return isFrameworksError(err)
    ? { code: err.code, message: err.message, exit_code: err.exitCode }
    : { code: 'FAILED', message: err.message, exit_code: ExitCode.FAILED };
}
