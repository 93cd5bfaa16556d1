/**
 * Container image references, shared by every plugin that pins images from a release manifest
 * (edge, services): the Docker reference grammar (distribution/reference) and a parser.
 */
export interface ImageSpec {
  image: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
export const IMAGE_NAME_PATTERN = `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`;
export const IMAGE_TAG_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';
export const IMAGE_DIGEST_PATTERN = '^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$';

const NAME_RE = new RegExp(IMAGE_NAME_PATTERN);
const TAG_RE = new RegExp(IMAGE_TAG_PATTERN);
const DIGEST_RE = new RegExp(IMAGE_DIGEST_PATTERN);

/** Parse `name[:tag][@digest]`; a tag or a digest is required (no implicit :latest). Returns the problem as a string. */
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

/** A tag `frameworks workspace build … --image` made (`frameworks-helmsman:<tag>`): in this engine only, never in a registry. */
export function isWorkspaceLocalImage(ref: string): boolean {
  return /^frameworks-(helmsman|mistserver):[\w.-]+$/.test(ref);
}
