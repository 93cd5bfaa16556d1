/**
 * What every consumer of a release (verification, bundles, edge and services pins) works on: one image per
 * service, pinned by digest. The release loader produces these; nothing else parses manifests.
 */
export interface PinnedImage {
  /** The service's name in the release manifest (helmsman, caddy, mistserver, quartermaster, …). */
  service: string;
  /** Repository without tag or digest, e.g. 127.0.0.1:5000/edge/helmsman or livepeerframeworks/helmsman. */
  image: string;
  /** sha256:<64 hex>. Absent only for an entry deployed with --allow-unpinned. */
  digest?: string;
  tag?: string;
}

/** image@digest when pinned, image:tag otherwise (the reference a stack file carries). */
export function pinnedRef(p: PinnedImage): string {
  if (p.digest) return `${p.image}@${p.digest}`;
  return p.tag ? `${p.image}:${p.tag}` : p.image;
}

/** Signature outcomes named by the issue: the stable codes every verifier and gate uses. */
export const SignatureCode = {
  INVALID: 'SIGNATURE_INVALID',
  MISSING: 'SIGNATURE_MISSING',
  DIGEST_MISMATCH: 'DIGEST_MISMATCH',
} as const;
