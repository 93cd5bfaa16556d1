import { NodeSSH } from 'node-ssh';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FrameworksError, authError, networkError, usageError } from '../errors.js';
import { trace } from '../log.js';
import { tildify } from '../paths.js';
import { hostKeyVerifier } from './known-hosts.js';
import { quoteArg } from './quote.js';
import { resolveSshHost, type ResolvedSshHost } from './ssh-config.js';
import type { SshTarget } from './target.js';

/**
 * Opening one authenticated SSH connection, shared by the SSH executor and the jump-host tunnel
 * (`--via`): ~/.ssh/config, identities, known_hosts, error mapping, and ProxyJump chains (each hop
 * reached through a forwarded channel of the previous one, its host key checked like any other).
 */

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
  /** Jump hosts, first hop first (--ssh-jump, like ssh -J); overrides the config's ProxyJump. An empty list: none. */
  jump?: SshTarget[];
}



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

/** An open connection and the hops it was reached through (closed with it). */
export interface SshLink {
  ssh: NodeSSH;
  host: ResolvedSshHost;
  /** user@host[:port] as the user named it. */
  name: string;
  /** The jump hosts it went through, first hop first ("" when direct). */
  route: string[];
  dispose(): void;
}

interface ForwardingClient {
  forwardOut(srcIP: string, srcPort: number, dstIP: string, dstPort: number, cb: (err: Error | undefined, stream: import('node:stream').Duplex) => void): unknown;
}

/** The name a connection is shown by: user@host[:port] as typed. */
export function linkName(target: SshTarget, host: ResolvedSshHost): string {
  return `${host.user}@${target.host}${host.port === 22 ? '' : `:${host.port}`}`;
}

/** A channel from `via` to host:port, the name resolved on `via`'s side. */
export function forwardThrough(via: NodeSSH, viaName: string, host: string, port: number): Promise<import('node:stream').Duplex> {
  const client = via.connection as unknown as ForwardingClient | null;
  return new Promise((resolve, reject) => {
    if (!client) return reject(channelError(viaName, host, port, new Error('not connected')));
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(channelError(viaName, host, port, err)) : resolve(stream)));
  });
}

function channelError(viaName: string, host: string, port: number, err: Error): FrameworksError {
  return networkError(
    `The jump host ${viaName} cannot reach ${host}:${port}: ${err.message.replace(/^\(SSH\) /, '')}.`,
    [`Check it from there: ssh ${quoteArg(viaName)} nc -zv ${quoteArg(host)} ${port}`],
    'SSH_JUMP_FORWARD_FAILED',
    err,
  );
}

/**
 * Connect to `target` (~/.ssh/config applied), through its jump hosts when it has any: `opts.jump`
 * (--ssh-jump) or the config's ProxyJump. Like ssh -J, the first hop is reached with its own config
 * (its ProxyJump included), the later ones through the hop before them.
 */
export async function openSshLink(target: SshTarget, opts: SshOptions, depth = 0): Promise<SshLink> {
  const host = await resolveSshHost(target, { configFile: opts.sshConfigFile, systemConfigFile: opts.systemSshConfigFile, homeDir: opts.homeDir });
  const name = linkName(target, host);
  const hops = opts.jump ?? host.proxyJump ?? [];
  if (depth > 8) throw usageError(`The ProxyJump chain to ${name} is longer than 8 hops (a loop in ~/.ssh/config?).`, ['Check it with: ssh -G ' + quoteArg(target.host)], 'SSH_JUMP_LOOP');
  let prev: SshLink | undefined;
  let sock: import('node:stream').Duplex | undefined;
  if (hops.length) {
    const last = hops[hops.length - 1];
    prev = await openSshLink(last, { ...opts, jump: hops.length > 1 ? hops.slice(0, -1) : undefined }, depth + 1);
    try {
      sock = await forwardThrough(prev.ssh, prev.name, host.hostName, host.port);
    } catch (err) {
      prev.dispose();
      throw err;
    }
  }
  try {
    const ssh = await connectResolved(host, name, opts, sock);
    return {
      ssh,
      host,
      name,
      route: prev ? [...prev.route, prev.name] : [],
      dispose: () => {
        ssh.dispose();
        prev?.dispose();
      },
    };
  } catch (err) {
    prev?.dispose();
    if (prev && err instanceof FrameworksError && err.code === 'SSH_UNREACHABLE') err.message += ` (through the jump host ${prev.name})`;
    throw err;
  }
}

/** One authenticated connection to an already resolved host, directly or over `sock` (a jump host's channel). */
async function connectResolved(host: ResolvedSshHost, name: string, opts: SshOptions, sock?: import('node:stream').Duplex): Promise<NodeSSH> {
  const identities = await loadIdentities(host, { identityFile: opts.identityFile, homeDir: opts.homeDir, env: opts.env ?? process.env });
  const verifier = await hostKeyVerifier(host, {
    // StrictHostKeyChecking accept-new (or no) in the config is the same opt-in as the flag.
    acceptNew: opts.acceptNewHostKey === true || host.strictHostKeyChecking === 'accept-new' || host.strictHostKeyChecking === 'no',
    knownHostsFile: opts.knownHostsFile,
    globalKnownHostsFiles: opts.globalKnownHostsFiles,
  });
  const timeoutMs = opts.connectTimeoutMs ?? host.connectTimeoutMs ?? 10_000;
  const ssh = new NodeSSH();
  trace(`ssh ${name}: connecting to ${host.hostName}:${host.port} as ${host.user}${sock ? ' (through a jump host)' : ''}`);
  try {
    await ssh.connect({
      host: host.hostName,
      port: host.port,
      ...(sock ? { sock: sock as never } : {}),
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
  return ssh;
}

/** The ssh2 client under a NodeSSH (node-ssh does not re-export ssh2's types). */
export interface Ssh2Events {
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  setNoDelay(on: boolean): unknown;
}

