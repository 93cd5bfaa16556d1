import type { NodeSSH } from 'node-ssh';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { ExitCode, FrameworksError, usageError } from '../errors.js';
import { trace } from '../log.js';
import { writeAllOrNothing } from '../fs/write-all-or-nothing.js';
import { stderrTail, withReason } from '../tool-output.js';
import { redact } from '../redact.js';
import { quoteArg, quoteCommand } from './quote.js';
import type { ResolvedSshHost } from './ssh-config.js';
import { openSshLink, type SshOptions } from './ssh-connect.js';
import type { SshTarget } from './target.js';
import type { Executor, RunOptions, RunResult } from './types.js';

export type { ResolvedSshHost } from './ssh-config.js';
export { resolveSshHost } from './ssh-config.js';
export { fingerprint, knownHostName } from './known-hosts.js';
export type { SshOptions } from './ssh-connect.js';
export { openJumpDialer, type JumpDialer } from '../net/ssh-tunnel.js';

/** The part of ssh2's ClientChannel we use (node-ssh does not re-export ssh2's types). */
interface Channel {
  close(): unknown;
}
interface Ssh2Client {
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  setNoDelay(on: boolean): unknown;
}

/** Brackets the PID a killable command reports first on stderr (ASCII record separator). */
const PID_MARK = '\x1e';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Env values whose name suggests a secret are masked in traces and `display`. */
const SECRET_ENV = /TOKEN|SECRET|PASSW|KEY|JWT|CREDENTIAL|AUTH/i;

/** The one remote command line: every user value quoted; `exec` so that a kill reaches the command itself. */
export function remoteCommand(argv: string[], opts: Pick<RunOptions, 'cwd' | 'env'> = {}, forDisplay = false): string {
  if (argv.length === 0) throw usageError('No command to run over SSH.', [], 'INVALID_COMMAND');
  const env = Object.entries(opts.env ?? {});
  for (const [k] of env) if (!ENV_NAME.test(k)) throw usageError(`"${k}" is not an environment variable name.`, [], 'INVALID_ENV_NAME');
  const assign = env.map(([k, v]) => quoteArg(`${k}=${forDisplay && SECRET_ENV.test(k) ? '****' : v}`));
  return [
    opts.cwd !== undefined ? `cd -- ${quoteArg(opts.cwd)} && ` : '',
    forDisplay ? '' : 'exec ',
    assign.length ? `env ${assign.join(' ')} ` : '',
    quoteCommand(argv),
  ].join('');
}

/** Bounds the sessions open at once on one connection; waiters are served in order. */
class Slots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private max: number) {}
  async acquire(): Promise<() => void> {
    if (this.used >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    else this.used++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.used <= this.max ? this.waiting.shift() : undefined;
      if (next) next(); // hand the slot over
      else this.used--;
    };
  }
  /** The server refused a session: it allows fewer than we thought (MaxSessions). */
  shrink(): void {
    this.max = Math.max(1, Math.min(this.max, this.used - 1));
  }
}

interface ExecOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** One authenticated connection, shared by every executor for the same host (one connection per host per run). */
class SshConnection {
  refs = 0;
  lost = false;
  /** Commands run on this connection (sessions opened for them), for --verbose and the bench. */
  commands = 0;
  private readonly slots: Slots;
  /** Kills sent for timed-out or aborted commands: the connection stays open until they are delivered. */
  private readonly pendingKills = new Set<Promise<unknown>>();

  constructor(
    readonly key: string,
    readonly name: string,
    readonly host: ResolvedSshHost,
    private readonly ssh: NodeSSH,
    maxChannels: number,
    private readonly dispose: () => void = () => ssh.dispose(),
  ) {
    this.slots = new Slots(maxChannels);
    const client = ssh.connection as unknown as Ssh2Client;
    // Without TCP_NODELAY every command waits on Nagle + delayed ACK: ~90 ms instead of ~4 ms.
    client.setNoDelay(true);
    // Without a listener a late error (keepalive timeout, reset) would crash the process.
    client.on('error', (err) => trace(`ssh ${name}: ${(err as Error).message}`));
    client.on('close', () => {
      this.lost = true;
      if (pool.get(key)?.conn === this) pool.delete(key);
    });
  }

  private disconnected(cause?: unknown): FrameworksError {
    return new FrameworksError(`The SSH connection to ${this.name} was lost.`, {
      code: 'SSH_DISCONNECTED',
      exitCode: ExitCode.NETWORK,
      suggestions: [`Check that ${this.name} is up (ssh -p ${this.host.port} ${this.host.user}@${this.host.hostName} true), then re-run`],
      cause,
    });
  }

  async exec(command: string, display: string, o: RunOptions): Promise<ExecOutcome> {
    const stopped = (why: 'timeout' | 'abort') =>
      why === 'timeout'
        ? new FrameworksError(`"${display}" on ${this.name} did not finish within ${Math.round((o.timeoutMs ?? 0) / 100) / 10} s; it was killed.`, { code: 'TIMEOUT', exitCode: ExitCode.NETWORK })
        : new FrameworksError(`"${display}" on ${this.name} was interrupted.`, { code: 'ABORTED', exitCode: ExitCode.INTERRUPTED });
    if (o.signal?.aborted) throw stopped('abort');
    if (this.lost) throw this.disconnected();
    // A command we may have to kill first reports its PID on stderr (taken out again below). sshd
    // refuses SSH "signal" requests for root logins, but `exec` keeps that PID for the command and
    // sshd made it a process-group leader: one `kill -KILL -PID` ends it and its children.
    const killable = Boolean(o.timeoutMs || o.signal || o.interrupt);
    const line = killable ? `printf '\\036%s\\036' "$$" >&2; ${command}` : command;
    const release = await this.slots.acquire();
    this.commands++;
    let channel: Channel | undefined;
    let pid: string | undefined;
    let why: 'timeout' | 'abort' | undefined;
    const kill = () => {
      // Outside the slots: sshd allows a few more sessions than we use for commands.
      if (pid) {
        const sent: Promise<unknown> = this.ssh.execCommand(`kill -KILL -${pid} 2>/dev/null || kill -KILL ${pid}`).catch(() => undefined);
        this.pendingKills.add(sent);
        void sent.finally(() => this.pendingKills.delete(sent));
      }
      channel?.close();
    };
    let halt!: (e: FrameworksError) => void;
    const halted = new Promise<never>((_, reject) => (halt = reject));
    halted.catch(() => undefined);
    const stop = (w: 'timeout' | 'abort') => {
      if (why) return;
      why = w;
      kill();
      halt(stopped(w));
    };
    const timer = o.timeoutMs ? setTimeout(() => stop('timeout'), o.timeoutMs) : undefined;
    const onAbort = () => stop('abort');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    // A graceful stop: SIGINT to the command's process group once, then wait for it to exit by itself.
    let interruptPending = false;
    const onInterrupt = () => {
      if (!pid) return void (interruptPending = true);
      const sent: Promise<unknown> = this.ssh.execCommand(`kill -INT -${pid} 2>/dev/null || kill -INT ${pid}`).catch(() => undefined);
      this.pendingKills.add(sent);
      void sent.finally(() => this.pendingKills.delete(sent));
    };
    o.interrupt?.addEventListener('abort', onInterrupt, { once: true });

    // Decoders keep a UTF-8 character split across two chunks whole.
    const dOut = new StringDecoder('utf8');
    const dErr = new StringDecoder('utf8');
    let stdout = '';
    let stderr = '';
    let held: string | undefined = killable ? '' : undefined; // stderr until the PID mark is complete
    const out = (s: string) => {
      if (!s || why) return;
      stdout += s;
      o.onStdout?.(s);
    };
    const err = (s: string) => {
      if (!s || why) return;
      stderr += s;
      o.onStderr?.(s);
    };
    const errChunk = (s: string) => {
      if (held === undefined) return err(s);
      held += s;
      const end = held.startsWith(PID_MARK) ? held.indexOf(PID_MARK, 1) : -1;
      const digits = held.slice(1, end < 0 ? undefined : end);
      if (end < 0 && held.startsWith(PID_MARK) && /^\d{0,12}$/.test(digits)) return; // mark still arriving
      const found = end > 0 && /^\d+$/.test(digits);
      const rest = found ? held.slice(end + 1) : held;
      held = undefined;
      if (found) {
        pid = digits;
        if (why) kill();
        else if (interruptPending) onInterrupt();
      }
      err(rest);
    };

    const attempt = (n: number): Promise<{ code: number | null; signal: string | null }> =>
      this.ssh
        .execCommand(line, {
          stdin: o.input,
          noTrim: true,
          onChannel: (ch: unknown) => {
            channel = ch as Channel;
            if (why) kill();
          },
          onStdout: (b: Buffer) => out(dOut.write(b)),
          onStderr: (b: Buffer) => errChunk(dErr.write(b)),
        })
        .catch(async (e: Error & { reason?: unknown }) => {
          // The session was refused before anything ran (sshd still counts sessions that are
          // closing, or MaxSessions is low): safe to try again shortly.
          if (e.reason === undefined || why || this.lost || n >= 40) throw e;
          this.slots.shrink();
          await new Promise((r) => setTimeout(r, 10 + 10 * n));
          return attempt(n + 1);
        });
    const running = attempt(0);
    // The slot stays taken until the remote session has really ended, even after a timeout.
    running.then(release, release);
    try {
      const res = await Promise.race([running, halted]);
      out(dOut.end());
      errChunk(dErr.end());
      if (held) err(held);
      if (res.code !== null) return { code: res.code, stdout, stderr };
      if (res.signal) return { code: 128 + (constants.signals[`SIG${res.signal}` as keyof typeof constants.signals] ?? 15), stdout, stderr };
      throw this.disconnected();
    } catch (e) {
      if (e instanceof FrameworksError) throw e;
      throw this.lost || /not connected/i.test((e as Error).message)
        ? this.disconnected(e)
        : new FrameworksError(`Cannot run a command on ${this.name}: ${(e as Error).message}.`, { code: 'SSH_CHANNEL_FAILED', exitCode: ExitCode.NETWORK, cause: e });
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      o.interrupt?.removeEventListener('abort', onInterrupt);
    }
  }

  /** Stream bytes into a file on the host over SFTP (bundle uploads: binary, too large for a command's stdin string). */
  async upload(source: NodeJS.ReadableStream, path: string, mode: number): Promise<void> {
    const sftp = await this.ssh.requestSFTP();
    try {
      await new Promise<void>((resolve, reject) => {
        const out = sftp.createWriteStream(path, { mode });
        out.on('error', reject);
        out.on('close', () => resolve());
        source.on('error', reject);
        source.pipe(out);
      });
    } finally {
      sftp.end();
    }
  }

  async release(): Promise<void> {
    if (--this.refs > 0) return;
    trace(`ssh ${this.name}: ${this.commands} remote command${this.commands === 1 ? '' : 's'} on this connection`);
    if (pool.get(this.key)?.conn === this) pool.delete(this.key);
    // Disposing before a kill is delivered would leave e.g. `compose logs --follow` running on the host.
    if (this.pendingKills.size) {
      await Promise.race([Promise.allSettled([...this.pendingKills]), new Promise((r) => setTimeout(r, 3_000).unref())]);
    }
    this.dispose();
  }
}

/** Runs commands on a remote host over one shared SSH connection; same contract as LocalExecutor. */
export class SshExecutor implements Executor {
  readonly name: string;
  private closed = false;

  constructor(private readonly conn: SshConnection) {
    this.name = conn.name;
    conn.refs++;
  }

  /** What the target resolved to (~/.ssh/config applied). */
  get host(): ResolvedSshHost {
    return this.conn.host;
  }

  private live(): SshConnection {
    if (this.closed) throw new FrameworksError(`The SSH executor for ${this.name} is closed.`, { code: 'EXECUTOR_CLOSED', exitCode: ExitCode.INTERNAL });
    return this.conn;
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const command = remoteCommand(argv, opts);
    const display = redact(remoteCommand(argv, opts, true));
    trace(`$ ssh ${this.name}: ${display}`);
    const r = await this.live().exec(command, display, opts);
    return { ...r, display };
  }

  /** A small shell script of our own, with the user's values already quoted into it. */
  private script(script: string, display: string, input?: string): Promise<ExecOutcome> {
    trace(`$ ssh ${this.name}: ${display}`);
    return this.live().exec(script, display, { input });
  }

  async readFile(path: string): Promise<string> {
    const p = quoteArg(path);
    // 66 (EX_NOINPUT) tells a missing file from any other cat failure, whatever the remote locale.
    const r = await this.script(`test -e ${p} || exit 66; exec cat -- ${p}`, `cat ${p}`);
    if (r.code === 0) return r.stdout;
    if (r.code === 66) throw new FrameworksError(`${path} does not exist on ${this.name}.`, { code: 'FILE_NOT_FOUND', exitCode: ExitCode.FAILED });
    const tail = stderrTail(r.stderr, 4);
    throw new FrameworksError(`Cannot read ${path} on ${this.name}${withReason(tail, r.code)}`, { code: 'REMOTE_READ_FAILED', exitCode: ExitCode.FAILED, ...(tail ? { detail: tail } : {}) });
  }

  /** Atomic on the remote: the one writer (temp file in the same folder, fsync, rename) with a single file. */
  async writeFile(path: string, data: string, mode = 0o644): Promise<void> {
    await writeAllOrNothing(this, [{ path, content: data, mode }]);
  }

  /** Binary upload over SFTP (see SshConnection.upload). */
  upload(source: NodeJS.ReadableStream, path: string, mode = 0o600): Promise<void> {
    trace(`$ sftp ${this.name}: put ${path}`);
    return this.live().upload(source, path, mode);
  }

  async exists(path: string): Promise<boolean> {
    const r = await this.script(`test -e ${quoteArg(path)}`, `test -e ${quoteArg(path)}`);
    if (r.code === 0 || r.code === 1) return r.code === 0;
    const tail = stderrTail(r.stderr, 4);
    throw new FrameworksError(`Cannot check ${path} on ${this.name}${withReason(tail, r.code)}`, { code: 'REMOTE_CHECK_FAILED', exitCode: ExitCode.FAILED, ...(tail ? { detail: tail } : {}) });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.release();
  }
}


const pool = new Map<string, { conn?: SshConnection; pending?: Promise<SshConnection> }>();

/** Close every pooled connection (for an exit hook; executors closed normally need nothing). */
export async function closeAllSsh(): Promise<void> {
  for (const [key, slot] of pool) {
    pool.delete(key);
    const conn = slot.conn ?? (await slot.pending?.catch(() => undefined));
    if (conn) {
      conn.refs = 1;
      await conn.release();
    }
  }
}

async function open(target: SshTarget, opts: SshOptions, key: string): Promise<SshConnection> {
  const link = await openSshLink(target, opts);
  return new SshConnection(key, link.name, link.host, link.ssh, opts.maxChannels ?? 8, link.dispose);
}

/**
 * Connect to `target` (user@host[:port] or a ~/.ssh/config alias), verifying its host key against
 * known_hosts. Executors for the same host share one connection; each must be closed.
 */
export async function connectSsh(target: SshTarget, opts: SshOptions = {}): Promise<SshExecutor> {
  const jump = opts.jump?.map((j) => j.spec).join(',') ?? '';
  const key = JSON.stringify([target.user ?? '', target.host, target.port ?? '', jump, opts.knownHostsFile ?? '', opts.identityFile ?? '']);
  let slot = pool.get(key);
  if (!slot?.conn && !slot?.pending) {
    // No await between the lookup and the set: concurrent callers must find this attempt.
    const pending = open(target, opts, key);
    slot = { pending };
    pool.set(key, slot);
    const s = slot;
    pending.then(
      (conn) => {
        s.conn = conn;
        s.pending = undefined;
      },
      () => pool.get(key) === s && pool.delete(key),
    );
  }
  const conn = slot.conn ?? (await slot.pending!);
  return new SshExecutor(conn);
}
