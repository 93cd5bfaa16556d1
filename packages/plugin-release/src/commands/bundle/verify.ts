import { Args, Flags } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';

export default class BundleVerify extends FrameworksCommand<typeof BundleVerify> {
  static override summary = 'Check every checksum of a bundle, and its signature with --key.';
  static override description = `Check an offline bundle with nothing but the file (and a public key): every member's sha256 and size against manifest.json, no member missing or added, and with --key the signature of manifest.json (manifest.json.sig, ECDSA as cosign sign-blob; no transparency log, as an airgapped site has none).

A damaged or changed member is named (exit 1, BUNDLE_CHECKSUM_MISMATCH); a truncated file is BUNDLE_TRUNCATED; with --key, an unsigned bundle is SIGNATURE_MISSING and a bad signature SIGNATURE_INVALID.`;

  static override examples = [
    { description: 'Check every checksum', command: '<%= config.bin %> bundle verify edge-stable.tar' },
    { description: 'Check the checksums and the signature', command: '<%= config.bin %> bundle verify edge-stable.tar --key cosign.pub' },
  ];

  static override args = { file: Args.string({ required: true, description: 'The bundle file.' }) };
  static override flags = { key: Flags.string({ description: 'Public key (PEM, e.g. cosign.pub) manifest.json.sig must verify with.' }) };

  async run() {
    const { verifyBundle } = await import('@frameworks/sdk/bundle');
    const { readPublicKey } = await import('../../lib/key.js');
    const { humanBytes, bytesPerSecond } = await import('../../lib/bytes.js');
    const key = this.flags.key ? await readPublicKey(this.flags.key) : undefined;
    const started = performance.now();
    const v = await verifyBundle(this.args.file, key ? { key } : {});
    const ms = Math.round(performance.now() - started);
    const sig = v.signatureState;
    if (!this.jsonEnabled()) {
      this.success(`${v.manifest.members.length} members match manifest.json (${humanBytes(v.bytesHashed)} hashed in ${(ms / 1000).toFixed(1)} s).`);
      if (sig.verified) this.success(`manifest.json is signed by key ${sig.key_fingerprint} (no transparency log: checked with the key alone).`);
      else if (sig.present) this.warning('manifest.json is signed, but no --key was given: the signature was not checked.', 'BUNDLE_SIGNATURE_NOT_CHECKED');
      else this.warning('manifest.json is not signed: the checksums prove the file is intact, not who made it.', 'BUNDLE_UNSIGNED');
      this.next(`frameworks bundle load ${this.args.file} --ssh <host>`);
    } else if (!sig.verified) {
      this.warning(sig.present ? 'manifest.json is signed, but no --key was given: the signature was not checked.' : 'manifest.json is not signed.', sig.present ? 'BUNDLE_SIGNATURE_NOT_CHECKED' : 'BUNDLE_UNSIGNED');
    }
    return {
      file: this.args.file,
      ok: true,
      release: v.manifest.release,
      members: v.manifest.members.map((m) => ({ ...m, ok: true })),
      signature: sig,
      bytes_hashed: v.bytesHashed,
      duration_ms: ms,
      bytes_per_second: bytesPerSecond(v.bytesHashed, ms),
    };
  }
}
