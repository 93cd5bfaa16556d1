import {
  imageRef,
  loadReleaseManifest as loadManifest,
  parseImageOverride,
  pickChannel,
  type ImageSpec,
  type LoadedManifest,
  type ReleaseManifest,
} from '@frameworks/sdk';
import type { Catalog } from './catalog.js';
import { canonicalName, unknownServiceError } from './selection.js';

/**
 * Image pinning, the same mechanism and the same release-manifest format as `edge init` (the SDK's
 * loader): a channel maps each service to image + tag + digest; the fragment gets `image@digest`
 * whenever a digest is known, else `image:tag`. --image SERVICE=REF overrides one service.
 */
export type { ImageSpec, ReleaseManifest } from '@frameworks/sdk';
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

export async function loadReleaseManifest(file: string): Promise<ReleaseManifest> {
  const loaded = await loadManifest(file, { codePrefix: 'SERVICES', fallbackHint: 'Or leave out --release-manifest to use the catalog images' });
  return loaded.manifest;
}

/** Every selected service's image: --image > manifest channel > catalog default. */
export function resolveImages(catalog: Catalog, services: string[], opts: { manifest?: ReleaseManifest; source?: string; channel: string; overrides?: Record<string, ImageSpec> }): ResolvedImages {
  const loaded: LoadedManifest | undefined = opts.manifest ? { manifest: opts.manifest, source: opts.source ?? 'manifest' } : undefined;
  const release = loaded ? pickChannel(loaded, opts.channel) : undefined;
  const refs: Record<string, string> = {};
  const overridden: string[] = [];
  const unpinned: string[] = [];
  for (const s of services) {
    const o = opts.overrides?.[s];
    if (o) overridden.push(s);
    const fromManifest = release && Object.hasOwn(release.images, s) ? release.images[s] : undefined;
    const spec: ImageSpec | string = o ?? fromManifest ?? catalog.services[s].image;
    refs[s] = typeof spec === 'string' ? spec : imageRef(spec);
    if (typeof spec === 'string' || !spec.digest) unpinned.push(s);
  }
  const version = release?.version ? { version: release.version } : {};
  return { channel: opts.channel, ...version, source: loaded ? loaded.source : 'catalog', refs, overridden, unpinned };
}
