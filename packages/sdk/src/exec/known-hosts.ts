import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ExitCode, FrameworksError } from '../errors.js';
import { tildify } from '../paths.js';
import { quoteArg } from './quote.js';

/**
 * known_hosts as OpenSSH reads and writes it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 * `[@marker] patterns keytype base64 [comment]`, patterns being a comma list of names, wildcards,
 * negations, `[host]:port` for other ports than 22, or one hashed `|1|salt|hmac` name.
 */
export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written (a pattern list or a hashed name). */
  hosts: string;
  keyType: string;
  key: Buffer;
  file: string;
  line: number;
}

/** The name known_hosts records for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port = 22): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** OpenSSH's fingerprint: SHA256 of the key blob, base64 without padding. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name at the start of an SSH wire-format public key blob. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  return len > 0 && len < 64 && key.length >= 4 + len ? key.toString('latin1', 4, 4 + len) : 'unknown';
}

export function parseKnownHosts(text: string, file = 'known_hosts'): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!.toLowerCase();
      if (m !== '@revoked' && m !== '@cert-authority') return; // unknown marker: OpenSSH skips the line
      marker = m.slice(1) as KnownHostEntry['marker'];
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return; // malformed or SSH1 (bits e n) line
    const key = Buffer.from(b64, 'base64');
    if (keyTypeOf(key) !== keyType) return;
    out.push({ marker, hosts, keyType, key, file, line: i + 1 });
  });
  return out;
}

function wildcard(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/** Does the entry's host field name `name` (already in `[host]:port` form when the port is not 22)? */
export function hostMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    return hashHostName(name, Buffer.from(salt, 'base64')) === hosts;
  }
  let matched = false;
  for (const p of hosts.split(',')) {
    if (p.startsWith('!')) {
      if (wildcard(p.slice(1), name)) return false; // a negation wins over any positive match
    } else if (wildcard(p, name)) {
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: 'match'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'changed'; recorded: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry };

/** Compare the presented key with what is recorded for `name`; the key type is part of the key. */
export function checkHostKey(entries: KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const type = keyTypeOf(key);
  const same = (e: KnownHostEntry) => e.keyType === type && e.key.equals(key);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && hostMatches(e.hosts, name));
  const revoked = forHost.find((e) => e.marker === 'revoked' && same(e));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === undefined);
  const hit = plain.find(same);
  if (hit) return { status: 'match', entry: hit };
  // Any other key on record for this host is a changed key, also when only its type differs:
  // the verifier asks for the recorded types first, so a server that still had that key would have offered it.
  return plain.length ? { status: 'changed', recorded: plain } : { status: 'unknown' };
}

/** Entries of every file that exists, in order; a missing file is an empty one. */
export async function loadKnownHosts(files: string[]): Promise<KnownHostEntry[]> {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') continue;
      throw err;
    }
    out.push(...parseKnownHosts(text, f));
  }
  return out;
}

/**
 * Record a key for `name` as `ssh` does with accept-new: append one line (a single O_APPEND write,
 * so concurrent writers never interleave), creating the folder 0700 and the file 0600 when missing.
 * Does nothing when the same key is already recorded (another connection got there first).
 */
export async function appendKnownHost(file: string, name: string, key: Buffer, opts: { hash?: boolean } = {}): Promise<void> {
  const existing = await loadKnownHosts([file]);
  if (checkHostKey(existing, name, key).status === 'match') return;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const fh = await open(file, 'a+', 0o600);
  try {
    const { size } = await fh.stat();
    let sep = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) sep = '\n';
    }
    await fh.appendFile(`${sep}${opts.hash ? hashHostName(name) : name} ${keyTypeOf(key)} ${key.toString('base64')}\n`);
  } finally {
    await fh.close();
  }
}

// ------------------------------------------------------------------ verification for a connection

/** ssh2's host key algorithms, and which known_hosts key type each one proves. */
const ALGORITHMS: Array<[string, string]> = [
  ['ssh-ed25519', 'ssh-ed25519'],
  ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256'],
  ['ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384'],
  ['ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521'],
  ['rsa-sha2-512', 'ssh-rsa'],
  ['rsa-sha2-256', 'ssh-rsa'],
  ['ssh-rsa', 'ssh-rsa'],
];
/** ssh-keyscan -t names. */
const SCAN_TYPE: Record<string, string> = { 'ssh-ed25519': 'ed25519', 'ssh-rsa': 'rsa', 'ssh-dss': 'dsa' };
const scanType = (t: string) => SCAN_TYPE[t] ?? (t.startsWith('ecdsa') ? 'ecdsa' : t);
const label = (t: string) => scanType(t).toUpperCase();

export interface HostKeyTarget {
  hostName: string;
  port: number;
  hostKeyAlias?: string;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  hashKnownHosts: boolean;
}

export interface HostKeyPolicy {
  /** Trust and record a key seen for the first time. Never applies to a changed or revoked key. */
  acceptNew: boolean;
  /** Replaces the user files (the first one receives new keys). */
  knownHostsFile?: string;
  globalKnownHostsFiles?: string[];
}

export interface HostKeyVerifier {
  /** For ssh2's hostVerifier (raw key blob in, trust out). */
  verify: (key: Buffer) => boolean;
  /** Host key algorithms, those of the recorded keys first (as ssh orders them). */
  algorithms: string[];
  /** Why verify() refused, as the error the user should see. */
  refusal(): FrameworksError | undefined;
  /** Append the accepted new key; call once the server has proven it holds it (after the key exchange). */
  record(): Promise<void>;
}

export async function hostKeyVerifier(host: HostKeyTarget, policy: HostKeyPolicy): Promise<HostKeyVerifier> {
  const userFiles = policy.knownHostsFile ? [policy.knownHostsFile] : host.userKnownHostsFiles;
  const files = [...userFiles, ...(policy.globalKnownHostsFiles ?? host.globalKnownHostsFiles)];
  const entries = await loadKnownHosts(files);
  const name = knownHostName(host.hostKeyAlias ?? host.hostName, host.port);
  const file = userFiles[0];
  const shown = tildify(file);
  // Commands in hints carry real paths: a quoted ~ would not expand.
  const removeHint = (f: string) => `ssh-keygen -R ${quoteArg(name)}${f === join(homedir(), '.ssh', 'known_hosts') ? '' : ` -f ${quoteArg(f)}`}`;
  const recordedTypes = new Set(entries.filter((e) => !e.marker && hostMatches(e.hosts, name)).map((e) => e.keyType));
  const algorithms = [...ALGORITHMS.filter(([, t]) => recordedTypes.has(t)), ...ALGORITHMS.filter(([, t]) => !recordedTypes.has(t))].map(([a]) => a);
  let refusal: FrameworksError | undefined;
  let pending: Buffer | undefined;

  const refuse = (message: string, code: string, suggestions: string[], result: unknown) => {
    refusal = new FrameworksError(message, { code, exitCode: ExitCode.NETWORK, suggestions, result, name: 'HostKeyError' });
    return false;
  };

  const verify = (key: Buffer): boolean => {
    const type = keyTypeOf(key);
    const fp = fingerprint(key);
    const v = checkHostKey(entries, name, key);
    switch (v.status) {
      case 'match':
        return true;
      case 'unknown':
        if (policy.acceptNew) {
          pending = key;
          return true;
        }
        return refuse(
          `The host key of ${name} is not known (${label(type)} key ${fp}). Refusing to connect to a host whose identity is unverified.`,
          'HOST_KEY_UNKNOWN',
          [
            `Compare ${fp} with the key on the host (ssh-keygen -lf /etc/ssh/ssh_host_${scanType(type)}_key.pub), then re-run with --accept-new-host-key to record it in ${shown}`,
            `Or record it yourself: ssh-keyscan${host.port === 22 ? '' : ` -p ${host.port}`} -t ${scanType(type)} ${quoteArg(host.hostKeyAlias ?? host.hostName)} >> ${quoteArg(file)}`,
          ],
          { host: name, fingerprint: fp, keyType: type },
        );
      case 'changed': {
        const was = v.recorded.map((e) => `${label(e.keyType)} ${fingerprint(e.key)} (${tildify(e.file)}:${e.line})`);
        return refuse(
          `The host key of ${name} has CHANGED: it presents ${label(type)} ${fp}, but known_hosts records ${was.join(', ')}. ` +
            'Someone may be intercepting the connection (man-in-the-middle), or the host was reinstalled. Refusing to connect.',
          'HOST_KEY_CHANGED',
          [
            `If the change is expected, confirm ${fp} on the host, then remove the old key: ${[...new Set(v.recorded.map((e) => e.file))].map(removeHint).join(' ; ')}`,
            'Then connect once with --accept-new-host-key to record the new key',
          ],
          { host: name, fingerprint: fp, keyType: type, recorded: v.recorded.map((e) => ({ keyType: e.keyType, fingerprint: fingerprint(e.key), file: e.file, line: e.line })) },
        );
      }
      case 'revoked':
        return refuse(
          `The host key ${label(type)} ${fp} presented by ${name} is marked @revoked in ${tildify(v.entry.file)}:${v.entry.line}. Refusing to connect.`,
          'HOST_KEY_REVOKED',
          [`Ask the host's administrator for its current key; never remove the @revoked line to get in`],
          { host: name, fingerprint: fp, keyType: type },
        );
    }
  };

  return {
    verify,
    algorithms,
    refusal: () => refusal,
    record: async () => {
      if (!pending) return;
      const key = pending;
      pending = undefined;
      await appendKnownHost(file, name, key, { hash: host.hashKnownHosts });
    },
  };
}
