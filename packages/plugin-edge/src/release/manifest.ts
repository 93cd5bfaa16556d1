import {
  loadReleaseManifest as loadManifest,
  pickChannel,
  validateReleaseManifest,
  type LoadedManifest,
  type ManifestRules,
  type ReleaseManifest,
} from '@frameworks/sdk';
import { EDGE_SERVICES, imageRef, type EdgeService, type ImageSpec } from './image-ref.js';

export type { LoadedManifest, ReleaseManifest } from '@frameworks/sdk';

/** What an edge release manifest must hold: the three services, nothing else (the format itself is the SDK's). */
export const EDGE_MANIFEST_RULES: ManifestRules = {
  codePrefix: 'EDGE',
  required: EDGE_SERVICES,
  known: EDGE_SERVICES,
  fallbackHint: 'Or leave out --release-manifest to use the built-in manifest (channels stable and canary)',
};

/**
 * The manifest compiled into the CLI. The release pipeline publishes the real one (with digests)
 * and pins it here at release time; until then the entries carry tags only, which `edge init`
 * reports as a warning (IMAGES_NOT_PINNED). caddy is the official image; mistserver and helmsman
 * are FrameWorks' images.
 */
export const BUILTIN_MANIFEST: ReleaseManifest = {
  schema_version: 1,
  channels: {
    stable: {
      images: {
        caddy: { image: 'caddy', tag: '2.10.0' },
        mistserver: { image: 'livepeerframeworks/mistserver', tag: 'stable' },
        helmsman: { image: 'livepeerframeworks/helmsman', tag: 'stable' },
      },
    },
    canary: {
      images: {
        caddy: { image: 'caddy', tag: '2.10.0' },
        mistserver: { image: 'livepeerframeworks/mistserver', tag: 'canary' },
        helmsman: { image: 'livepeerframeworks/helmsman', tag: 'canary' },
      },
    },
  },
};

export const loadReleaseManifest = (file: string): Promise<LoadedManifest> => loadManifest(file, EDGE_MANIFEST_RULES);
export const validateManifest = (doc: unknown, file: string): Promise<ReleaseManifest> => validateReleaseManifest(doc, file, EDGE_MANIFEST_RULES);
export const builtinManifest = (): LoadedManifest => ({ manifest: BUILTIN_MANIFEST, source: 'built-in' });

export interface ResolvedRelease {
  channel: string;
  version?: string;
  /** Where the release came from: "built-in" or the manifest file. */
  source: string;
  /** The image of each service after --image overrides. */
  images: Record<EdgeService, ImageSpec>;
  /** The reference written into the compose file for each service. */
  refs: Record<EdgeService, string>;
  /** Services whose image came from --image. */
  overridden: EdgeService[];
  /** Services whose reference has no digest (not pinned). */
  unpinned: EdgeService[];
}

/** Pick a channel (unknown → exit 2 naming the known ones) and apply per-service overrides. */
export function resolveRelease(loaded: LoadedManifest, channel: string, overrides: Partial<Record<EdgeService, ImageSpec>> = {}): ResolvedRelease {
  const release = pickChannel(loaded, channel);
  const images = {} as Record<EdgeService, ImageSpec>;
  const refs = {} as Record<EdgeService, string>;
  const overridden: EdgeService[] = [];
  for (const svc of EDGE_SERVICES) {
    const o = overrides[svc];
    if (o) overridden.push(svc);
    images[svc] = o ?? release.images[svc];
    refs[svc] = imageRef(images[svc]);
  }
  return {
    channel,
    ...(release.version ? { version: release.version } : {}),
    source: loaded.source,
    images,
    refs,
    overridden,
    unpinned: EDGE_SERVICES.filter((s) => !images[s].digest),
  };
}
