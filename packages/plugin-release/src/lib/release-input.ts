import { readFile } from 'node:fs/promises';
import { loadReleaseManifest, pickChannel, tildify, usageError, type PinnedImage } from '@frameworks/sdk';

/** What a bundle is made of: the release's pinned images, the release file's bytes and its detached signature. */
export interface BundleRelease {
  images: PinnedImage[];
  version?: string;
  channel?: string;
  bytes: Buffer;
  signature?: string;
  source: string;
}

/**
 * THE ADAPTER TO SWITCH AT MERGE: reads today's release manifest (`--release-manifest` + `--channel`,
 * the format of @frameworks/sdk release/manifest.ts). With the release-source loader, resolve
 * `--channel`/`--version` through it instead and return the same shape (PinnedImage[], the
 * releases/<version>.yaml bytes and its .sig). Nothing else in the bundle commands reads manifests.
 */
export async function releaseForBundle(opts: { manifestFile?: string; channel?: string; version?: string }): Promise<BundleRelease> {
  if (!opts.manifestFile) {
    throw usageError('bundle create needs a release manifest with digests (the built-in one pins tags only).', [
      'frameworks bundle create --channel stable --release-manifest release.yaml -o bundle.tar',
    ], 'BUNDLE_RELEASE_REQUIRED');
  }
  const loaded = await loadReleaseManifest(opts.manifestFile, { codePrefix: 'BUNDLE', fallbackHint: 'Or pass another file with --release-manifest' });
  let channel = opts.channel;
  if (opts.version && !channel) {
    channel = Object.keys(loaded.manifest.channels).find((c) => loaded.manifest.channels[c].version === opts.version);
    if (!channel) {
      const known = Object.values(loaded.manifest.channels).flatMap((c) => (c.version ? [c.version] : []));
      throw usageError(`No channel of ${tildify(opts.manifestFile)} is release ${opts.version} (it has ${known.join(', ') || 'no versioned channel'}).`, known.map((v) => `--version ${v}`), 'BUNDLE_UNKNOWN_VERSION');
    }
  }
  const release = pickChannel(loaded, channel ?? 'stable');
  const images = Object.entries(release.images).map(([service, spec]) => ({ service, image: spec.image, ...(spec.digest ? { digest: spec.digest } : {}), ...(spec.tag ? { tag: spec.tag } : {}) }));
  const bytes = await readFile(opts.manifestFile);
  const signature = await readFile(`${opts.manifestFile}.sig`, 'utf8').catch(() => undefined);
  return { images, ...(release.version ? { version: release.version } : {}), channel: channel ?? 'stable', bytes, ...(signature ? { signature } : {}), source: opts.manifestFile };
}
