import { NodeSSH } from 'node-ssh';
import { readFile, stat } from 'node:fs/promises';
import { constants, homedir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { ExitCode, FrameworksError, authError, networkError, usageError } from '../errors.js';
import { trace } from '../log.js';
import { writeAllOrNothing } from '../fs/write-all-or-nothing.js';
import { stderrTail, withReason } from '../tool-output.js';
import { tildify } from '../paths.js';
import { redact } from '../redact.js';
import { hostKeyVerifier } from './known-hosts.js';
import { quoteArg, quoteCommand } from './quote.js';
import { resolveSshHost, type ResolvedSshHost } from './ssh-config.js';
import type { SshTarget } from './target.js';
import type { Executor, RunOptions, RunResult } from './types.js';

export type { ResolvedSshHost } from './ssh-config.js';
export { resolveSshHost } from './ssh-config.js';
export { fingerprint, knownHostName } from './known-hosts.js';

export interface SshOptions {
  /** Record and trust a host key seen for the first time (--accept-new-host-key). A changed key is always refused. */
  acceptNewHostKey?: boolean;
  /** Default: UserKnownHostsFile from ~/.ssh/config, else ~/.ssh/known_hosts (new keys are recorded in the first). */
  knownHostsFile?: string;
  /** Read-only system files; default GlobalKnownHostsFile, else /etc/ssh/ssh_known_hosts. */
  globalKnownHostsFiles?: string[];
  /** Default ~/.ssh/config. */
  sshConfigFile?: string;
  /** Default /etc/ssh/ssh_config; null to ignore it. */
  systemSshConfigFile?: string | null;
  /** Private key file (--ssh-key); otherwise the agent, then IdentityFile from ~/.ssh/config, then ~/.ssh/id_*. */
  identityFile?: string;
  /** Default ConnectTimeout from ~/.ssh/config, else 10 s. Covers TCP connect, handshake and authentication. */
  connectTimeoutMs?: number;
  /** Home directory for ~ and the default ~/.ssh paths (default os.homedir()). */
  homeDir?: string;
  /** Where SSH_AUTH_SOCK is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Commands running at once over the one connection; sshd allows 10 sessions by default (MaxSessions). */
  maxChannels?: number;
  /** Keepalive probe interval (default 30 s; 3 unanswered probes drop the connection, like ServerAliveCountMax=3). */
  keepaliveIntervalMs?: number;
}

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
    const killable = Boolean(o.timeoutMs || o.signal);
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
    this.ssh.dispose();
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

// ------------------------------------------------------------------ identities and connect errors

type AuthMethod = { type: 'agent'; username: string; agent: string } | { type: 'publickey'; username: string; key: Buffer };

interface Identities {
  /** What will be offered, for error messages: "the ssh-agent", key paths. */
  offered: string[];
  /** Keys left out because they need a passphrase we cannot ask for. */
  encrypted: string[];
  methods(user: string): AuthMethod[];
}

/** Passphrase-protected keys (PEM "ENCRYPTED", or an openssh-key-v1 whose cipher is not "none"). */
function isEncrypted(text: string): boolean {
  if (/ENCRYPTED/.test(text.split('\n').slice(0, 3).join('\n'))) return true;
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(text);
  if (!m) return false;
  const blob = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0'.length;
  if (blob.length < magic + 4) return false;
  const len = blob.readUInt32BE(magic);
  return blob.toString('latin1', magic + 4, magic + 4 + len) !== 'none';
}

async function isSocket(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isSocket();
  } catch {
    return false;
  }
}

/**
 * What to authenticate with, in ssh's order: --ssh-key alone when given (plus the agent, which may
 * hold it unlocked); otherwise the agent, then the config's IdentityFile entries or the default ~/.ssh/id_*.
 */
async function loadIdentities(host: ResolvedSshHost, o: { identityFile?: string; homeDir?: string; env: NodeJS.ProcessEnv }): Promise<Identities> {
  const home = o.homeDir ?? homedir();
  const files = o.identityFile ? [o.identityFile] : host.identityFiles.length ? host.identityFiles : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(home, '.ssh', f));
  const keys: Array<{ file: string; key: Buffer }> = [];
  const encrypted: string[] = [];
  for (const file of files) {
    let key: Buffer;
    try {
      key = await readFile(file);
    } catch (err) {
      if (o.identityFile) {
        throw usageError(`--ssh-key ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, ['Give the path of a private key file, e.g. --ssh-key ~/.ssh/id_ed25519'], 'SSH_KEY_UNREADABLE');
      }
      continue; // like ssh: a configured or default key that is not there is skipped
    }
    if (isEncrypted(key.toString('latin1'))) encrypted.push(file);
    else keys.push({ file, key });
  }
  const sock = host.identityAgent === 'none' ? undefined : (host.identityAgent ?? o.env.SSH_AUTH_SOCK);
  // A stale SSH_AUTH_SOCK would make ssh2 fail the whole connection: offer only a live socket.
  const wantAgent = o.identityFile ? encrypted.length > 0 : !(host.identitiesOnly && host.identityFiles.length);
  const agent = sock && wantAgent && (await isSocket(sock)) ? sock : undefined;
  return {
    offered: [...(agent ? [`the ssh-agent (${agent})`] : []), ...keys.map((k) => tildify(k.file))],
    encrypted,
    methods: (username) => [...(agent ? [{ type: 'agent' as const, username, agent }] : []), ...keys.map((k) => ({ type: 'publickey' as const, username, key: k.key }))],
  };
}

interface ConnectContext {
  host: ResolvedSshHost;
  name: string;
  timeoutMs: number;
  identities: Identities;
  refusal?: FrameworksError;
}

/** ssh2 / node-ssh failures as the errors a user can act on. */
function connectError(err: unknown, c: ConnectContext): FrameworksError {
  if (c.refusal) return c.refusal;
  if (err instanceof FrameworksError) return err;
  const e = err as Error & { code?: string; level?: string };
  const where = `${c.host.hostName}:${c.host.port}`;
  const probe = `ssh -p ${c.host.port} ${quoteArg(`${c.host.user}@${c.host.hostName}`)} true`;
  if (e.level === 'client-authentication') {
    const tried = c.identities.offered.length ? `offered ${c.identities.offered.join(', ')}` : 'had no key to offer (no ssh-agent, no readable key file)';
    return authError(
      `SSH authentication as ${c.host.user} on ${where} failed: the server accepted none of the keys; the CLI ${tried}.`,
      [
        ...c.identities.encrypted.map((f) => `${tildify(f)} needs a passphrase: load it into the agent with ssh-add ${quoteArg(f)}`),
        'Name the key with --ssh-key <path>, or add it to the agent with ssh-add <path>',
        `Check that its public key is in ~${c.host.user}/.ssh/authorized_keys on the host (ssh-copy-id -p ${c.host.port} ${quoteArg(`${c.host.user}@${c.host.hostName}`)})`,
      ],
      'SSH_AUTH_FAILED',
    );
  }
  if (e.level === 'agent') {
    return authError(`The ssh-agent failed while authenticating to ${where}: ${e.message}.`, ['Check the agent with ssh-add -l, or name a key with --ssh-key <path>'], 'SSH_AGENT_FAILED');
  }
  const reason: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused (is sshd running on that port?)',
    ETIMEDOUT: 'the connection timed out',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ENOTFOUND: `the name ${c.host.hostName} does not resolve`,
    EAI_AGAIN: `the name ${c.host.hostName} does not resolve (DNS failure)`,
    ECONNRESET: 'the connection was reset',
  };
  const why = (e.code && reason[e.code]) ?? (e.level === 'client-timeout' ? `no SSH handshake within ${c.timeoutMs / 1000} s` : undefined);
  if (why) {
    return networkError(`Cannot reach ${c.name} over SSH (${where}): ${why}.`, [`Check the host and port: ${probe}`], 'SSH_UNREACHABLE', err);
  }
  return networkError(`SSH connection to ${c.name} (${where}) failed: ${e.message}.`, [`Try it with ssh to see more: ${probe.replace(/^ssh /, 'ssh -v ')}`], 'SSH_CONNECT_FAILED', err);
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

async function open(host: ResolvedSshHost, opts: SshOptions, key: string, name: string): Promise<SshConnection> {
  const identities = await loadIdentities(host, { identityFile: opts.identityFile, homeDir: opts.homeDir, env: opts.env ?? process.env });
  const verifier = await hostKeyVerifier(host, {
    // StrictHostKeyChecking accept-new (or no) in the config is the same opt-in as the flag.
    acceptNew: opts.acceptNewHostKey === true || host.strictHostKeyChecking === 'accept-new' || host.strictHostKeyChecking === 'no',
    knownHostsFile: opts.knownHostsFile,
    globalKnownHostsFiles: opts.globalKnownHostsFiles,
  });
  const timeoutMs = opts.connectTimeoutMs ?? host.connectTimeoutMs ?? 10_000;
  const ssh = new NodeSSH();
  trace(`ssh ${name}: connecting to ${host.hostName}:${host.port} as ${host.user}`);
  try {
    await ssh.connect({
      host: host.hostName,
      port: host.port,
      username: host.user,
      readyTimeout: timeoutMs,
      keepaliveInterval: opts.keepaliveIntervalMs ?? 30_000,
      keepaliveCountMax: 3,
      authHandler: identities.methods(host.user),
      hostVerifier: verifier.verify,
      algorithms: { serverHostKey: verifier.algorithms },
    });
  } catch (err) {
    ssh.dispose();
    // The server proved it holds the key before asking us to authenticate: record it as ssh does.
    if ((err as { level?: string }).level === 'client-authentication') await verifier.record();
    throw connectError(err, { host, name, timeoutMs, identities, refusal: verifier.refusal() });
  }
  try {
    await verifier.record();
  } catch (err) {
    ssh.dispose();
    throw err;
  }
  return new SshConnection(key, name, host, ssh, opts.maxChannels ?? 8);
}

/**
 * Connect to `target` (user@host[:port] or a ~/.ssh/config alias), verifying its host key against
 * known_hosts. Executors for the same host share one connection; each must be closed.
 */
export async function connectSsh(target: SshTarget, opts: SshOptions = {}): Promise<SshExecutor> {
  const host = await resolveSshHost(target, { configFile: opts.sshConfigFile, systemConfigFile: opts.systemSshConfigFile, homeDir: opts.homeDir });
  const name = `${host.user}@${target.host}${host.port === 22 ? '' : `:${host.port}`}`;
  const key = JSON.stringify([host.user, host.hostName, host.port, opts.knownHostsFile ?? '', opts.identityFile ?? '']);
  let slot = pool.get(key);
  if (!slot?.conn && !slot?.pending) {
    // No await between the lookup and the set: concurrent callers must find this attempt.
    const pending = open(host, opts, key, name);
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
