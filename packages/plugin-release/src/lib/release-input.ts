import type { ContextConfig, PinnedImage } from '@frameworks/sdk';

/** What a bundle is made of: the release's pinned images, the release file's bytes and its detached signature. */
export interface BundleRelease {
  images: PinnedImage[];
  version?: string;
  channel?: string;
  bytes: Buffer;
  signature?: string;
  source: string;
}

export interface BundleReleaseFlags {
  'release-manifest'?: string;
  'release-source'?: string;
  channel?: string;
  version?: string;
  key?: string;
}

/**
 * The release a bundle carries, through the one release loader (flag > the context's release.source; the manifest's
 * signature checked when a key is set). The built-in release pins tags only: a bundle needs digests.
 */
export async function releaseForBundle(f: BundleReleaseFlags, ctx: ContextConfig | undefined, cliVersion: string): Promise<BundleRelease> {
  const { loadRelease, usageError } = await import('@frameworks/sdk');
  const { releaseLoadOptions } = await import('@frameworks/cli-kit');
  const opts = releaseLoadOptions(f, ctx, cliVersion);
  const r = await loadRelease(f['release-manifest'] ? { ...opts, source: f['release-manifest'] } : opts);
  if (r.origin.kind === 'built-in') {
    throw usageError('bundle create needs a published release with digests (the built-in one pins tags only).', [
      'frameworks bundle create --channel stable --release-source ./releases -o bundle.tar',
      'frameworks context set <ctx> release.source https://…',
    ], 'BUNDLE_RELEASE_REQUIRED');
  }
  const images = r.images.map(({ service, image, digest, tag }) => ({ service, image, ...(digest ? { digest } : {}), ...(tag ? { tag } : {}) }));
  return {
    images,
    version: r.version,
    ...(r.channel ? { channel: r.channel } : {}),
    bytes: Buffer.from(r.text, 'utf8'),
    ...(r.signature_text ? { signature: r.signature_text } : {}),
    source: r.origin.source,
  };
}
