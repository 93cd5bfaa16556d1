import { Args } from '@oclif/core';
import { FrameworksCommand, releaseKeyFlag, releaseNotices, releaseSelectFlags, renderTable } from '@frameworks/cli-kit';

export default class ReleaseShow extends FrameworksCommand<typeof ReleaseShow> {
  static override summary = 'Show one release: its images, digests and signature state.';
  static override description = `The release a channel points at (--channel, default stable) or a version, from the release source: every image (services, infrastructure, external dependencies, interfaces) with its version, image and digest, and the manifest's signature state.

With a public key (--key, or the context's release.public_key) the manifest's detached signature (<manifest>.sig, made with cosign sign-blob) must verify: a missing one is SIGNATURE_MISSING, a bad one (the manifest changed after signing, or another key) SIGNATURE_INVALID, both exit 1. No transparency log is consulted. Image signatures are checked by frameworks release verify.`;
  static override examples = [
    { description: 'The release the stable channel points at', command: '<%= config.bin %> release show' },
    { description: 'One release by version, its signature checked with a key', command: '<%= config.bin %> release show v0.1.0-rc2 --key cosign.pub' },
    { description: 'The canary channel of a source, as JSON', command: '<%= config.bin %> release show --channel canary --release-source ./releases --json' },
  ];
  static override args = {
    version: Args.string({ description: 'Release version (releases/<version>.yaml); default: the release --channel points at.' }),
  };
  static override flags = {
    channel: releaseSelectFlags.channel,
    'release-source': releaseSelectFlags['release-source'],
    ...releaseKeyFlag,
  };

  async run() {
    const { loadRelease } = await import('@frameworks/sdk');
    const { commandLoadOptions } = await import('../../lib/load.js');
    const { describeOrigin, describeSignature, originJson, shortDigest, signatureJson } = await import('../../lib/render.js');
    const ctx = await this.context();
    const opts = commandLoadOptions({ ...this.flags, ...(this.args.version ? { version: this.args.version } : {}) }, ctx.config, this.config.version, await this.dialer());
    const r = await loadRelease(opts);
    for (const w of releaseNotices(r)) this.warning(w.message, w.code);
    const images = r.images.map((i) => ({
      name: i.service,
      kind: i.list,
      version: i.version ?? null,
      image: i.image,
      tag: i.tag ?? null,
      digest: i.digest ?? null,
      ref: i.digest ? `${i.image}@${i.digest}` : `${i.image}:${i.tag ?? 'latest'}`,
      signature: 'not-checked' as const,
    }));
    if (!this.jsonEnabled()) {
      const m = r.manifest;
      this.info(`Release ${r.version}${r.channel ? ` (channel ${r.channel})` : ''}, ${m.release_date}, commit ${m.git_commit.slice(0, 12)}`);
      if (m.min_cli_version) this.info(`Needs frameworks ${m.min_cli_version} or newer`);
      this.info(`Source: ${describeOrigin(r.origin)}`);
      this.info(`Manifest: ${r.origin.manifest}`);
      this.info(`Manifest signature: ${describeSignature(r.signature)}`);
      this.out(
        renderTable(images, [
          { header: 'name', get: (i) => i.name, id: true },
          { header: 'version', get: (i) => i.version ?? '-' },
          { header: 'image', get: (i) => (i.tag ? `${i.image}:${i.tag}` : i.image) },
          { header: 'digest', get: (i) => shortDigest(i.digest), keep: true },
          { header: 'kind', get: (i) => i.kind.replace('external_dependencies', 'external'), optional: true },
        ]),
      );
      this.info('Image signatures: not checked (run frameworks release verify).');
      const unpinned = images.filter((i) => !i.digest).map((i) => i.name);
      const needs = r.origin.kind === 'built-in' ? 'the built-in release has tags only; set a release source to pin digests' : 'deploying this release needs --allow-unpinned';
      if (unpinned.length) this.warning(`No digest for ${unpinned.join(', ')}: ${needs}.`, 'IMAGES_NOT_PINNED');
      this.next(`frameworks release verify --version ${r.version}`);
    }
    return {
      version: r.version,
      channel: r.channel,
      git_commit: r.manifest.git_commit,
      release_date: r.manifest.release_date,
      min_cli_version: r.manifest.min_cli_version ?? null,
      pointer: r.pointer ? { platform_version: r.pointer.platform_version, manifest: r.pointer.manifest, updated_at: r.pointer.updated_at ?? null } : null,
      source: originJson(r),
      manifest_signature: signatureJson(r.signature),
      images,
      native_binaries: (r.manifest.native_binaries ?? []).map((b) => ({ name: b.name, version: b.version ?? null })),
    };
  }
}
