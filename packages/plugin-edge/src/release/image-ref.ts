import { parseImageRef, usageError, type ImageSpec } from '@frameworks/sdk';

/** The three containers of an edge node, in start order. */
export const EDGE_SERVICES = ['caddy', 'mistserver', 'helmsman'] as const;
export type EdgeService = (typeof EDGE_SERVICES)[number];

export function isEdgeService(name: string): name is EdgeService {
  return (EDGE_SERVICES as readonly string[]).includes(name);
}

export { IMAGE_DIGEST_PATTERN, IMAGE_NAME_PATTERN, IMAGE_TAG_PATTERN, parseImageRef, type ImageSpec } from '@frameworks/sdk';

/** The reference written into the compose file: `image@digest` whenever a digest is known, else `image:tag`. */
export function imageRef(spec: ImageSpec): string {
  if (spec.digest) return `${spec.image}@${spec.digest}`;
  if (spec.tag) return `${spec.image}:${spec.tag}`;
  throw new Error(`image ${spec.image} has neither tag nor digest`);
}

/** `--image service=ref`, repeatable: per-service overrides for workspace builds and tests. */
export function parseImageOverrides(values: string[] | undefined): Partial<Record<EdgeService, ImageSpec>> {
  const out: Partial<Record<EdgeService, ImageSpec>> = {};
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    const service = eq > 0 ? raw.slice(0, eq) : '';
    const ref = eq > 0 ? raw.slice(eq + 1) : '';
    const hint = [`Use --image <service>=<image>:<tag>, service one of ${EDGE_SERVICES.join(', ')} (e.g. --image mistserver=local/mistserver:1)`];
    if (!isEdgeService(service)) {
      throw usageError(`--image ${JSON.stringify(raw)}: ${service ? `"${service}" is not an edge service` : 'expected <service>=<image reference>'}.`, hint, 'INVALID_IMAGE');
    }
    const parsed = parseImageRef(ref);
    if (typeof parsed === 'string') throw usageError(`--image ${JSON.stringify(raw)}: ${parsed}.`, hint, 'INVALID_IMAGE');
    out[service] = parsed;
  }
  return out;
}
