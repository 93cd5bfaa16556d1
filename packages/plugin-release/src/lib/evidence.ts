import type { PinnedImage, SigningKey } from '@frameworks/sdk';
import type { ExtraMember } from '@frameworks/sdk/bundle';

/** What a bundle carries of the checks made before it was written (under signatures/ and sboms/). */
export interface BundleEvidence {
  members: ExtraMember[];
  key_fingerprint: string;
  /** Services whose verified SPDX SBOM the bundle holds. */
  sboms: string[];
}

/**
 * With a key: every image's cosign signature is verified first (a failure stops before anything is pulled or
 * written, exit 1 naming the image); the verdicts go in signatures/verification.json and each image's verified
 * SPDX SBOM, when it has one, in sboms/<service>.spdx.json — so an airgapped site keeps what was checked.
 */
export async function bundleEvidence(images: PinnedImage[], key: SigningKey): Promise<BundleEvidence> {
  const { ExitCode, FrameworksError, NO_TLOG_NOTE, fetchVerifiedSbom, isFrameworksError, verifyImages } = await import('@frameworks/sdk');
  const results = await verifyImages(images, key);
  const failed = results.filter((r) => !r.signed);
  if (failed.length) {
    const first = failed[0]!;
    throw new FrameworksError(
      `Not bundled: ${failed.map((r) => `${r.service} ${r.image}@${r.digest} (${r.code}: ${r.reason})`).join('; ')}. Nothing was pulled or written.`,
      {
        code: first.code ?? 'SIGNATURE_INVALID',
        exitCode: ExitCode.FAILED,
        name: 'SignatureError',
        suggestions: [`frameworks release verify --key <key.pub> --image ${first.image}@${first.digest}`, 'Bundle without checking signatures: leave out --key'],
      },
    );
  }
  const record = { key_fingerprint: key.fingerprint, transparency_log: 'not consulted', note: NO_TLOG_NOTE, verified_at: new Date().toISOString(), images: results };
  const members: ExtraMember[] = [{ path: 'signatures/verification.json', content: `${JSON.stringify(record, null, 2)}\n` }];
  const sboms: string[] = [];
  for (const image of images) {
    try {
      const sbom = await fetchVerifiedSbom(image, key);
      members.push({ path: `sboms/${image.service}.spdx.json`, content: `${JSON.stringify(sbom.document, null, 2)}\n` });
      sboms.push(image.service);
    } catch (err) {
      if (isFrameworksError(err) && err.code === 'SBOM_MISSING') continue; // an image without an SBOM is bundled without one
      throw err;
    }
  }
  return { members, key_fingerprint: key.fingerprint, sboms };
}
