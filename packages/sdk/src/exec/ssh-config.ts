import { readdir, readFile } from 'node:fs/promises';
import { homedir, hostname, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { MAX_WAIT_MS } from '../duration.js';
import { configError } from '../errors.js';
import { parseJumpList, type SshTarget } from './target.js';

/**
 * ~/.ssh/config resolution for one --ssh target, the way `ssh` does it for the directives the
 * executor honours. Precedence: what the user typed (user@, :port) > ssh config > defaults.
 */
export interface ResolvedSshHost {
  /** The host as typed (an alias or a real name). */
  alias: string;
  /** Where to connect (HostName, tokens expanded), lower-cased like OpenSSH does for known_hosts. */
  hostName: string;
  user: string;
  port: number;
  /** IdentityFile entries from the config, expanded; empty when the config names none. */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** IdentityAgent: a socket path, "none", or undefined for $SSH_AUTH_SOCK. */
  identityAgent?: string;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  /** The config's StrictHostKeyChecking (default ask: unknown keys refused without the flag). */
  strictHostKeyChecking: 'yes' | 'ask' | 'accept-new' | 'no';
  hashKnownHosts: boolean;
  /** HostKeyAlias: the name looked up in known_hosts instead of hostName. */
  hostKeyAlias?: string;
  /** ConnectTimeout, in ms. */
  connectTimeoutMs?: number;
  /** ProxyJump hops, first hop first; undefined when the config names none (or `none`). */
  proxyJump?: SshTarget[];
}

export interface SshConfigOptions {
  /** Default ~/.ssh/config; a missing file is no config. */
  configFile?: string;
  /** The system-wide file read after the user's (first value wins); null to skip. Default /etc/ssh/ssh_config. */
  systemConfigFile?: string | null;
  /** Home directory for ~ and %d (default os.homedir()). */
  homeDir?: string;
  /** Local user name for %u and the default remote user (default the OS user). */
  localUser?: string;
}

export function localUserName(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? 'root';
  }
}

/** Tokens OpenSSH expands in IdentityFile, UserKnownHostsFile, HostName, IdentityAgent. */
function expand(value: string, t: { home: string; host: string; alias: string; user: string; localUser: string; port: number }): string {
  let v = value;
  if (v === '~' || v.startsWith('~/')) v = t.home + v.slice(1);
  return v.replace(/%([%dhnupril])/g, (_m, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'd':
        return t.home;
      case 'h':
        return t.host;
      case 'n':
        return t.alias;
      case 'u':
        return t.localUser;
      case 'r':
        return t.user;
      case 'p':
        return String(t.port);
      case 'l':
        return hostname();
      default: // %i
        return String(process.getuid?.() ?? '');
    }
  });
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/**
 * ssh-config does not follow Include: inline the named files (relative ones from `base`: ~/.ssh for
 * the user's file, /etc/ssh for the system's; `*` and `?` in the last path part), which gives
 * OpenSSH's order closely enough.
 */
async function readWithIncludes(file: string, home: string, base: string, depth = 0): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw configError(`Cannot read the SSH config ${file}: ${(err as Error).message}.`, [], 'SSH_CONFIG_INVALID', err);
  }
  if (depth > 8 || !/^\s*include\s/im.test(text)) return text;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*include\s+(.+?)\s*$/i.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    for (const raw of m[1].split(/\s+/)) {
      const p = raw.replace(/^"(.*)"$/, '$1').replace(/^~(?=\/|$)/, home);
      const abs = isAbsolute(p) ? p : join(base, p);
      const dir = dirname(abs);
      const name = abs.slice(dir.length + 1);
      let files = [abs];
      if (/[*?]/.test(name)) {
        const re = globToRegExp(name);
        files = (await readdir(dir).catch(() => [] as string[])).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
      }
      for (const f of files) out.push(await readWithIncludes(f, home, base, depth + 1));
    }
  }
  return out.join('\n');
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : v.split(/\s+/)).filter(Boolean);

export async function resolveSshHost(target: SshTarget, opts: SshConfigOptions = {}): Promise<ResolvedSshHost> {
  const home = opts.homeDir ?? homedir();
  const localUser = opts.localUser ?? localUserName();
  const configFile = opts.configFile ?? join(home, '.ssh', 'config');
  const systemFile = opts.systemConfigFile === undefined ? '/etc/ssh/ssh_config' : opts.systemConfigFile;
  const texts = [await readWithIncludes(configFile, home, join(home, '.ssh'))];
  if (systemFile) texts.push(await readWithIncludes(systemFile, home, '/etc/ssh'));

  let c: Record<string, string | string[]>;
  try {
    // matchExec off: computing a host must never run commands (ssh-config would not expand %h in them either).
    const parsed = SSHConfig.parse(texts.join('\n'));
    c = parsed.compute(target.user ? { Host: target.host, User: target.user } : { Host: target.host }, { ignoreCase: true, matchExec: false });
  } catch (err) {
    throw configError(`Cannot parse the SSH config ${configFile}: ${(err as Error).message}.`, [`Check it with: ssh -G ${target.host}`], 'SSH_CONFIG_INVALID', err);
  }

  const proxyCommand = first(c.proxycommand);
  if (proxyCommand && proxyCommand.toLowerCase() !== 'none') {
    throw configError(`The SSH config routes ${target.host} through ProxyCommand ${proxyCommand}, which the SSH executor does not support.`, [`Use ProxyJump instead (or --ssh-jump user@bastion), or set "ProxyCommand none" for it in ${configFile}`], 'SSH_CONFIG_UNSUPPORTED');
  }
  const jumpText = first(c.proxyjump);
  let proxyJump: SshTarget[] | undefined;
  if (jumpText && jumpText.toLowerCase() !== 'none') {
    try {
      proxyJump = parseJumpList(jumpText);
    } catch (err) {
      throw configError(`The SSH config gives ${target.host} "ProxyJump ${jumpText}": ${(err as Error).message}`, [`Fix the ProxyJump line in ${configFile}`], 'SSH_CONFIG_INVALID', err);
    }
  }

  const portText = target.port ?? first(c.port);
  const port = portText === undefined ? 22 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw configError(`The SSH config gives ${target.host} the port "${portText}", which is not a port.`, [`Fix the Port line in ${configFile}`], 'SSH_CONFIG_INVALID');
  }
  const user = target.user ?? first(c.user) ?? localUser;
  const tokens = { home, host: target.host, alias: target.host, user, localUser, port };
  const hostName = expand(first(c.hostname) ?? target.host, tokens).toLowerCase();
  const t = { ...tokens, host: hostName };

  const timeout = first(c.connecttimeout);
  const strict = (first(c.stricthostkeychecking) ?? 'ask').toLowerCase();
  const yes = (v: string | string[] | undefined) => /^(yes|true)$/i.test(first(v) ?? '');
  const userKnown = list(c.userknownhostsfile).filter((f) => f.toLowerCase() !== 'none').map((f) => expand(f, t));
  const globalKnown = list(c.globalknownhostsfile).filter((f) => f.toLowerCase() !== 'none').map((f) => expand(f, t));
  const agent = first(c.identityagent);
  return {
    alias: target.host,
    hostName,
    user,
    port,
    identityFiles: list(c.identityfile).filter((f) => f.toLowerCase() !== 'none').map((f) => expand(f, t)),
    identitiesOnly: yes(c.identitiesonly),
    identityAgent: agent === undefined || agent === 'SSH_AUTH_SOCK' ? undefined : agent.toLowerCase() === 'none' ? 'none' : expand(agent, t),
    userKnownHostsFiles: userKnown.length ? userKnown : [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2')],
    globalKnownHostsFiles: globalKnown.length ? globalKnown : ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
    strictHostKeyChecking: strict === 'accept-new' ? 'accept-new' : strict === 'no' || strict === 'off' ? 'no' : strict === 'yes' ? 'yes' : 'ask',
    hashKnownHosts: yes(c.hashknownhosts),
    hostKeyAlias: first(c.hostkeyalias)?.toLowerCase(),
    // ConnectTimeout is seconds; a value past what a timer holds would fire at once, so it is capped.
    connectTimeoutMs: timeout && /^\d+$/.test(timeout) && Number(timeout) > 0 ? Math.min(Number(timeout) * 1000, MAX_WAIT_MS) : undefined,
    ...(proxyJump ? { proxyJump } : {}),
  };
}

