import { join } from 'node:path';
import { PrefetchExecutor, type Executor } from '@frameworks/sdk';
import { imageRefsOf, inspectArgs, parseInspect, parsePsIds } from '@frameworks/sdk/compose';
import { EDGE_ENV, parseEdgeEnv } from '../lib/edge-env.js';
import { CADDY_INTERNAL_ROOT } from '../lib/https.js';
import { COMPOSE_FILE, DEFAULT_PROJECT } from '../lib/stack.js';
import { HELMSMAN_MODE_URL } from './node.js';

/** The format ComposeProject's exec uses to find a service's running container. */
const RUNNING_FORMAT = '{{.ID}}\t{{.State}}\t{{.Label "com.docker.compose.container-number"}}\t{{.Label "com.docker.compose.oneoff"}}';

/** `docker ps --format RUNNING_FORMAT` lines of one service, from a `docker ps -a --format '{{json .}}'` listing. */
export function runningLines(listing: string, service: string): string {
  const out: string[] = [];
  for (const line of listing.split('\n')) {
    if (!line.trim()) continue;
    let c: { ID?: string; State?: string; Labels?: string };
    try {
      c = JSON.parse(line) as typeof c;
    } catch {
      continue;
    }
    const labels = new Map((c.Labels ?? '').split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
    if (labels.get('com.docker.compose.service') !== service || c.State !== 'running') continue;
    out.push([c.ID, c.State, labels.get('com.docker.compose.container-number') ?? '', labels.get('com.docker.compose.oneoff') ?? ''].join('\t'));
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/**
 * Over SSH, `edge status` (and `logs`, `doctor`) in four rounds instead of a dozen commands: the stack's files, and
 * beside them the Compose version; then the containers by label and the domain's DNS; then one docker inspect (the
 * containers and their images); then Helmsman's node id and Caddy's internal root, read from the host when it can
 * instead of two docker execs. A round waits only for what it needs. Each round is planned
 * from the answers before it, with exactly the commands ComposeProject and the checks run (anything
 * that differs simply runs on its own). Locally the executor is returned as it is.
 */
export function gatherStatusFacts(executor: Executor, o: { remote: boolean; dir: string; domain?: string; dns?: boolean; services?: boolean; listOnly?: boolean }): Executor {
  if (!o.remote) return executor;
  const x = new PrefetchExecutor(executor);
  const envPath = join(o.dir, EDGE_ENV);
  const composePath = `${o.dir.replace(/\/+$/, '') || '.'}/${COMPOSE_FILE}`;
  const out = async (argv: string[]) => {
    const r = await x.run(argv);
    return r.code === 0 ? r.stdout : '';
  };
  const docker = ['docker'];
  // Two batches at once: the files (fast) that the next round needs, and Compose's version (slow), which it does not.
  const files = x.gather([], [envPath, composePath], { timeoutMs: 30_000 });
  void x.prefetch([['docker', 'compose', 'version', '--short'], ['ip', '-o', 'addr', 'show']], { timeoutMs: 30_000 });
  const facts = files.then(async () => {
    const env = parseEdgeEnv(await x.readFile(envPath).catch(() => ''));
    return { env, project: env.EDGE_PROJECT || DEFAULT_PROJECT, domain: o.domain ?? env.EDGE_DOMAIN ?? '' };
  });
  const psArgv = (project: string) => [...docker, 'ps', '-a', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{json .}}'];
  const runningArgv = (project: string, service: string) => [
    ...docker, 'ps', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`, '--format', RUNNING_FORMAT,
  ];
  const isDocker = (sub: string) => (argv: string[]) => argv[0] === 'docker' && argv[1] === sub;

  const round2 = x.prefetchAfter(
    async () => {
      const { project, domain } = await facts;
      if (x.broken) return [];
      const v2 = o.services ? /^v?2\./.test((await out(['docker', 'compose', 'version', '--short'])).trim()) : false;
      return [
        psArgv(project),
        ...(domain && o.dns !== false ? [['getent', 'ahosts', domain]] : []),
        // `edge logs`: the service names, with exactly ComposeProject's v2 command line (absolute paths).
        ...(o.services && v2 && o.dir.startsWith('/') ? [['docker', 'compose', '--ansi', 'never', '-p', project, '--project-directory', o.dir, '-f', composePath, '--env-file', envPath, 'config', '--services']] : []),
      ];
    },
    (argv) => isDocker('ps')(argv) || argv[0] === 'getent' || (argv[1] === 'compose' && argv.at(-1) === '--services'),
    { timeoutMs: 30_000 },
  );
  const running = async (project: string, service: string) => {
    for (const line of (await out(runningArgv(project, service))).split('\n')) {
      const [id, state, number, oneoff] = line.trim().split('\t');
      if (id && state === 'running' && Number(number) === 1 && oneoff !== 'True') return id;
    }
    return undefined;
  };
  // `edge logs` lists containers only (no inspect): two rounds are all it needs.
  if (o.listOnly) return x;
  const round3 = x.prefetchAfter(
    async () => {
      await round2;
      if (x.broken) return [];
      const { project } = await facts;
      const listing = await out(psArgv(project));
      const ids = parsePsIds(listing);
      // The running-container lookups of `exec` (one docker ps each) answered from the listing above.
      if (!o.services) for (const service of ['helmsman', 'caddy']) x.provide(runningArgv(project, service), { code: 0, stdout: runningLines(listing, service), stderr: '' });
      return ids.length ? [[...docker, 'inspect', ...inspectArgs(ids, imageRefsOf(listing))]] : [];
    },
    (argv) => isDocker('inspect')(argv) || isDocker('ps')(argv),
    { timeoutMs: 30_000 },
  );
  // The two execs (Helmsman's node id, Caddy's internal root) read from the host when it can (as root): a docker exec
  // costs the engine ~0.1 s of CPU, which 20 hosts sharing one engine feel. Each falls back to the very exec in the same
  // script, so an answer is never worse than the exec's; the exec's own argv is then answered with it.
  void x.prefetchAfter(
    async () => {
      await round3;
      if (x.broken || o.services) return [];
      const { env, project } = await facts;
      const listing = await out(psArgv(project));
      const ids = parsePsIds(listing);
      const [helmsman, caddy] = await Promise.all([running(project, 'helmsman'), running(project, 'caddy')]);
      const inspected = ids.length ? parseInspect<Inspected>(await out([...docker, 'inspect', ...inspectArgs(ids, imageRefsOf(listing))])) : [];
      const reads: Array<{ exec: string[]; script: string[] }> = [];
      if (helmsman) reads.push({ exec: [...docker, 'exec', helmsman, 'wget', '-qO-', HELMSMAN_MODE_URL], script: helmsmanRead(helmsman, inspected) });
      if (caddy && env.EDGE_TLS === 'internal') reads.push({ exec: [...docker, 'exec', caddy, 'cat', CADDY_INTERNAL_ROOT], script: caddyRootRead(caddy, inspected) });
      await x.prefetch(reads.map((r) => r.script), { timeoutMs: 30_000 });
      for (const r of reads) {
        const answer = await x.run(r.script);
        x.provide(r.exec, answer);
      }
      return [];
    },
    isDocker('exec'),
    { timeoutMs: 30_000 },
  );
  return x;
}

/** What the host-side reads need from `docker inspect`. */
interface Inspected {
  Id: string;
  State?: { Pid?: number };
}

/**
 * `sh -c` that runs `direct` (the exec's argv is "$3" on) when the container's main process is on this host (its pid's cgroup
 * names the container: not a remote engine's pid) and succeeds, else `docker exec <id> <argv...>`, the same answer.
 */
function hostOrExec(id: string, inspected: Inspected[], direct: string, argv: string[]): string[] {
  const pid = inspected.find((c) => c.Id === id)?.State?.Pid;
  const exec = 'shift 2; exec docker exec "$id" "$@"';
  const script = pid ? `id=$1; pid=$2; grep -qs -- "$id" "/proc/$pid/cgroup" && ${direct} 2>/dev/null || { ${exec}; }` : `id=$1; { ${exec}; }`;
  return ['sh', '-c', script, 'sh', id, String(pid ?? 0), ...argv];
}

/** Helmsman's /node/mode with the host's wget in the container's network namespace (needs root), else docker exec. */
export function helmsmanRead(id: string, inspected: Inspected[]): string[] {
  return hostOrExec(id, inspected, 'nsenter -t "$pid" -n wget -qO- "$5"', ['wget', '-qO-', HELMSMAN_MODE_URL]);
}

/** Caddy's internal root through the container's root folder as the host sees it (needs root), else docker exec. */
export function caddyRootRead(id: string, inspected: Inspected[]): string[] {
  return hostOrExec(id, inspected, 'cat -- "/proc/$pid/root$4"', ['cat', CADDY_INTERNAL_ROOT]);
}
