import { Flags } from '@oclif/core';
import { FrameworksCommand, loadVerifyKey, releaseLoadOptions, releaseSelectFlags, renderTable, type ReleaseFlagValues } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError, NO_TLOG_NOTE, usageError, type ContextConfig, type ImageVerification, type PinnedImage } from '@frameworks/sdk';

export default class ReleaseVerify extends FrameworksCommand<typeof ReleaseVerify> {
  static override summary = 'Verify the cosign signatures of images with a public key, offline.';
  static override description = `Verify the cosign signature of every image: signed by the key, in which format, for exactly this digest.

Both formats cosign writes are read from the registry: the classic sha256-<hex>.sig tag (simple-signing payload, signature in the layer annotation) and the Sigstore bundle (OCI referrers API, or its sha256-<hex> tag fallback). The check runs here, with node's crypto: no cosign binary, no network beyond the registry, and no transparency log (airgapped sites have none) — the equivalent of cosign verify --key k.pub --insecure-ignore-tlog.

The key: --key, else the context's release.public_key. A failure is exit 1 with the first failing image's code: SIGNATURE_MISSING (none), SIGNATURE_INVALID (another key, or tampered), DIGEST_MISMATCH (a signature by the key for another digest). An unreachable registry is exit 6.`;

  static override examples = [
    {
      description: 'Verify one image pinned by digest',
      command: '<%= config.bin %> release verify --key cosign.pub --image registry.example.com/edge/helmsman@sha256:<digest>',
    },
    {
      description: 'Verify every image of the stable channel of the release source, as JSON',
      command: '<%= config.bin %> release verify --key cosign.pub --release-source ./releases --channel stable --json',
    },
  ];

  static override flags = {
    image: Flags.string({
      multiple: true,
      description: 'Image to verify: NAME@sha256:… (a NAME:TAG is resolved to its digest first). Repeatable or comma-separated.',
    }),
    ...releaseSelectFlags,
    manifest: Flags.string({ helpGroup: 'RELEASE', aliases: ['release-manifest'], description: 'One release manifest file (the release source format) instead of a release source.' }),
    key: Flags.string({ description: "Public key (PEM, cosign.pub); default: the context's release.public_key." }),
    'insecure-registry': Flags.string({ multiple: true, description: 'Registry (host:port) to reach over plain HTTP besides loopback. Repeatable.' }),
  };

  async run() {
    const f = this.flags;
    const { imagesFromFlags, registryOptions } = await import('../../lib/images.js');
    const images: PinnedImage[] = [...imagesFromFlags(f.image ?? [], '--image')];
    const ctx = await this.context().catch(() => undefined);
    // The release's images: one named by flags, else the context's release source (not with --image alone).
    const named = f.manifest ?? f['release-source'] ?? f.channel ?? f.version ?? (images.length ? undefined : ctx?.config.release?.source);
    if (named !== undefined) images.push(...(await releaseImagesOf(f, ctx?.config, this.config.version)));
    if (images.length === 0) {
      const hint = 'frameworks release verify --key cosign.pub --image <name>@sha256:<digest>';
      throw usageError('Nothing to verify: give --image, --channel/--version of a release source, or set release.source in the context.', [
        hint, 'frameworks context set <ctx> release.source ./releases',
      ], 'NOTHING_TO_VERIFY');
    }
    const loaded = await loadVerifyKey(f.key, ctx?.config, ctx?.name);
    if (!loaded) {
      const hints = ['frameworks release verify --key ./cosign.pub …', 'frameworks context set <ctx> release.public_key ./cosign.pub'];
      throw usageError('No public key to verify with.', hints, 'RELEASE_KEY_MISSING');
    }
    const { verifyImages } = await import('@frameworks/sdk');
    const results = await verifyImages(dedupe(images), loaded.key, registryOptions(f['insecure-registry']));
    const failed = results.filter((r) => !r.signed);
    const result = { verified: failed.length === 0, key_fingerprint: loaded.key.fingerprint, transparency_log: 'not consulted' as const, images: results };
    if (!this.jsonEnabled()) this.printTable(results, loaded.key.fingerprint);
    this.info(NO_TLOG_NOTE);
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new FrameworksError(
        `${failed.length} of ${results.length} image(s) failed verification: ` +
          `${failed.map((r) => `${r.image}@${r.digest} (${r.code}: ${r.reason})`).join('; ')}.`,
        {
          code: first.code!, exitCode: ExitCode.FAILED, name: 'SignatureError', result,
          suggestions: [
            `cosign verify --key <key.pub> --insecure-ignore-tlog ${first.image}@${first.digest}`,
            `cosign sign --key cosign.key ${first.image}@${first.digest}`,
          ],
        },
      );
    }
    return result;
  }

  private printTable(rows: ImageVerification[], fingerprint: string): void {
    this.out(
      renderTable(rows, [
        { header: 'image', get: (r) => r.image, id: true },
        { header: 'digest', get: (r) => `${r.digest.slice(0, 19)}…` },
        { header: 'signed', get: (r) => (r.signed ? '✓' : `✗ ${r.code}`) },
        { header: 'format', get: (r) => r.format ?? '-' },
        { header: 'key', get: (r) => r.key_fingerprint ?? '-' },
        { header: 'digest matched', get: (r) => (r.digest_matched ? '✓' : '✗') },
      ]),
    );
    this.info(`Key ${fingerprint}.`);
  }
}

function dedupe(images: PinnedImage[]): PinnedImage[] {
  const seen = new Set<string>();
  return images.filter((i) => {
    const k = `${i.image}@${i.digest ?? i.tag}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The images of one release (the manifest's own signature is checked by the loader when a key is set). */
async function releaseImagesOf(f: ReleaseFlagValues & { manifest?: string }, ctx: ContextConfig | undefined, cliVersion: string): Promise<PinnedImage[]> {
  const { loadRelease } = await import('@frameworks/sdk');
  const opts = releaseLoadOptions(f, ctx, cliVersion);
  const release = await loadRelease(f.manifest ? { ...opts, source: f.manifest } : opts);
  return release.images.map(({ service, image, digest, tag }) => ({ service, image, ...(digest ? { digest } : {}), ...(tag ? { tag } : {}) }));
}
