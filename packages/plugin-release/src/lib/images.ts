import { parseImageRef, usageError, type PinnedImage } from '@frameworks/sdk';

/** --image / <image> values: name@sha256:… (or name:tag, resolved to its digest by the registry). Exit 2 on a malformed one. */
export function imagesFromFlags(refs: readonly string[], flag: string): PinnedImage[] {
  return refs.flatMap((r) => r.split(',')).map((raw) => {
    const ref = raw.trim();
    const spec = parseImageRef(ref);
    if (typeof spec === 'string') throw usageError(`${flag} ${ref}: ${spec}.`, [`${flag} 127.0.0.1:5000/edge/caddy@sha256:<64 hex>`], 'INVALID_IMAGE');
    const service = spec.image.split('/').pop() ?? spec.image;
    return { service, ...spec };
  });
}

/** The loopback/insecure registry list for the client, from --insecure-registry. */
export function registryOptions(insecure: readonly string[] | undefined): { insecure: string[] } {
  return { insecure: (insecure ?? []).flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean) };
}
