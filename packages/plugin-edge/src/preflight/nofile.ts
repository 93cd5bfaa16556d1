import type { Executor } from '@frameworks/sdk';
import { composeImages } from '../lib/compose-images.js';
import { NOFILE_TARGET } from '../tune/targets.js';
import { firstLine, probe, type ProbeResult } from '../lib/probe.js';
import { check, type Check } from './types.js';

export const COMPOSE_FILE = 'docker-compose.edge.yml';
export { composeImages };

/** The systemd drop-in that lets dockerd hand containers nofile=1048576. */
export const DOCKERD_NOFILE_FIX =
  "mkdir -p /etc/systemd/system/docker.service.d && printf '[Service]\\nLimitNOFILE=1048576\\n' > /etc/systemd/system/docker.service.d/90-frameworks-nofile.conf && systemctl daemon-reload && systemctl restart docker";

const threshold = (target: number) => `engine grants nofile ≥ ${target}${target === NOFILE_TARGET ? '' : ' (the stack\'s EDGE_NOFILE)'}`;

/** The nofile the stack was initialised with (EDGE_NOFILE, else the compose file's), else the tune target. */
export function stackNofile(env: Record<string, string>, composeText = ''): number {
  const fromEnv = Number(env.EDGE_NOFILE);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  const m = /^\s*nofile:\s*\n\s*soft:\s*["']?(\d+)/m.exec(composeText) ?? /^\s*nofile:\s*["']?(\d+)/m.exec(composeText);
  return m ? Number(m[1]) : NOFILE_TARGET;
}

/** `nginx` → `nginx:latest`; a digest or an explicit tag stays. */
export function withTag(ref: string): string {
  const last = ref.split('/').pop()!;
  return ref.includes('@') || last.includes(':') ? ref : `${ref}:latest`;
}

/**
 * Images to start the test container from, best first: the edge stack's own (compose file, then
 * .edge.env values) when present locally, then ones that look like ours, then any local image.
 * Never pulls.
 */
export function imageCandidates(local: string[], preferred: string[]): string[] {
  const have = new Set(local.map(withTag));
  const ours = preferred.map(withTag).filter((r) => have.has(r));
  const named = local.filter((r) => /frameworks|helmsman|mistserver|caddy/i.test(r));
  return [...new Set([...ours, ...named, ...local])];
}

export function chooseImage(local: string[], preferred: string[]): { image?: string; why: string } {
  const [first] = imageCandidates(local, preferred);
  if (!first) return { why: 'no local image' };
  return { image: first, why: preferred.map(withTag).includes(first) ? 'an edge stack image' : 'a local image' };
}

/** "Max open files            20000                20000                files" from /proc/<pid>/limits. */
export function parseMaxOpenFiles(limits: string): { soft: string; hard: string } | undefined {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  return m ? { soft: m[1], hard: m[2] } : undefined;
}

export function evaluateNofile(i: {
  engine: 'ok' | 'missing' | 'unreachable';
  image?: string;
  run?: Pick<ProbeResult, 'ok' | 'code' | 'stderr' | 'timedOut'>;
  dockerdHard?: string;
  /** What to ask for: the stack's own value (stackNofile). */
  target?: number;
}): Check {
  const target = i.target ?? NOFILE_TARGET;
  const THRESHOLD = threshold(target);
  if (i.engine !== 'ok') return check('nofile', 'limits', 'skip', `not tested: ${i.engine === 'missing' ? 'Docker is not installed' : 'needs the Docker engine (see docker)'}`, THRESHOLD, 'Fix the docker check first, then re-run.');
  if (!i.image) {
    return check('nofile', 'limits', 'warn', 'not tested: no local image (this check never pulls)', THRESHOLD, `Pull the edge images first (docker compose -f ${COMPOSE_FILE} pull), then re-run.`);
  }
  const r = i.run;
  const from = `test container from ${i.image}`;
  if (!r) return check('nofile', 'limits', 'warn', `not tested (${from})`, THRESHOLD, 'The test container did not run.');
  if (r.ok) return check('nofile', 'limits', 'pass', `${target} granted (${from})`, THRESHOLD);
  const err = r.stderr.split('\n').find((l) => /rlimit/i.test(l)) ?? firstLine(r.stderr);
  if (/rlimit/i.test(r.stderr)) {
    // runc: "…: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: unknown".
    const reason = /error setting rlimit type \d+: [^:"]+/i.exec(err)?.[0] ?? /error setting rlimit[^"]*/i.exec(err)?.[0] ?? err;
    return check(
      'nofile',
      'limits',
      'fail',
      `${target} refused: ${reason} (${from}${i.dockerdHard ? `; dockerd's hard limit is ${i.dockerdHard}` : ''})`,
      THRESHOLD,
      "Containers cannot get more open files than the Docker daemon's hard limit. Raise it: LimitNOFILE=1048576 in a docker.service drop-in, then restart docker (a dockerd started by hand: `ulimit -Hn 1048576` in its shell first). On a test host that cannot: frameworks edge init --nofile $(ulimit -Hn).",
      DOCKERD_NOFILE_FIX,
    );
  }
  // The runtime sets rlimits before it looks up the command: an image without `true` still proves the grant.
  if (/executable file not found|no such file or directory/i.test(r.stderr) && /\btrue\b/.test(r.stderr)) {
    return check('nofile', 'limits', 'pass', `${target} granted (${from}; the image has no \`true\`, the limit was set before exec)`, THRESHOLD);
  }
  if (r.timedOut) return check('nofile', 'limits', 'warn', `not tested: the test container timed out (${from})`, THRESHOLD, 'The engine is slow to start containers; re-run, or test by hand: docker run --rm --ulimit nofile=1048576:1048576 <image> true');
  return check('nofile', 'limits', 'warn', `not tested: ${err} (${from})`, THRESHOLD, `The test container failed for another reason; test by hand: docker run --rm --ulimit nofile=${target}:${target} ${i.image} true`);
}

/** Start a throw-away container asking for nofile=1048576: the only way to know what the engine grants. */
export async function checkNofile(executor: Executor, engine: Promise<'ok' | 'missing' | 'unreachable'>, preferred: Promise<string[]>, target = NOFILE_TARGET): Promise<Check> {
  const state = await engine;
  if (state !== 'ok') return evaluateNofile({ engine: state, target });
  const ls = await probe(executor, ['docker', 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { timeoutMs: 10_000 });
  const local = ls.ok ? ls.stdout.split('\n').map((s) => s.trim()).filter((s) => s && !s.includes('<none>')) : [];
  const candidates = imageCandidates(local, await preferred);
  if (candidates.length === 0) return evaluateNofile({ engine: 'ok', target });
  const n = `${target}:${target}`;
  let image = candidates[0];
  let run: ProbeResult | undefined;
  // An image removed since `docker image ls` (a prune, a re-tag) is no finding: try the next one.
  for (const candidate of candidates.slice(0, 3)) {
    image = candidate;
    // --entrypoint true: an s6-overlay image must not boot its services; --pull never: never fetch anything.
    run = await probe(executor, ['docker', 'run', '--rm', '--pull', 'never', '--network', 'none', '--log-driver', 'none', '--ulimit', `nofile=${n}`, '--entrypoint', 'true', image], { timeoutMs: 30_000 });
    if (run.ok || !/No such image/i.test(run.stderr)) break;
  }
  if (!run) return evaluateNofile({ engine: 'ok', target });
  let dockerdHard: string | undefined;
  if (!run.ok && /rlimit/i.test(run.stderr)) {
    const pid = await probe(executor, ['pidof', 'dockerd'], { timeoutMs: 5_000 });
    const pids = pid.ok ? pid.stdout.trim().split(/\s+/) : [];
    // With several engines on the host we cannot tell which one answered.
    if (pids.length === 1) {
      const lim = await probe(executor, ['cat', `/proc/${pids[0]}/limits`], { timeoutMs: 5_000 });
      dockerdHard = lim.ok ? parseMaxOpenFiles(lim.stdout)?.hard : undefined;
    }
  }
  return evaluateNofile({ engine: 'ok', image, run, dockerdHard, target });
}
