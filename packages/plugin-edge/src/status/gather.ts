import { join } from 'node:path';
import { PrefetchExecutor, quoteCommand, type Executor } from '@frameworks/sdk';
import { imageRefsOf, inspectArgs, parsePsIds } from '@frameworks/sdk/compose';
import { EDGE_ENV, parseEdgeEnv } from '../lib/edge-env.js';
import { CADDY_INTERNAL_ROOT } from '../lib/https.js';
import { COMPOSE_FILE, DEFAULT_PROJECT } from '../lib/stack.js';
import { HELMSMAN_MODE_URL } from './node.js';

/** The format ComposeProject's exec uses to find a service's running container. */
const RUNNING_FORMAT = '{{.ID}}\t{{.State}}\t{{.Label "com.docker.compose.container-number"}}\t{{.Label "com.docker.compose.oneoff"}}';

/** The "k=v,k=v" labels of a `docker ps --format '{{json .}}'` line. */
function labelsOf(text = ''): Map<string, string> {
  return new Map(text.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
}

/** The container `exec` picks among RUNNING_FORMAT lines: number 1, running, not a one-off. */
function firstRunning(lines: string): string | undefined {
  for (const line of lines.split('\n')) {
    const [id, state, number, oneoff] = line.trim().split('\t');
    if (id && state === 'running' && Number(number) === 1 && oneoff !== 'True') return id;
  }
  return undefined;
}

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
    const labels = labelsOf(c.Labels);
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
  // Every Compose container of the host: the project's own listing is cut from it, so it comes with the files.
  const psAll = [...docker, 'ps', '-a', '--no-trunc', '--filter', 'label=com.docker.compose.project', '--format', '{{json .}}'];
  // Two batches at once: the files and the listing (fast) that the next round needs, and Compose's version (slow), which it does not.
  const files = x.gather([psAll, ['ip', '-o', 'addr', 'show']], [envPath, composePath], { timeoutMs: 30_000 });
  const composeVersion = ['docker', 'compose', 'version', '--short'];
  const version = x.prefetch([composeVersionRead()], { timeoutMs: 30_000 });
  void x.prefetchAfter(
    async () => {
      await version;
      x.provide(composeVersion, await x.run(composeVersionRead()));
      return [];
    },
    (argv) => quoteCommand(argv) === quoteCommand(composeVersion),
    { timeoutMs: 30_000 },
  );
  const facts = files.then(async () => {
    const env = parseEdgeEnv(await x.readFile(envPath).catch(() => ''));
    return { env, project: env.EDGE_PROJECT || DEFAULT_PROJECT, domain: o.domain ?? env.EDGE_DOMAIN ?? '' };
  });
  const psArgv = (project: string) => [...docker, 'ps', '-a', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{json .}}'];
  const runningArgv = (project: string, service: string) => [
    ...docker, 'ps', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`, '--format', RUNNING_FORMAT,
  ];
  const isDocker = (sub: string) => (argv: string[]) => argv[0] === 'docker' && argv[1] === sub;
  const reads: Array<{ exec: string[]; script: string[] }> = [];

  const round2 = x.prefetchAfter(
    async () => {
      const { env, project, domain } = await facts;
      if (x.broken) return [];
      // The project's listing (or the engine's failure, word for word) and `exec`'s running-container lookups, from the one listing.
      const all = await x.run(psAll);
      const listing = all.code === 0 ? projectLines(all.stdout, project) : '';
      x.provide(psArgv(project), all.code === 0 ? { ...all, stdout: listing } : all);
      if (!o.services) for (const service of ['helmsman', 'caddy']) x.provide(runningArgv(project, service), { code: 0, stdout: runningLines(listing, service), stderr: '' });
      const v2 = o.services ? /^v?2\./.test((await out(composeVersion)).trim()) : false;
      const ids = parsePsIds(listing);
      if (!o.services && !o.listOnly) {
        const [helmsman, caddy] = ['helmsman', 'caddy'].map((service) => firstRunning(runningLines(listing, service)));
        if (helmsman) reads.push({ exec: [...docker, 'exec', helmsman, 'wget', '-qO-', HELMSMAN_MODE_URL], script: helmsmanRead(helmsman) });
        if (caddy && env.EDGE_TLS === 'internal') reads.push({ exec: [...docker, 'exec', caddy, 'cat', CADDY_INTERNAL_ROOT], script: caddyRootRead(caddy) });
      }
      return [
        ...(domain && o.dns !== false ? [['getent', 'ahosts', domain]] : []),
        // `edge logs`: the service names, with exactly ComposeProject's v2 command line (absolute paths).
        ...(o.services && v2 && o.dir.startsWith('/') ? [['docker', 'compose', '--ansi', 'never', '-p', project, '--project-directory', o.dir, '-f', composePath, '--env-file', envPath, 'config', '--services']] : []),
        // `edge logs` lists containers only (no inspect).
        ...(ids.length && !o.listOnly ? [[...docker, 'inspect', ...inspectArgs(ids, imageRefsOf(listing))]] : []),
        ...reads.map((r) => r.script),
      ];
    },
    (argv) => isDocker('ps')(argv) || isDocker('inspect')(argv) || argv[0] === 'getent' || (argv[1] === 'compose' && argv.at(-1) === '--services'),
    { timeoutMs: 30_000 },
  );
  // The exec's own argv is answered with what the host read (or the exec in its place) said.
  void x.prefetchAfter(
    async () => {
      await round2;
      for (const r of reads) x.provide(r.exec, await x.run(r.script));
      return [];
    },
    isDocker('exec'),
    { timeoutMs: 30_000 },
  );
  return x;
}

/** The lines of one project in a `docker ps --format '{{json .}}'` listing of every Compose project, in the listing's order. */
export function projectLines(listing: string, project: string): string {
  const lines = listing.split('\n').filter((line) => {
    if (!line.trim().startsWith('{')) return false;
    return labelsOf((JSON.parse(line) as { Labels?: string }).Labels).get('com.docker.compose.project') === project;
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * `sh -c` that runs `direct` with the pid of a process of container "$1" on this host (found by the container id in its
 * cgroup, so never a remote engine's pid; each in turn, as a health check's process may be gone already), else — or when
 * that fails — `docker exec "$1" <argv>`: the same answer. The exec's argv is "$2" on.
 */
function hostOrExec(id: string, direct: string, argv: string[]): string[] {
  const script = [
    'id=$1; for f in $(grep -ls -- "$id" /proc/[0-9]*/cgroup 2>/dev/null); do',
    `  pid=\${f#/proc/}; pid=\${pid%%/*}; ${direct} 2>/dev/null && exit 0`,
    'done',
    'shift; exec docker exec "$id" "$@"',
  ].join('\n');
  return ['sh', '-c', script, 'sh', id, ...argv];
}

/** Helmsman's /node/mode with the host's wget in the container's network namespace (needs root), else docker exec. */
export function helmsmanRead(id: string): string[] {
  return hostOrExec(id, 'nsenter -t "$pid" -n wget -qO- "$4"', ['wget', '-qO-', HELMSMAN_MODE_URL]);
}

/** Caddy's internal root through the container's root folder as the host sees it (needs root), else docker exec. */
export function caddyRootRead(id: string): string[] {
  return hostOrExec(id, 'cat -- "/proc/$pid/root$3"', ['cat', CADDY_INTERNAL_ROOT]);
}

/** Where the docker CLI looks for the Compose plugin, in its order (without a config's cliPluginsExtraDirs). */
const PLUGIN_DIRS = ['/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];

/**
 * `docker compose version --short` as the plugin itself answers it: `docker compose` starts three processes (the CLI,
 * the plugin's metadata, the plugin), the plugin alone one. Anything unusual (extra plugin folders in the CLI's config,
 * no plugin where the CLI looks, a plugin that fails) asks `docker compose` itself.
 */
export function composeVersionRead(): string[] {
  const script = [
    'c="${DOCKER_CONFIG:-$HOME/.docker}"',
    'if ! grep -qs cliPluginsExtraDirs "$c/config.json"; then',
    '  for p in "$c/cli-plugins/docker-compose" "$@"; do [ -x "$p" ] || continue; v=$("$p" version --short 2>/dev/null) && { printf \'%s\\n\' "$v"; exit 0; }; break; done',
    'fi',
    'exec docker compose version --short',
  ].join('\n');
  return ['sh', '-c', script, 'sh', ...PLUGIN_DIRS.map((d) => `${d}/docker-compose`)];
}
