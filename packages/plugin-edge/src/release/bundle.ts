import type { HostContext, LoadedRelease } from '@frameworks/sdk';
import type { BundleManifest, VerifiedBundle } from '@frameworks/sdk/bundle';

/** `edge init --bundle FILE`: the release the bundle carries, pointed at the local tags `bundle load` gives its images. */
export interface BundleRelease {
  file: string;
  manifest: BundleManifest;
  /** The bundle's release with every image at its local tag (no digest: `load` checked the image ids). */
  loaded: LoadedRelease;
  channel: string;
  /** Loads the bundle on the host unless its tags are there with the expected image ids; true when it loaded. */
  ensureLoaded(h: HostContext): Promise<boolean>;
}

export async function bundleRelease(file: string, fallbackChannel = 'stable'): Promise<BundleRelease> {
  const { readBundle, verifyBundle, loadBundle, bundleLoadedOn, bundleMappingDir } = await import('@frameworks/sdk/bundle');
  const { parseImageRef, usageError } = await import('@frameworks/sdk');
  const { EDGE_SERVICES } = await import('./image-ref.js');
  const b = await readBundle(file);
  const m = b.manifest;
  const missing = EDGE_SERVICES.filter((s) => !m.images.some((i) => i.service === s));
  if (missing.length) throw usageError(`${file} holds no image for ${missing.join(', ')} (scope ${m.scope}): it is not an edge bundle.`, ['frameworks bundle create --scope edge …'], 'EDGE_BUNDLE_INCOMPLETE');
  const channel = m.release.channel ?? fallbackChannel;
  const images = m.images
    .filter((i) => (EDGE_SERVICES as readonly string[]).includes(i.service))
    .map((i) => {
      const spec = parseImageRef(i.local_tag);
      return { service: i.service, list: 'services' as const, ...(typeof spec === 'string' ? { image: i.image, tag: 'invalid' } : spec) };
    });
  const where = `bundle ${file}`;
  const loaded: LoadedRelease = {
    manifest: { platform_version: m.release.version, services: [] } as unknown as LoadedRelease['manifest'],
    images,
    version: m.release.version,
    channel,
    pointer: null,
    origin: { kind: 'file', spec: file, source: where, manifest: where, offline: null },
    signature: { state: 'not-checked', key: null, file: null },
    unpinned: [],
    text: '',
    signature_text: null,
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
