import type { Executor } from '@frameworks/sdk';
import { firstLine, probe } from '../lib/probe.js';
import { check, type Check } from './types.js';

export interface Listener {
  address: string;
  port: number;
  process?: string;
  pid?: number;
}

/** `ss -Htlnp`: `LISTEN 0 511 127.0.0.1:4873 0.0.0.0:* users:(("verdaccio",pid=4446,fd=28))`. */
export function parseSs(stdout: string): Listener[] {
  const out: Listener[] = [];
  for (const line of stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    // With a State column (ss -l prints it) the local address is the 4th field.
    const local = /^[A-Z-]+$/.test(f[0]) ? f[3] : f[2];
    const colon = local.lastIndexOf(':');
    if (colon < 0) continue;
    const port = Number(local.slice(colon + 1));
    if (!Number.isInteger(port)) continue;
    const address = local.slice(0, colon).replace(/%[^\]]*/, '');
    const users = /\("([^"]+)",pid=(\d+)/.exec(line);
    out.push(users ? { address, port, process: users[1], pid: Number(users[2]) } : { address, port });
  }
  return out;
}

function hexToIpv4(hex: string): string {
  // /proc/net/tcp prints the address as a little-endian 32-bit word.
  const b = hex.match(/../g)!.map((h) => parseInt(h, 16));
  return b.reverse().join('.');
}

function hexToIpv6(hex: string): string {
  const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
  const groups = words.join('').match(/.{4}/g)!.map((g) => parseInt(g, 16).toString(16));
  return `[${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}]`;
}

/** Fallback when `ss` is missing: listening sockets (state 0A) from /proc/net/tcp and tcp6; no owners. */
export function parseProcNetTcp(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== '0A') continue;
    const [addrHex, portHex] = f[1].split(':');
    if (!portHex) continue;
    const address = addrHex.length === 8 ? hexToIpv4(addrHex) : hexToIpv6(addrHex);
    out.push({ address, port: parseInt(portHex, 16) });
  }
  return out;
}

export interface ContainerInfo {
  id: string;
  name: string;
  ports: string;
  project: string;
  service: string;
  workingDir: string;
}

/** The `docker ps` format this module asks for: tab-separated, compose labels by name (values may hold commas). */
export const DOCKER_PS_FORMAT = '{{.ID}}\t{{.Names}}\t{{.Ports}}\t{{.Label "com.docker.compose.project"}}\t{{.Label "com.docker.compose.service"}}\t{{.Label "com.docker.compose.project.working_dir"}}';

export function parseDockerPs(stdout: string): ContainerInfo[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [id = '', name = '', ports = '', project = '', service = '', workingDir = ''] = l.split('\t');
      return { id, name, ports, project, service, workingDir };
    });
}

/** Host TCP ports a container publishes: `0.0.0.0:80->80/tcp, [::]:443->443/tcp, 127.0.0.1:8000-8001->8000-8001/tcp`. */
export function publishedPorts(ports: string): number[] {
  const out = new Set<number>();
  for (const part of ports.split(',')) {
    const m = /:(\d+)(?:-(\d+))?->\d+(?:-\d+)?\/tcp/.exec(part.trim());
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    for (let p = lo; p <= hi && p - lo < 65536; p++) out.add(p);
  }
  return [...out];
}

/** The container a process belongs to, from /proc/<pid>/cgroup (v1 `/docker/<id>`, v2 `docker-<id>.scope`). */
export function containerIdFromCgroup(text: string): string | undefined {
  return /(?:docker[-/])([0-9a-f]{64})/.exec(text)?.[1];
}

export interface PortFacts {
  /** undefined: listeners could not be listed at all. */
  listeners?: Listener[];
  /** How the listeners were found; "proc" means no process names (ss missing). */
  via: 'ss' | 'proc' | 'none';
  listError?: string;
  /** undefined: docker ps failed (no engine): containers cannot be matched. */
  containers?: ContainerInfo[];
  /** pid of a listener → full container id, for host-networked containers. */
  pidContainer: Map<number, string>;
}

export type IsOurs = (c: ContainerInfo) => boolean;

function containerLabel(c: ContainerInfo): string {
  return c.project ? `${c.name} (compose ${c.project}/${c.service})` : c.name;
}

const THRESHOLD = 'free, or held by this edge stack';

/**
 * A port is fine when nothing listens on it or when this edge stack holds it (a re-run on a live
 * node). Anything else — another container, a host nginx — blocks Caddy.
 */
export function evaluatePort(port: number, f: PortFacts, isOurs: IsOurs): Check {
  const id = `port-${port}`;
  const byPublish = f.containers?.filter((c) => publishedPorts(c.ports).includes(port)) ?? [];
  const listeners = f.listeners?.filter((l) => l.port === port) ?? [];
  const containerOf = (l: Listener) => {
    const cid = l.pid !== undefined ? f.pidContainer.get(l.pid) : undefined;
    return cid ? f.containers?.find((c) => cid.startsWith(c.id)) : undefined;
  };
  const byPid = listeners.map(containerOf).filter((c): c is ContainerInfo => Boolean(c));
  // docker-proxy (or a listener we cannot name) on a published port is that container's; anything
  // else is a process of its own, even next to our container (nginx on [::]:443 beside docker-proxy).
  const unmanaged = listeners.filter((l) => !containerOf(l) && !(byPublish.length && (l.process === undefined || l.process === 'docker-proxy')));
  const owners = [...new Map([...byPublish, ...byPid].map((c) => [c.id, c])).values()];
  const foreign = owners.filter((c) => !isOurs(c));
  const how = f.via === 'proc' ? ' (ss not found: process names unknown)' : '';
  if (foreign.length) {
    return check(
      id,
      'ports',
      'fail',
      `held by container ${foreign.map(containerLabel).join(', ')}, not this edge stack`,
      THRESHOLD,
      `Stop it (docker stop ${foreign[0].name}) or move it off port ${port}: Caddy must own ${port}.`,
    );
  }
  if (unmanaged.length) {
    const who = unmanaged
      .map((l) => `${l.process ? `${l.process}${l.pid ? ` (pid ${l.pid})` : ''}` : 'a process'} on ${l.address}:${l.port}`)
      .filter((v, i, a) => a.indexOf(v) === i)
      .join(', ');
    // docker-proxy publishes a container's port; with the engine unreachable its owner cannot be told
    // (it may be this very stack): the docker check says why, this one is skipped.
    if (f.containers === undefined && unmanaged.every((l) => l.process === 'docker-proxy')) {
      return check(id, 'ports', 'skip', `held by ${who}: its container is unknown without the Docker engine (see docker)`, THRESHOLD, 'Fix the docker check first, then re-run.');
    }
    return check(
      id,
      'ports',
      'fail',
      `in use by ${who}: not managed by this edge stack${how}`,
      THRESHOLD,
      `Stop or reconfigure that service so Caddy can bind ${port} (find it: ss -Htlnp 'sport = :${port}').`,
    );
  }
  if (owners.length) return check(id, 'ports', 'pass', `held by this edge stack: ${owners.map(containerLabel).join(', ')}`, THRESHOLD);
  if (f.listeners === undefined) {
    return check(id, 'ports', 'warn', `cannot list listeners${f.listError ? `: ${f.listError}` : ''}`, THRESHOLD, 'Install iproute2 (ss) on the host, then re-run.');
  }
  return check(id, 'ports', 'pass', `free${how}`, THRESHOLD);
}

/** Everything the port checks need, gathered once for all ports. */
export async function gatherPortFacts(executor: Executor, containers: Promise<ContainerInfo[] | undefined>, ports: number[]): Promise<PortFacts> {
  const ss = await probe(executor, ['ss', '-Htlnp'], { timeoutMs: 5_000 });
  let listeners: Listener[] | undefined;
  let via: PortFacts['via'] = 'none';
  let listError: string | undefined;
  if (ss.ok) {
    listeners = parseSs(ss.stdout);
    via = 'ss';
  } else {
    const proc = await probe(executor, ['cat', '/proc/net/tcp', '/proc/net/tcp6'], { timeoutMs: 5_000 });
    if (proc.stdout.trim()) {
      listeners = parseProcNetTcp(proc.stdout);
      via = 'proc';
    } else listError = ss.missing ? 'ss not found and /proc/net/tcp unreadable' : firstLine(ss.stderr);
  }
  // Host-networked containers (HEAD's linux flavour) have no published ports: map their pids instead.
  const pids = [...new Set((listeners ?? []).filter((l) => ports.includes(l.port) && l.pid !== undefined).map((l) => l.pid!))];
  const pidContainer = new Map<number, string>();
  await Promise.all(
    pids.map(async (pid) => {
      const cg = await probe(executor, ['cat', `/proc/${pid}/cgroup`], { timeoutMs: 5_000 });
      const cid = cg.ok ? containerIdFromCgroup(cg.stdout) : undefined;
      if (cid) pidContainer.set(pid, cid);
    }),
  );
  return { listeners, via, listError, containers: await containers, pidContainer };
}
