import { posix } from 'node:path';
import { ExitCode, FrameworksError, isFrameworksError, readFilesIfPresent, writeAllOrNothing, type Executor } from '@frameworks/sdk';
import { unifiedDiff } from '../lib/diff.js';
import { EDGE_ENV, EDGE_ENV_EXAMPLE, maskEnvSecrets, parseEdgeEnv } from '../lib/edge-env.js';
import { COMPOSE_FILE } from '../lib/stack.js';
import { EDGE_SERVICES, imageRef, parseImageOverrides, type EdgeService, type ImageSpec } from '../release/image-ref.js';
import type { LoadReleaseOptions, LoadedRelease } from '@frameworks/sdk';
import { loadEdgeRelease, resolveRelease, type ResolvedRelease } from '../release/manifest.js';

/**
 * `edge update --image svc=ref` / `--channel c`: a new image pin, recorded in the stack's files the
 * way `edge init` writes them (the compose file's `image:` of each service; CADDY_IMAGE …, EDGE_CHANNEL
 * and EDGE_RELEASE in .edge.env and .edge.env.example), all or nothing, before the update pulls it.
 * Everything else in the files (hand edits included) is left as it is.
 */
export interface RepinRequest {
  images?: string[];
  /** A release to pin (--channel, --version, --release-source, --release-manifest); undefined: only --image. */
  release?: LoadReleaseOptions & { manifestFile?: string };
  allowUnpinned?: boolean;
}

export interface Repin {
  overrides: Partial<Record<EdgeService, ImageSpec>>;
  release?: ResolvedRelease;
  loaded?: LoadedRelease;
}

export interface RepinResult {
  /** Services whose pin changes. */
  images: Array<{ service: EdgeService; from: string | null; to: string }>;
  channel: { from: string | null; to: string } | null;
  /** What changes in each file (secrets masked). */
  files: Array<{ path: string; diff: string }>;
  written: boolean;
}

export interface AppliedRepin {
  result: RepinResult;
  /** Write the files back as they were (all or nothing). */
  restore(): Promise<void>;
}

/** The flags, checked before any host is touched: --image (exit 2), the release (source, channel, signature, pins). */
export async function prepareRepin(req: RepinRequest): Promise<Repin | undefined> {
  if (!req.images?.length && req.release === undefined) return undefined;
  const overrides = parseImageOverrides(req.images);
  if (req.release === undefined) return { overrides };
  const loaded = await loadEdgeRelease(req.release);
  return { overrides, loaded, release: resolveRelease(loaded, overrides, { allowUnpinned: req.allowUnpinned }) };
}

const envKey = (s: EdgeService) => `${s.toUpperCase()}_IMAGE`;

/** Put `ref` into the `image:` line of `service` (block-style YAML as edge init writes it); undefined when not found. */
function withImage(compose: string, service: string, ref: string): string | undefined {
  const lines = compose.split('\n');
  const top = lines.findIndex((l) => /^services:\s*$/.test(l));
  if (top < 0) return undefined;
  const head = lines.findIndex((l, i) => i > top && new RegExp(`^(\\s+)["']?${service}["']?:\\s*$`).test(l));
  if (head < 0) return undefined;
  const indent = /^\s*/.exec(lines[head])![0].length;
  for (let i = head + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() && !l.trim().startsWith('#') && /^\s*/.exec(l)![0].length <= indent) break;
    const m = /^(\s+)image:\s*\S.*$/.exec(l);
    if (m && m[1].length > indent) {
      lines[i] = `${m[1]}image: ${JSON.stringify(ref)}`;
      return lines.join('\n');
    }
  }
  return undefined;
}

function setEnv(text: string, key: string, value: string): string {
  return text.replace(new RegExp(`^${key}=.*$`, 'm'), `${key}=${value}`);
}

/** Compute the new pins for the stack in `dir`, and unless `dryRun` write them (compose file and env files together). */
export async function applyRepin(executor: Executor, dir: string, repin: Repin, opts: { dryRun?: boolean } = {}): Promise<AppliedRepin> {
  const names = [COMPOSE_FILE, EDGE_ENV, EDGE_ENV_EXAMPLE];
  const paths = names.map((n) => posix.join(dir, n));
  const old = await readFilesIfPresent(executor, paths);
  const [compose, env] = old;
  if (compose === undefined) {
    throw new FrameworksError(`No ${COMPOSE_FILE} in ${dir}${executor.name === 'local' ? '' : ` on ${executor.name}`}: nothing to pin the image in.`, {
      code: 'EDGE_NOT_INITIALISED',
      exitCode: ExitCode.FAILED,
      suggestions: ['frameworks edge init --domain <edge.example.com> --email <you@example.com>'],
    });
  }
  const yaml = await import('js-yaml');
  const current = ((yaml.load(compose) as { services?: Record<string, { image?: string }> })?.services ?? {}) as Record<string, { image?: string }>;
  const release = repin.release;
  const target: Partial<Record<EdgeService, string>> = {};
  for (const s of EDGE_SERVICES) {
    const o = repin.overrides[s];
    const ref = release ? release.refs[s] : o ? imageRef(o) : undefined;
    if (ref !== undefined && current[s]?.image !== ref) target[s] = ref;
  }
  const oldChannel = env === undefined ? null : (parseEdgeEnv(env).EDGE_CHANNEL ?? null);

  let next = compose;
  for (const [s, ref] of Object.entries(target) as Array<[EdgeService, string]>) {
    const replaced = withImage(next, s, ref);
    if (replaced === undefined) {
      throw new FrameworksError(`${COMPOSE_FILE} in ${dir} has no image line for ${s} that edge update can change. Nothing was written.`, {
        code: 'EDGE_COMPOSE_UNRECOGNISED',
        exitCode: ExitCode.FAILED,
        suggestions: [`frameworks edge init --force … --image ${s}=${ref}   # write the stack's files again`],
      });
    }
    next = replaced;
  }
  if (release) {
    const label = `"${release.channel}"${release.version ? ` (release ${release.version})` : ''}`;
    next = next.replace(/(from release channel )"[^"]*"( \(release [^)]*\))?/, `$1${label}`);
    next = next.replace(/^# UNPINNED \(--allow-unpinned\):.*\n/m, '');
    if (release.allowedUnpinned.length) {
      const note = `# UNPINNED (--allow-unpinned): ${release.allowedUnpinned.join(', ')} run by tag, without a digest from the release.\n`;
      next = /^# Images are pinned here.*\n/m.test(next) ? next.replace(/^(# Images are pinned here.*\n)/m, `$1${note}`) : note + next;
    }
  }
  const envNext = (text: string | undefined) => {
    if (text === undefined) return undefined;
    let t = text;
    for (const [s, ref] of Object.entries(target) as Array<[EdgeService, string]>) t = setEnv(t, envKey(s), ref);
    if (release) {
      t = setEnv(setEnv(t, 'EDGE_CHANNEL', release.channel), 'EDGE_RELEASE', release.version ?? '');
      t = t.replace(/^EDGE_UNPINNED=.*\n/m, '');
      if (release.allowedUnpinned.length) t = t.replace(/^(HELMSMAN_IMAGE=.*\n)/m, `$1EDGE_UNPINNED=${release.allowedUnpinned.join(',')}\n`);
    }
    return t;
  };
  const fresh = [next, envNext(old[1]), envNext(old[2])];
  const changed = names.map((_, i) => i).filter((i) => old[i] !== undefined && fresh[i] !== old[i]);
  const shown = (i: number, text: string) => (names[i].startsWith(EDGE_ENV) ? maskEnvSecrets(text) : text);
  const result: RepinResult = {
    images: (Object.entries(target) as Array<[EdgeService, string]>).map(([service, to]) => ({ service, from: current[service]?.image ?? null, to })),
    channel: release && release.channel !== oldChannel ? { from: oldChannel, to: release.channel } : null,
    files: changed.map((i) => ({
      path: paths[i],
      diff: unifiedDiff(shown(i, old[i]!), shown(i, fresh[i]!), { from: `${paths[i]} (now)`, to: `${paths[i]} (new pin)` }),
    })),
    written: false,
  };
  const modes = [0o644, 0o600, 0o644];
  const write = (texts: Array<string | undefined>) =>
    writeAllOrNothing(
      executor,
      changed.map((i) => ({ path: paths[i], content: texts[i]!, mode: modes[i] })),
    );
  if (changed.length && !opts.dryRun) {
    await write(fresh);
    result.written = true;
  }
  return { result, restore: async () => void (result.written && (await write(old))) };
}

/** Lines for stderr: what the new pin changes. */
export function describeRepin(r: RepinResult, dryRun: boolean): string[] {
  if (!r.images.length && !r.channel) return ['Image pins unchanged: the stack already pins these images.'];
  const verb = dryRun ? 'Would pin' : 'Pinned';
  return [
    ...(r.channel ? [`${verb} channel ${r.channel.to}${r.channel.from ? ` (was ${r.channel.from})` : ''}`] : []),
    ...r.images.map((i) => `${verb} ${i.service}: ${i.from ?? '(none)'} → ${i.to}`),
    ...(dryRun ? r.files.map((f) => f.diff.replace(/\n$/, '')) : []),
  ];
}

/**
 * Run the update with the new pin in place; its result says what the pin changed. When the update
 * fails and no service ended up on another image (a pull that failed, say), the old pins are written
 * back: nothing changed, the files included.
 */
export async function withRepin<T extends object>(pinned: AppliedRepin | undefined, update: () => Promise<T>): Promise<T & { repin?: RepinResult }> {
  try {
    const result = await update();
    return pinned ? { ...result, repin: pinned.result } : result;
  } catch (err) {
    const services = isFrameworksError(err) ? (err.result as { services?: Array<{ changed: boolean }> } | undefined)?.services : undefined;
    if (pinned?.result.written && services?.every((s) => !s.changed)) await pinned.restore().catch(() => undefined);
    throw err;
  }
}
