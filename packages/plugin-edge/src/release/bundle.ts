import type { HostContext, LoadedManifest } from '@frameworks/sdk';
import type { BundleManifest, VerifiedBundle } from '@frameworks/sdk/bundle';

/** `edge init --bundle FILE`: the release the bundle carries, pointed at the local tags `bundle load` gives its images. */
export interface BundleRelease {
  file: string;
  manifest: BundleManifest;
  /** A release manifest (today's format) whose channel names the local tags: resolveRelease works on it unchanged. */
  loaded: LoadedManifest;
  channel: string;
  /** Loads the bundle on the host unless its tags are there with the expected image ids; true when it loaded. */
  ensureLoaded(h: HostContext): Promise<boolean>;
}

export async function bundleRelease(file: string, fallbackChannel: string): Promise<BundleRelease> {
  const { readBundle, verifyBundle, loadBundle, bundleLoadedOn, bundleMappingDir } = await import('@frameworks/sdk/bundle');
  const { parseImageRef, usageError } = await import('@frameworks/sdk');
  const { EDGE_SERVICES } = await import('./image-ref.js');
  const b = await readBundle(file);
  const m = b.manifest;
  const missing = EDGE_SERVICES.filter((s) => !m.images.some((i) => i.service === s));
  if (missing.length) throw usageError(`${file} holds no image for ${missing.join(', ')} (scope ${m.scope}): it is not an edge bundle.`, ['frameworks bundle create --scope edge …'], 'EDGE_BUNDLE_INCOMPLETE');
  const channel = m.release.channel ?? fallbackChannel;
  const images = Object.fromEntries(
    m.images.filter((i) => (EDGE_SERVICES as readonly string[]).includes(i.service)).map((i) => {
      const spec = parseImageRef(i.local_tag);
      return [i.service, typeof spec === 'string' ? { image: i.image, tag: 'invalid' } : spec];
    }),
  );
  const loaded: LoadedManifest = {
    manifest: { schema_version: 1, channels: { [channel]: { version: m.release.version, images } } },
    source: `bundle ${file}`,
  };
  let verified: Promise<VerifiedBundle> | undefined;
  return {
    file,
    manifest: m,
    loaded,
    channel,
    async ensureLoaded(h) {
      if (await bundleLoadedOn(h.executor, m)) return false;
      verified ??= verifyBundle(file);
      const v = await verified;
      await loadBundle({ executor: h.executor, file, manifest: v.manifest, entries: v.entries, mappingDir: await bundleMappingDir(h) });
      return true;
    },
  };
}
