import type { Executor } from '@frameworks/sdk';
import { EDGE_ENV, readEdgeEnv, type EdgeEnv } from '../lib/edge-env.js';
import { checkClock, sampleRemoteClock, type ClockSample } from './clock.js';
import { checkDns } from './dns.js';
import { checkCompose, evaluateDocker, parseDockerInfo, type DockerInfo } from './docker.js';
import { df, evaluateDisk, evaluateShm } from './disk.js';
import { gatherPreflightFacts } from './gather.js';
import { COMPOSE_FILE, checkNofile, composeImages, stackNofile } from './nofile.js';
import { DOCKER_PS_FORMAT, evaluatePort, gatherPortFacts, parseDockerPs, type ContainerInfo } from './ports.js';
import { once, probe } from '../lib/probe.js';
import { checkSysctls } from './sysctl.js';
import { check, summarize, type Check, type CheckCategory, type PreflightReport } from './types.js';

export interface PreflightOptions {
  host: string;
  /** The edge folder on that host (.edge.env, docker-compose.edge.yml). */
  dir: string;
  remote: boolean;
  /** --domain; else EDGE_DOMAIN from .edge.env. */
  domain?: string;
  /** --expect-ip: the public address(es) DNS must point at (NAT, load balancers). */
  expectIps?: string[];
  /** Ports Caddy needs; 80 and 443 unless a test overrides them. */
  ports?: number[];
  /**
   * Reference clock of a local run: the Date header of the context's gateway. A remote run
   * compares the host's `date` with this machine's clock instead.
   */
  referenceClock?: () => Promise<ClockSample | { error: string }>;
}

export const DEFAULT_PORTS = [80, 443];
/** Container names the Go CLI's stacks used (HEAD `frameworks-edge`, MVP `edge-proxy`). */
const EDGE_CONTAINER_NAMES = ['frameworks-edge', 'edge-proxy'];

/** A check that threw is a finding about that check only; the others still report. */
async function guarded(id: string, category: CheckCategory, fn: () => Promise<Check | Check[]>): Promise<Check[]> {
  try {
    const r = await fn();
    return Array.isArray(r) ? r : [r];
  } catch (err) {
    return [check(id, category, 'warn', `check error: ${(err as Error).message}`, '', 'Re-run with --verbose to see the commands run.')];
  }
}

/**
 * Every check of `edge preflight` for one host, through its executor. Independent checks run at
 * once and share the facts they have in common (docker info, docker ps, .edge.env), so a preflight
 * takes about as long as its slowest check.
 */
export async function runPreflight(hostExecutor: Executor, o: PreflightOptions): Promise<PreflightReport> {
  const started = performance.now();
  const ports = o.ports?.length ? o.ports : DEFAULT_PORTS;
  // Over SSH: the host's facts in two round trips (the checks below run unchanged).
  const executor = gatherPreflightFacts(hostExecutor, { remote: o.remote, dir: o.dir, ports, ...(o.domain ? { domain: o.domain } : {}) });
  const envPath = `${o.dir.replace(/\/+$/, '') || '.'}/${EDGE_ENV}`;

  const edgeEnv = once(async (): Promise<EdgeEnv> => (await readEdgeEnv(executor, o.dir).catch(() => undefined)) ?? {});
  const dockerInfo = once(async (): Promise<DockerInfo> => parseDockerInfo(await probe(executor, ['docker', 'info', '--format', '{{json .}}'], { timeoutMs: 15_000 })));
  const engine = once(async () => {
    const i = await dockerInfo();
    return i.reachable ? ('ok' as const) : i.missing ? ('missing' as const) : ('unreachable' as const);
  });
  const containers = once(async (): Promise<ContainerInfo[] | undefined> => {
    if ((await engine()) !== 'ok') return undefined;
    const r = await probe(executor, ['docker', 'ps', '--no-trunc', '--format', DOCKER_PS_FORMAT], { timeoutMs: 10_000 });
    return r.ok ? parseDockerPs(r.stdout) : undefined;
  });
  const absDir = once(async () => {
    if (o.dir.startsWith('/')) return o.dir.replace(/\/+$/, '') || '/';
    const r = await probe(executor, ['realpath', o.dir], { timeoutMs: 5_000 });
    return r.ok ? r.stdout.trim() : o.dir;
  });
  const composeText = once(async () => {
    const composePath = `${o.dir.replace(/\/+$/, '') || '.'}/${COMPOSE_FILE}`;
    return (await executor.exists(composePath)) ? await executor.readFile(composePath).catch(() => '') : '';
  });
  const preferredImages = once(async () => {
    const env = await edgeEnv();
    const text = await composeText();
    const fromEnv = Object.values(env).filter((v) => /^[a-z0-9][a-z0-9._\-/]*(:[\w.-]+)?(@sha256:[a-f0-9]{64})?$/i.test(v) && /[:/]/.test(v));
    return [...composeImages(text, env), ...fromEnv];
  });

  const rootDf = once(() => df(executor, '/'));
  const tasks: Array<Promise<Check[]>> = [
    guarded('dns', 'dns', async () => {
      const domain = o.domain ?? (await edgeEnv()).EDGE_DOMAIN?.trim();
      return checkDns(executor, { domain: domain || undefined, envPath, expectIps: o.expectIps });
    }),
    guarded('ports', 'ports', async () => {
      const [facts, dir, env] = await Promise.all([gatherPortFacts(executor, containers(), ports), absDir(), edgeEnv()]);
      const isOurs = (c: ContainerInfo) =>
        (c.workingDir !== '' && c.workingDir === dir) || EDGE_CONTAINER_NAMES.includes(c.name) || (Boolean(env.COMPOSE_PROJECT_NAME) && c.project === env.COMPOSE_PROJECT_NAME);
      return ports.map((p) => evaluatePort(p, facts, isOurs));
    }),
    guarded('clock', 'time', () => checkClock(executor, o.remote || !o.referenceClock ? () => sampleRemoteClockOrNone(executor, o.remote) : o.referenceClock)),
    guarded('docker', 'docker', async () => evaluateDocker(await dockerInfo())),
    guarded('compose', 'docker', () => checkCompose(executor)),
    guarded('disk-root', 'disk', async () => {
      const r = await rootDf();
      return evaluateDisk('disk-root', '/', r.row, r.error);
    }),
    guarded('disk-docker', 'disk', async () => {
      const info = await dockerInfo();
      const path = info.rootDir ?? ((await executor.exists('/var/lib/docker')) ? '/var/lib/docker' : '/var/lib');
      const [r, root] = await Promise.all([df(executor, path), rootDf()]);
      // A bind mount shows another mount point on the same device: still the same free space.
      const same = r.row && root.row && r.row.filesystem === root.row.filesystem && (r.row.mount === root.row.mount || r.row.filesystem.startsWith('/dev/')) ? '/' : undefined;
      return evaluateDisk('disk-docker', path, r.row, r.error, same);
    }),
    guarded('shm', 'shm', async () => {
      const r = await df(executor, '/dev/shm');
      return evaluateShm(r.row, r.error);
    }),
    // Against the value the stack was initialised with (init --nofile), not a fixed constant.
    guarded('nofile', 'limits', async () => checkNofile(executor, engine(), preferredImages(), stackNofile(await edgeEnv(), await composeText()))),
    guarded('sysctl', 'sysctl', () => checkSysctls(executor)),
  ];
  const checks = (await Promise.all(tasks)).flat();
  return { host: o.host, dir: o.dir, checks, summary: summarize(checks, Math.round(performance.now() - started)) };
}

async function sampleRemoteClockOrNone(executor: Executor, remote: boolean): Promise<ClockSample | { error: string }> {
  // Locally, comparing the host with the CLI is comparing a clock with itself.
  if (!remote) return { error: 'no gateway to compare with' };
  return sampleRemoteClock(executor);
}
