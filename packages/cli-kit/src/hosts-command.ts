import { Flags, type Command, type Interfaces } from '@oclif/core';
import {
  ExitCode,
  FrameworksError,
  LocalExecutor,
  isFrameworksError,
  parseDuration,
  quoteArg,
  parseSshTargets,
  parseJumpList,
  redact,
  runBounded,
  type HostContext,
  type HostOutcome,
  type SshTarget,
} from '@frameworks/sdk';
import { FrameworksCommand } from './command.js';
import { sshJumpFlag } from './via.js';
import { withHostLock, type LockScope } from './host-lock.js';

/** The SDK's SSH connect timeout when ~/.ssh/config sets no ConnectTimeout. */
const SSH_CONNECT_BOUND_MS = 10_000;

export type HostsFlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof HostsCommand)['baseFlags'] & T['flags']>;

/** Lives in the SDK (domain code needs it without oclif); re-exported for commands. */
export type { HostContext } from '@frameworks/sdk';

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
    'ssh-jump': sshJumpFlag,
  };

  protected declare flags: HostsFlagsOf<T>;

  public override async init(): Promise<void> {
    await super.init();
    // A blank --ssh is a usage error before run() does anything (it never means this machine).
    this.sshTargets();
    if (this.flags['ssh-jump'] !== undefined) parseJumpList(this.flags['ssh-jump'], '--ssh-jump');
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
      const executor = new LocalExecutor({ detached: this.fwCtor.graceful });
      return runBounded(['local'], (h) => h, async () => task({ executor, host: 'local', dir: localDir, remote: false }));
    }
    const { connectSsh } = await import('@frameworks/sdk/ssh');
    const jump = this.flags['ssh-jump'] === undefined ? undefined : parseJumpList(this.flags['ssh-jump'], '--ssh-jump');
    const sshOpts = { acceptNewHostKey: this.flags['accept-new-host-key'], identityFile: this.flags['ssh-key'], ...(jump ? { jump } : {}) };
    const connecting = this.connectProgress();
    return runBounded(
      targets,
      (t) => t.spec,
      async (t) => {
        const executor = await connecting(t.spec, () => connectSsh(t, sshOpts));
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
   * A spinner while SSH connections are being made: which hosts are awaited and the time left to the
   * connect bound (10 s unless ~/.ssh/config sets ConnectTimeout). A dead host is never a blank screen.
   */
  private connectProgress(): <R>(host: string, connect: () => Promise<R>) => Promise<R> {
    const progress = this.progress();
    const pending = new Map<string, number>();
    const show = () => {
      if (pending.size === 0) return progress.stop();
      progress.wait(`Connecting over SSH to ${[...pending.keys()].join(', ')}`, Math.max(...pending.values()));
    };
    return async (host, connect) => {
      pending.set(host, Date.now() + SSH_CONNECT_BOUND_MS);
      show();
      try {
        return await connect();
      } finally {
        pending.delete(host);
        show();
      }
    };
  }

  /**
   * The command's result across hosts. One host: its error is the command's error (its exit
   * code). Several: every host unreachable (each exit 6) → exit 6; every host failed otherwise →
   * exit 1; some failed → exit 68. A failed host's row keeps what its error carried as `result`
   * (a failed preflight's checks, a degraded status), so commands need not put it back.
   * `toRow` shapes a command's own rows (edge status); the rows ride on the error as `result`.
   */
  protected settle<R, Row = HostRow<R>>(outcomes: HostOutcome<R>[], what: string, toRow?: (o: HostOutcome<R>) => Row): Row[] {
    const rows = outcomes.map((o) => (toRow ? toRow(o) : (hostRow(o) as Row)));
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length === 0) return rows;
    if (outcomes.length === 1) throw failed[0].error!;
    const partial = failed.length < outcomes.length;
    const unreachable = !partial && failed.every((f) => isFrameworksError(f.error) && f.error.exitCode === ExitCode.NETWORK);
    const none = unreachable ? ' (none could be reached)' : '';
    throw new FrameworksError(`${what} failed on ${failed.length} of ${outcomes.length} hosts${none}: ${failed.map((f) => f.host).join(', ')}.`, {
      code: partial ? 'PARTIAL_FAILURE' : unreachable ? 'ALL_HOSTS_UNREACHABLE' : 'ALL_HOSTS_FAILED',
      exitCode: partial ? ExitCode.PARTIAL : unreachable ? ExitCode.NETWORK : ExitCode.FAILED,
      result: rows,
      suggestions: failed.slice(0, 3).flatMap((f) => (isFrameworksError(f.error) ? f.error.suggestions.slice(0, 1) : [])),
    });
  }

  /**
   * Run `fn` holding the lock of the stack on that host (a lock file in `h.dir`, or `scope.dir`):
   * a second run refuses (LOCKED, exit 1) or waits --lock-wait; released whatever happens.
   */
  protected async withLock<R>(h: HostContext, fn: () => Promise<R>, scope: Partial<LockScope> = {}): Promise<R> {
    const f = this.flags as { 'lock-wait'?: string; 'lock-message'?: string; dir?: string };
    const topic = (this.id ?? '').split(':')[0];
    const where = [...(f.dir ? [`--dir ${quoteArg(f.dir)}`] : []), ...(h.remote ? [`--ssh ${quoteArg(h.host)}`] : [])].map((x) => ` ${x}`).join('');
    const command = `frameworks ${(this.id ?? '').replace(/:/g, ' ')}`;
    const hints = scope.hints ?? [
      `frameworks ${topic} lock status${where}`,
      `frameworks ${topic} lock release${where} --force   # only when that run is really gone`,
      `${this.sameCommand(['--lock-wait', '--dir', '--ssh'])}${where} --lock-wait 5m   # wait for it instead`,
    ];
    const full: LockScope = { what: `the stack in ${scope.dir ?? h.dir}`, ...scope, hints };
    const hooks = {
      waitMs: parseDuration(f['lock-wait'] ?? '0', { flag: '--lock-wait', allowZero: true }),
      ...(f['lock-message'] ? { message: f['lock-message'] } : {}),
      command,
      signal: this.interrupted,
      warn: (text: string, code: string) => this.warning(text, code),
      info: (text: string) => this.info(text),
    };
    return withHostLock(h, full, hooks, () => fn());
  }

  /**
   * This run's command line with its own flags and arguments, so that a retry does the same thing
   * (`edge cert --reload`, `services down --yes`), without --json and the flags `drop` names (each
   * with its value). A secret typed on the command line becomes `<secret>`, never itself.
   */
  private sameCommand(drop: string[]): string {
    const kept: string[] = [];
    for (let i = 0; i < this.argv.length; i++) {
      const a = this.argv[i];
      if (drop.includes(a)) i++; // and its value
      else if (a !== '--json' && !drop.some((d) => a.startsWith(`${d}=`))) kept.push(redact(a) === a ? quoteArg(a) : a.replace(/^(?:(--[\w-]+)=)?.*$/s, (_m, flag?: string) => `${flag ? `${flag} ` : ''}<secret>`));
    }
    return [`frameworks ${(this.id ?? '').replace(/:/g, ' ')}`, ...kept].join(' ');
  }

  /** Prefix of per-host lines when a remote host is involved. */
  protected prefix(h: HostContext): string {
    return this.sshTargets().length ? `[${h.host}] ` : '';
  }
}

/** A host's row: its value, or what its error carried as `result` when it failed. */
export function hostRow<R>(o: HostOutcome<R>): HostRow<R> {
  const carried = !o.ok && isFrameworksError(o.error) && o.error.result !== undefined ? (o.error.result as R) : null;
  return { host: o.host, ok: o.ok, result: o.value ?? carried, error: o.error ? errorView(o.error) : null, duration_ms: o.durationMs };
}

export function errorView(err: Error): { code: string; message: string; exit_code: number } {
  return isFrameworksError(err)
    ? { code: err.code, message: err.message, exit_code: err.exitCode }
    : { code: 'FAILED', message: err.message, exit_code: ExitCode.FAILED };
}
