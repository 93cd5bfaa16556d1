import { join } from 'node:path';
import { PrefetchExecutor, type Executor } from '@frameworks/sdk';
import { parseInspect, parsePsIds } from '@frameworks/sdk/compose';
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
 * Over SSH, `edge status` (and `logs`, `doctor`) in five round trips instead of a dozen commands: the stack's files, and
 * beside them the Compose version; then the containers by label and the domain's DNS; then docker inspect and the two
 * execs (Helmsman's node id, Caddy's internal root); then the images' digests. A round waits only for what it needs. Each round is planned
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
      const { env, project } = await facts;
      const listing = await out(psArgv(project));
      const ids = parsePsIds(listing);
      // The running-container lookups of `exec` (one docker ps each) answered from the listing above.
      if (!o.services) for (const service of ['helmsman', 'caddy']) x.provide(runningArgv(project, service), { code: 0, stdout: runningLines(listing, service), stderr: '' });
      const [helmsman, caddy] = o.services ? [] : await Promise.all([running(project, 'helmsman'), running(project, 'caddy')]);
      return [
        ...(ids.length ? [[...docker, 'inspect', '--type', 'container', ...ids]] : []),
        ...(helmsman ? [[...docker, 'exec', helmsman, 'wget', '-qO-', HELMSMAN_MODE_URL]] : []),
        ...(caddy && env.EDGE_TLS === 'internal' ? [[...docker, 'exec', caddy, 'cat', CADDY_INTERNAL_ROOT]] : []),
      ];
    },
    (argv) => isDocker('inspect')(argv) || isDocker('exec')(argv) || isDocker('ps')(argv),
    { timeoutMs: 30_000 },
  );
  void x.prefetchAfter(
    async () => {
      await round3;
      if (x.broken) return [];
      const { project } = await facts;
      const ids = parsePsIds(await out(psArgv(project)));
      if (!ids.length) return [];
      const inspected = parseInspect<{ Image: string }>(await out([...docker, 'inspect', '--type', 'container', ...ids]));
      const imageIds = [...new Set(inspected.map((c) => c.Image))];
      return imageIds.length ? [[...docker, 'image', 'inspect', ...imageIds]] : [];
    },
    (argv) => argv[0] === 'docker' && argv[1] === 'image' && argv[2] === 'inspect',
    { timeoutMs: 30_000 },
  );
  return x;
}
