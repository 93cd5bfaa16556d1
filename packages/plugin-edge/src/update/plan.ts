import { ExitCode, FrameworksError, quoteArg, quoteCommand } from '@frameworks/sdk';
import type { ComposeInfo, ComposeProject, ServiceImage } from '@frameworks/sdk/compose';
import { localImageIds, serviceRefs, shortId } from '../lib/images.js';

/** One service of an update: what ran before, what runs after. */
export interface ServiceChange {
  service: string;
  /** The compose file's reference (a tag moves; the reference stays). */
  image: string;
  before: { image_id: string; digest: string | null } | null;
  after: { image_id: string; digest: string | null } | null;
  changed: boolean;
}

/** Pair the records of before and after by service. */
export function diffServices(before: ServiceImage[], after: ServiceImage[]): ServiceChange[] {
  const services = [...new Set([...before.map((b) => b.service), ...after.map((a) => a.service)])].sort();
  return services.map((service) => {
    const b = before.find((x) => x.service === service);
    const a = after.find((x) => x.service === service);
    return {
      service,
      image: (a ?? b)!.image,
      before: b ? { image_id: b.imageId, digest: b.digest ?? null } : null,
      after: a ? { image_id: a.imageId, digest: a.digest ?? null } : null,
      changed: !b || !a || b.imageId !== a.imageId,
    };
  });
}

/** What `rollback` would have to re-point: recorded services whose reference now names another image, or whose container runs another. */
export function driftedServices(before: ServiceImage[], refIds: Map<string, string | undefined>, running: ServiceImage[]): ServiceImage[] {
  return before.filter((b) => {
    const now = running.find((r) => r.service === b.service);
    return refIds.get(b.image) !== b.imageId || (now !== undefined && now.imageId !== b.imageId);
  });
}

/**
 * The commands that put the recorded images back by hand (when --rollback-on-failure was not
 * given): re-point each reference at the recorded image id, then `up -d` with exactly the
 * project's files. Services pinned by digest in the compose file cannot move: nothing to do.
 */
export function rollbackCommands(project: Pick<ComposeProject, 'name' | 'workingDir' | 'files' | 'envFile'>, compose: Pick<ComposeInfo, 'argv' | 'dockerArgv'>, drifted: ServiceImage[]): string[] {
  const tags = drifted.filter((s) => !s.image.includes('@')).map((s) => quoteCommand([...compose.dockerArgv, 'tag', s.imageId, s.image]));
  if (!tags.length) return [];
  const up = quoteCommand([
    ...compose.argv,
    '-p',
    project.name,
    '--project-directory',
    project.workingDir,
    ...project.files.flatMap((f) => ['-f', f]),
    ...(project.envFile ? ['--env-file', project.envFile] : []),
    'up',
    '-d',
  ]);
  return [...tags, up];
}

/** The rollback as one line to paste, run on `host` (over ssh for a remote one). */
export function rollbackOneLiner(commands: string[], host: { remote: boolean; host: string }): string {
  const line = commands.join(' && ');
  return host.remote ? `ssh ${quoteArg(host.host)} ${quoteArg(line)}` : line;
}

export interface DryRunRow {
  service: string;
  /** The reference the update would pull: the new pin with --image/--channel, else the compose file's. */
  image: string;
  /** With a new pin: the reference it replaces. */
  previous_image?: string;
  running: { image_id: string; digest: string | null } | null;
  /** The image the reference names in the engine now (may be newer than the running one). */
  local_image_id: string | null;
  /** The registry's digest for the reference, when cheaply knowable (`docker manifest inspect`), else null. */
  available_digest: string | null;
  /**
   * would-pull: the registry has another digest; up-to-date; unknown: could not ask the registry; pinned: image@digest;
   * missing: the registry answered that it has no such tag (the pull would certainly fail).
   */
  verdict: 'would-pull' | 'up-to-date' | 'unknown' | 'pinned' | 'would-recreate' | 'missing';
  note?: string;
}

/**
 * --dry-run: what `edge update` would pull, without pulling. The registry is asked with
 * `docker manifest inspect` on the host (its network view and its credentials); any failure only
 * makes the verdict "unknown".
 */
export async function planUpdate(project: ComposeProject, running: ServiceImage[], pins: Array<{ service: string; to: string }> = []): Promise<DryRunRow[]> {
  // A dry run writes no pin, so the compose file still names the current images: ask about the new ones.
  const refs = (await serviceRefs(project)).map((r) => {
    const pin = pins.find((p) => p.service === r.service);
    return pin && pin.to !== r.image ? { service: r.service, image: pin.to, previous: r.image } : { ...r, previous: undefined };
  });
  const ids = await localImageIds(project, refs.map((r) => r.image));
  const info = await project.compose();
  return Promise.all(
    refs.map(async ({ service, image, previous }): Promise<DryRunRow> => {
      const run = running.find((r) => r.service === service);
      const base = {
        service,
        image,
        ...(previous !== undefined ? { previous_image: previous } : {}),
        running: run ? { image_id: run.imageId, digest: run.digest ?? null } : null,
        local_image_id: ids.get(image) ?? null,
      };
      if (image.includes('@')) return { ...base, available_digest: image.slice(image.indexOf('@') + 1), verdict: 'pinned' };
      const available = await registryDigest(project, info, image);
      if (available.missing) return { ...base, available_digest: null, verdict: 'missing', note: `the registry has no such tag: ${image}` };
      if (!available.digest) {
        const stale = run && base.local_image_id && base.local_image_id !== run.imageId;
        return { ...base, available_digest: null, verdict: stale ? 'would-recreate' : 'unknown', note: available.error };
      }
      if (run?.digest === available.digest) return { ...base, available_digest: available.digest, verdict: 'up-to-date' };
      return { ...base, available_digest: available.digest, verdict: 'would-pull' };
    }),
  );
}

/** Loopback registries are plain HTTP, as the engine itself assumes (it treats 127.0.0.0/8 as insecure). */
function isLoopbackRegistry(image: string): boolean {
  const first = image.split('/')[0];
  if (!image.includes('/') || !/[.:]|^localhost$/.test(first)) return false;
  return /^(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?::\d+)?$/.test(first);
}

/** The registry's manifest digest for `image` (of the manifest list when there is one). */
async function registryDigest(project: ComposeProject, info: ComposeInfo, image: string): Promise<{ digest?: string; error?: string; missing?: boolean }> {
  const argv = [...info.dockerArgv, 'manifest', 'inspect', '--verbose', ...(isLoopbackRegistry(image) ? ['--insecure'] : []), image];
  try {
    const r = await project.executor.run(argv, { timeoutMs: 15_000, ...(project.env ? { env: project.env } : {}) });
    const said = (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.code}`;
    // The registry answered, and the answer is "no such tag": not a transport problem.
    if (r.code !== 0 && NO_SUCH_TAG.test(r.stderr || r.stdout)) return { missing: true, error: said };
    if (r.code !== 0) return { error: `registry not asked: ${said}` };
    return { digest: parseManifestDigest(r.stdout) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const NO_SUCH_TAG = /no such manifest|manifest unknown|manifest for \S+ not found/i;

/** --dry-run: a tag the registry does not have means the update would certainly fail: say so, exit 1. */
export function assertPullable<T extends { services: DryRunRow[] }>(result: T, where = ''): T {
  const missing = result.services.filter((s) => s.verdict === 'missing');
  if (!missing.length) return result;
  throw new FrameworksError(`The registry has no such tag: ${missing.map((s) => `${s.image} (${s.service})`).join(', ')}. edge update would fail at its pull; nothing was changed.`, {
    code: 'UPDATE_IMAGE_NOT_FOUND',
    exitCode: ExitCode.FAILED,
    suggestions: [`docker manifest inspect ${missing[0].image}   # what the registry says`, `frameworks edge update --image ${missing[0].service}=<a tag the registry has>${where}   # pin another tag`],
    result,
  });
}

/** `docker manifest inspect --verbose`: one object {Descriptor:{digest}} or, for a list, an array of them (the list's digest is not printed: take none). */
export function parseManifestDigest(stdout: string): string | undefined {
  try {
    const data = JSON.parse(stdout) as unknown;
    if (Array.isArray(data)) return undefined;
    const d = (data as { Descriptor?: { digest?: unknown } }).Descriptor?.digest;
    return typeof d === 'string' && /^sha256:[a-f0-9]{64}$/.test(d) ? d : undefined;
  } catch {
    return undefined;
  }
}

export { shortId };
