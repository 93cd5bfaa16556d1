import { Flags } from '@oclif/core';
import { FrameworksCommand, loadVerifyKey, renderTable } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError, NO_TLOG_NOTE, usageError, type ImageVerification, type PinnedImage } from '@frameworks/sdk';

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
      description: 'Verify every image of a channel in a release manifest, as JSON',
      command: '<%= config.bin %> release verify --key cosign.pub --manifest release.yaml --channel stable --json',
    },
  ];

  static override flags = {
    image: Flags.string({
      multiple: true,
      description: 'Image to verify: NAME@sha256:… (a NAME:TAG is resolved to its digest first). Repeatable or comma-separated.',
    }),
    manifest: Flags.string({ description: 'Release manifest file: verify the images of --channel (every channel when none is given).' }),
    channel: Flags.string({ dependsOn: ['manifest'], description: 'With --manifest: only this channel.' }),
    key: Flags.string({ description: "Public key (PEM, cosign.pub); default: the context's release.public_key." }),
    'insecure-registry': Flags.string({ multiple: true, description: 'Registry (host:port) to reach over plain HTTP besides loopback. Repeatable.' }),
  };

  async run() {
    const f = this.flags;
    const { imagesFromFlags, registryOptions } = await import('../../lib/images.js');
    const images: PinnedImage[] = [...imagesFromFlags(f.image ?? [], '--image')];
    if (f.manifest) images.push(...(await manifestImages(f.manifest, f.channel)));
    if (images.length === 0) {
      const hint = 'frameworks release verify --key cosign.pub --image <name>@sha256:<digest>';
      throw usageError('Nothing to verify: give --image or --manifest.', [hint], 'NOTHING_TO_VERIFY');
    }
    // The context (config file, schema) is read only when --key does not name the key.
    const ctx = f.key ? undefined : await this.context().catch(() => undefined);
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

/** The images of the release manifest format in the SDK (one channel, or all of them). */
async function manifestImages(file: string, channel: string | undefined): Promise<PinnedImage[]> {
  const { loadReleaseManifest, pickChannel } = await import('@frameworks/sdk');
  const loaded = await loadReleaseManifest(file, { codePrefix: 'VERIFY', fallbackHint: 'Or verify single images with --image' });
  const channels = channel ? { [channel]: pickChannel(loaded, channel) } : loaded.manifest.channels;
  return Object.values(channels).flatMap((ch) => Object.entries(ch.images).map(([service, spec]) => ({ service, ...spec })));
}
