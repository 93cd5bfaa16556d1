import { ExitCode, FrameworksError, checkPinned, loadRelease, type LoadReleaseOptions, type LoadedRelease, type ManifestSignatureState } from '@frameworks/sdk';
import { EDGE_SERVICES, imageRef, type EdgeService, type ImageSpec } from './image-ref.js';

export type { LoadedRelease } from '@frameworks/sdk';

/**
 * The edge's view of a release (the SDK's one format and loader): caddy (infrastructure), mistserver
 * (an external dependency) and helmsman (a service) must be in it. `--release-manifest FILE` reads one
 * manifest file; otherwise the release source (flag, context) or the built-in release.
 */
export async function loadEdgeRelease(opts: LoadReleaseOptions & { manifestFile?: string }): Promise<LoadedRelease> {
  const { manifestFile, ...rest } = opts;
  const release = await loadRelease(manifestFile ? { ...rest, source: manifestFile } : rest);
  const missing = EDGE_SERVICES.filter((s) => !release.images.some((i) => i.service === s));
  if (missing.length) {
    throw new FrameworksError(`Release ${release.version} (${release.origin.manifest}) has no image for ${missing.join(', ')}: an edge node needs ${EDGE_SERVICES.join(', ')}.`, {
      code: 'RELEASE_MISSING_SERVICE',
      exitCode: ExitCode.FAILED,
      suggestions: ['frameworks release show', `--image ${missing[0]}=<image>@sha256:…`],
    });
  }
  return release;
}

export interface ResolvedRelease {
  channel: string;
  version?: string;
  /** Where the release came from: "built-in", the manifest file or the source's manifest. */
  source: string;
  /** The image of each service after --image overrides. */
  images: Record<EdgeService, ImageSpec>;
  /** The reference written into the compose file for each service. */
  refs: Record<EdgeService, string>;
  /** Services whose image came from --image. */
  overridden: EdgeService[];
  /** Services whose reference has no digest (not pinned). */
  unpinned: EdgeService[];
  /** Services deployed by tag because of --allow-unpinned (the stack's files record them). */
  allowedUnpinned: EdgeService[];
  signature: ManifestSignatureState;
  /** The unpinned warning to show (built-in tags, --image tags or --allow-unpinned). */
  warning?: { code: string; message: string };
}

/**
 * Apply per-service overrides, then the pin gate: a published release (a source or a manifest file) whose
 * image has no digest is refused (RELEASE_UNPINNED) unless `allowUnpinned`; the built-in release and
 * --image tags are warned about (IMAGES_NOT_PINNED).
 */
export function resolveRelease(
  loaded: LoadedRelease,
  overrides: Partial<Record<EdgeService, ImageSpec>> = {},
  opts: { allowUnpinned?: boolean } = {},
): ResolvedRelease {
  const images = {} as Record<EdgeService, ImageSpec>;
  const refs = {} as Record<EdgeService, string>;
  const overridden: EdgeService[] = [];
  for (const svc of EDGE_SERVICES) {
    const o = overrides[svc];
    if (o) overridden.push(svc);
    const i = loaded.images.find((x) => x.service === svc)!;
    images[svc] = o ?? { image: i.image, ...(i.tag ? { tag: i.tag } : {}), ...(i.digest ? { digest: i.digest } : {}) };
    refs[svc] = imageRef(images[svc]);
  }
  const unpinned = EDGE_SERVICES.filter((s) => !images[s].digest);
  const fromRelease = EDGE_SERVICES.filter((s) => !overridden.includes(s));
  const builtIn = loaded.origin.kind === 'built-in';
  const gate = builtIn ? undefined : checkPinned(loaded, Boolean(opts.allowUnpinned), fromRelease);
  const allowedUnpinned = gate ? fromRelease.filter((s) => unpinned.includes(s)) : [];
  const others = unpinned.filter((s) => !allowedUnpinned.includes(s));
  const warning =
    gate ??
    (others.length
      ? {
          code: 'IMAGES_NOT_PINNED',
          message: `Not pinned to a digest: ${others.map((s) => refs[s]).join(', ')} (${builtIn && others.some((s) => !overridden.includes(s)) ? 'the built-in release has tags only; set a release source (--release-source, or frameworks context set <ctx> release.source …) to pin digests' : 'from --image'}).`,
        }
      : undefined);
  return {
    channel: loaded.channel ?? loaded.version,
    version: loaded.version,
    source: loaded.origin.manifest,
    images,
    refs,
    overridden,
    unpinned,
    allowedUnpinned,
    signature: loaded.signature.state,
    ...(warning ? { warning } : {}),
  };
}
