import { parseImageOverride, usageError, type ImageSpec } from '@frameworks/sdk';

/** The three containers of an edge node, in start order. */
export const EDGE_SERVICES = ['caddy', 'mistserver', 'helmsman'] as const;
export type EdgeService = (typeof EDGE_SERVICES)[number];

export function isEdgeService(name: string): name is EdgeService {
  return (EDGE_SERVICES as readonly string[]).includes(name);
}

export { IMAGE_DIGEST_PATTERN, IMAGE_NAME_PATTERN, IMAGE_TAG_PATTERN, imageRef, parseImageRef, type ImageSpec } from '@frameworks/sdk';

/** `--image service=ref`, repeatable: per-service overrides for workspace builds, tests and `edge update --image`. */
export function parseImageOverrides(values: string[] | undefined): Partial<Record<EdgeService, ImageSpec>> {
  const out: Partial<Record<EdgeService, ImageSpec>> = {};
  const hint = [`Use --image <service>=<image>:<tag>, service one of ${EDGE_SERVICES.join(', ')} (e.g. --image mistserver=local/mistserver:1)`];
  for (const raw of values ?? []) {
    const { service, spec } = parseImageOverride(
      raw,
      hint,
      (name) => (isEdgeService(name) ? name : undefined),
      (name) => usageError(`--image ${JSON.stringify(raw)}: "${name}" is not an edge service.`, hint, 'INVALID_IMAGE'),
    );
    out[service as EdgeService] = spec;
  }
  return out;
}

