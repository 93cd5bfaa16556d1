import { usageError } from '../errors.js';
import { readSshInventory } from '../config/infra-outputs.js';

/** A host named by --ssh: `host`, `user@host`, `user@host:port`, `[v6addr]:port`, or a ~/.ssh/config alias. */
export interface SshTarget {
  /** As the user typed it (used for display, audit and per-host results). */
  spec: string;
  user?: string;
  host: string;
  port?: number;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\d{1,3}(?:\.\d{1,3}){3}$/;
const USER = /^[A-Za-z_][A-Za-z0-9._-]{0,31}$/;

export function parseSshTarget(input: string, flag = '--ssh'): SshTarget {
  const spec = input.trim();
  const bad = (why: string) =>
    usageError(`${flag} "${input}" is not a host: ${why}.`, [`Use user@host, user@host:port or an alias from ~/.ssh/config (e.g. ${flag} ops@edge-1.example.com:2222)`], 'INVALID_SSH_TARGET');
  if (!spec) throw bad('it is empty');
  let rest = spec;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER.test(user)) throw bad(`"${user}" is not a user name`);
  }
  let host = rest;
  let port: number | undefined;
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    host = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      const p = rest.slice(colon + 1);
      if (!/^\d+$/.test(p)) throw bad(`"${p}" is not a port`);
      port = Number(p);
    }
    if (!HOST.test(host)) throw bad(`"${host}" is not a host name or IPv4 address`);
  }
  if (port !== undefined && (port < 1 || port > 65535)) throw bad(`port ${port} is out of range`);
  return { spec, user, host, port };
}

/**
 * --ssh is repeatable and comma-separated; duplicates are dropped (one connection per host).
 * A blank entry is refused, never skipped: `--ssh "$EDGE_HOSTS"` with the variable unset must not
 * fall back to this machine. An entry `@tenant` or `@file` stands for the hosts of an SSH inventory.
 */
export function parseSshTargets(values: string[] | undefined): SshTarget[] {
  const seen = new Set<string>();
  const out: SshTarget[] = [];
  for (const v of values ?? []) {
    for (const part of v.split(',')) {
      if (!part.trim()) {
        throw usageError(
          `--ssh ${JSON.stringify(v)} ${v.trim() ? 'has an empty entry' : 'names no host'}: an empty --ssh never means this machine.`,
          ['Name every host, e.g. --ssh ops@edge-1.example.com,ops@edge-2.example.com', 'Leave out --ssh to act on this machine'],
          'EMPTY_SSH_TARGET',
        );
      }
      // `@tenant` or `@file`: the hosts of an inventory (infra hosts writes them), one a line.
      const parts = part.trim().startsWith('@') ? readSshInventory(part.trim()) : [part];
      for (const one of parts) {
        const t = parseSshTarget(one);
        const key = `${t.user ?? ''}@${t.host}:${t.port ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(t);
      }
    }
  }
  return out;
}

/** A ProxyJump / -J list: `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated, first hop first. */
export function parseJumpList(text: string, flag = 'ProxyJump'): SshTarget[] {
  return text.split(',').map((part) => {
    const t = part.trim().replace(/^ssh:\/\//i, '');
    if (!t) throw usageError(`${flag} "${text}" has an empty hop.`, ['Name every hop, e.g. --ssh-jump ops@bastion,ops@inner:2222'], 'INVALID_SSH_JUMP');
    return parseSshTarget(t, flag);
  });
}

/** The jump host of `--via` or a context's `via`: one user@host[:port] (or ~/.ssh/config alias); blank is a usage error. */
export function parseViaTarget(input: string, flag = '--via'): SshTarget {
  if (!input.trim()) {
    throw usageError(`${flag} names no host: an empty jump host never means "direct".`, [
      'Name the jump host, e.g. --via ops@bastion.example.com:2222',
      'Leave out --via to call the control plane directly (frameworks context set <ctx> via --unset clears a context\'s)',
    ], 'EMPTY_VIA_TARGET');
  }
  return parseSshTarget(input, flag);
}
