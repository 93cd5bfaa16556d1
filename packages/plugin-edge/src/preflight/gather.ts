import { join } from 'node:path';
import { PrefetchExecutor, type Executor } from '@frameworks/sdk';
import { EDGE_ENV, parseEdgeEnv } from '../lib/edge-env.js';
import { procSysPath, SYSCTL_TARGETS } from '../tune/targets.js';
import { COMPOSE_FILE } from './nofile.js';
import { DOCKER_PS_FORMAT, parseSs } from './ports.js';

/** The argv of each host fact preflight reads (the checks run exactly these). */
export const FACTS = {
  dockerInfo: ['docker', 'info', '--format', '{{json .}}'],
  dockerPs: ['docker', 'ps', '--no-trunc', '--format', DOCKER_PS_FORMAT],
  images: ['docker', 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'],
  // Not `docker-compose version`: v1 (python) takes over a second to start, and is only asked when v2 is missing.
  compose: ['docker', 'compose', 'version'],
  ss: ['ss', '-Htlnp'],
  timedatectl: ['timedatectl', 'show', '-p', 'NTPSynchronized', '--value'],
  chronyc: ['chronyc', '-n', 'tracking'],
  dfRoot: ['df', '-Pk', '/'],
  dfShm: ['df', '-Pk', '/dev/shm'],
  uname: ['uname', '-r'],
  procConfig: ['gzip', '-dc', '/proc/config.gz'],
  ipAddr: ['ip', '-o', 'addr', 'show'],
  pidofDockerd: ['pidof', 'dockerd'],
} as const;

/** Second-round commands: what only the first round's answers name (a path from `uname -r`, a pid, the domain). */
const SECOND_ROUND = (argv: string[]) => ['getent', 'grep'].includes(argv[0]) || (argv[0] === 'cat' && /^\/(?:proc\/\d+\/|boot\/config-)/.test(argv[1] ?? ''));

/**
 * Over SSH, a host's facts in a few round trips instead of ~35 commands: everything preflight reads
 * is asked at once (one sh script for the quick reads, one for docker's), then what depends on those answers. Locally the executor is
 * returned as it is (spawning is cheap there). The checks themselves do not change: they run their
 * commands as before and get the gathered answers.
 */
export function gatherPreflightFacts(executor: Executor, o: { remote: boolean; dir: string; domain?: string; ports: number[] }): Executor {
  if (!o.remote) return executor;
  const x = new PrefetchExecutor(executor);
  const envPath = join(o.dir, EDGE_ENV);
  const composePath = `${o.dir.replace(/\/+$/, '') || '.'}/${COMPOSE_FILE}`;
  const sysctls = [...SYSCTL_TARGETS.map((t) => t.key), 'net.ipv4.tcp_available_congestion_control'].map((k) => ['cat', procSysPath(k)]);
  // Two batches at once: the quick reads, and docker's (each docker call takes a tenth of a second or more),
  // so that what depends on the quick ones does not wait for docker.
  const isDocker = (a: readonly string[]) => a[0] === 'docker';
  const quick = [
    ...Object.values(FACTS).filter((a) => !isDocker(a)).map((a) => [...a]),
    ...sysctls,
    ...(o.dir.startsWith('/') ? [] : [['realpath', o.dir]]),
    ...(o.domain ? [['getent', 'ahosts', o.domain]] : []),
  ];
  const round1 = x.gather(quick, [envPath, composePath], { timeoutMs: 30_000 });
  const dockerRound = x.prefetch(Object.values(FACTS).filter(isDocker).map((a) => [...a]), { timeoutMs: 30_000 });
  // The data root's disk, once docker info has named it.
  void x.prefetchAfter(
    async () => {
      await dockerRound;
      if (x.broken) return [];
      const rootDir = /"DockerRootDir":"([^"]+)"/.exec((await x.run([...FACTS.dockerInfo])).stdout)?.[1];
      return rootDir ? [['df', '-Pk', rootDir]] : [];
    },
    (argv) => argv[0] === 'df',
    { timeoutMs: 30_000 },
  );
  void x.prefetchAfter(
    async () => {
      await round1;
      if (x.broken) return [];
      const text = async (argv: string[]) => {
        const r = await x.run(argv);
        return r.code === 0 ? r.stdout : '';
      };
      const [env, rel, pids, ss] = await Promise.all([x.readFile(envPath).catch(() => ''), text([...FACTS.uname]), text([...FACTS.pidofDockerd]), text([...FACTS.ss])]);
      const out: string[][] = [];
      const domain = o.domain ?? parseEdgeEnv(env).EDGE_DOMAIN?.trim();
      if (domain && !o.domain) out.push(['getent', 'ahosts', domain]);
      const kernel = rel.trim();
      if (kernel) {
        const modulesDir = `/lib/modules/${kernel}`;
        out.push(['grep', '-qsE', '(^|/)sch_fq\\.ko', `${modulesDir}/modules.builtin`, `${modulesDir}/modules.dep`], ['cat', `/boot/config-${kernel}`]);
      }
      const pid = pids.trim().split(/\s+/)[0];
      if (/^\d+$/.test(pid ?? '')) out.push(['cat', `/proc/${pid}/limits`]);
      for (const l of parseSs(ss)) if (o.ports.includes(l.port) && l.pid !== undefined) out.push(['cat', `/proc/${l.pid}/cgroup`]);
      return out;
    },
    SECOND_ROUND,
    { timeoutMs: 30_000 },
  );
  return x;
}
