import { usageError } from '@frameworks/sdk';

/** The three containers of an edge node, in start order. */
export const EDGE_SERVICES = ['caddy', 'mistserver', 'helmsman'] as const;
export type EdgeService = (typeof EDGE_SERVICES)[number];

export function isEdgeService(name: string): name is EdgeService {
  return (EDGE_SERVICES as readonly string[]).includes(name);
}

/** One image of a release: repository, tag (always, it documents the version) and, when known, a digest. */
export interface ImageSpec {
  image: string;
  tag?: string;
  digest?: string;
}

// The Docker reference grammar (distribution/reference), as patterns for the schema and for --image.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
export const IMAGE_NAME_PATTERN = `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`;
export const IMAGE_TAG_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';
export const IMAGE_DIGEST_PATTERN = '^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$';

const NAME_RE = new RegExp(IMAGE_NAME_PATTERN);
const TAG_RE = new RegExp(IMAGE_TAG_PATTERN);
const DIGEST_RE = new RegExp(IMAGE_DIGEST_PATTERN);

/** The reference written into the compose file: `image@digest` whenever a digest is known, else `image:tag`. */
export function imageRef(spec: ImageSpec): string {
  if (spec.digest) return `${spec.image}@${spec.digest}`;
  if (spec.tag) return `${spec.image}:${spec.tag}`;
  throw new Error(`image ${spec.image} has neither tag nor digest`);
}

/** Parse `name[:tag][@digest]`; a tag or a digest is required (no implicit :latest). */
export function parseImageRef(ref: string): ImageSpec | string {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) return `"${digest}" is not a digest (sha256:<64 hex digits>)`;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return `"${tag}" is not a tag`;
  }
  if (!NAME_RE.test(rest)) return `"${rest}" is not an image name (lower-case path components, optional registry host[:port]/ prefix)`;
  if (!tag && !digest) return 'it has no tag or digest (pin one: name:tag or name@sha256:…)';
  return { image: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
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
