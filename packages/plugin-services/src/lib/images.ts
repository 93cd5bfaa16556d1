import { checkPinned, imageRef, loadRelease, parseImageOverride, type ImageSpec, type LoadReleaseOptions, type LoadedRelease } from '@frameworks/sdk';
import type { Catalog } from './catalog.js';
import { canonicalName, unknownServiceError } from './selection.js';

/**
 * Image pinning, the same mechanism and the same release format as `edge init` (the SDK's loader): each
 * service of the release gives image + digest (+ tag); the fragment gets `image@digest`. Services the
 * release does not name keep the catalog image (warned). --image SERVICE=REF overrides one service.
 */
export type { ImageSpec } from '@frameworks/sdk';
export { imageRef, parseImageRef } from '@frameworks/sdk';

export interface ResolvedImages {
  channel: string;
  version?: string;
  /** "catalog" (no manifest given) or the manifest file. */
  source: string;
  /** service → reference written into its fragment. */
  refs: Record<string, string>;
  overridden: string[];
  /** Services whose reference carries no digest. */
  unpinned: string[];
  /** Release services deployed by tag because of --allow-unpinned. */
  allowedUnpinned: string[];
  /** The RELEASE_UNPINNED gate's warning (--allow-unpinned). */
  warning?: { code: string; message: string };
}

const HINT = ['e.g. --image quartermaster=ghcr.io/acme/quartermaster:v1'];

/** `--image service=ref`, repeatable. Unknown service → exit 2 with the list. */
export function parseImageOverrides(catalog: Catalog, values: string[] | undefined): Record<string, ImageSpec> {
  const out: Record<string, ImageSpec> = {};
  for (const raw of values ?? []) {
    const { service, spec } = parseImageOverride(
      raw,
      HINT,
      (name) => {
        const s = canonicalName(catalog, name);
        return Object.hasOwn(catalog.services, s) ? s : undefined;
      },
      (name) => unknownServiceError(catalog, [name], '--image'),
    );
    out[service] = spec;
  }
  return out;
}

/** A release file (--release-manifest) or a source's release. */
export function loadServicesRelease(opts: LoadReleaseOptions & { manifestFile?: string }): Promise<LoadedRelease> {
  const { manifestFile, ...rest } = opts;
  return loadRelease(manifestFile ? { ...rest, source: manifestFile } : rest);
}

/** Every selected service's image: --image > release > catalog default. */
export function resolveImages(
  catalog: Catalog,
  services: string[],
  opts: { release?: LoadedRelease; overrides?: Record<string, ImageSpec>; allowUnpinned?: boolean },
): ResolvedImages {
  const release = opts.release;
  const refs: Record<string, string> = {};
  const overridden: string[] = [];
  const unpinned: string[] = [];
  const fromRelease: string[] = [];
  for (const s of services) {
    const o = opts.overrides?.[s];
    if (o) overridden.push(s);
    const r = release?.images.find((i) => i.service === s);
    if (r && !o) fromRelease.push(s);
    const spec: ImageSpec | string = o ?? (r ? { image: r.image, ...(r.tag ? { tag: r.tag } : {}), ...(r.digest ? { digest: r.digest } : {}) } : catalog.services[s].image);
    refs[s] = typeof spec === 'string' ? spec : imageRef(spec);
    if (typeof spec === 'string' || !spec.digest) unpinned.push(s);
  }
  const warning = release && release.origin.kind !== 'built-in' ? checkPinned(release, Boolean(opts.allowUnpinned), fromRelease) : undefined;
  const allowedUnpinned = warning ? fromRelease.filter((s) => unpinned.includes(s)) : [];
  return {
    channel: release?.channel ?? release?.version ?? 'catalog',
    ...(release ? { version: release.version } : {}),
    source: release ? release.origin.manifest : 'catalog',
    refs,
    overridden,
    unpinned,
    allowedUnpinned,
    ...(warning ? { warning } : {}),
  };
}
