import { ExitCode, FrameworksError, usageError } from '../../errors.js';
import { pinnedRef, type PinnedImage } from '../pinned.js';
import type { SigningKey } from '../signing-key.js';
import { NO_TLOG_NOTE, verifyImages, type ImageVerification, type VerifyImagesOptions } from './image-signatures.js';

export const VERIFY_MODES = ['auto', 'always', 'never'] as const;
export type VerifyMode = (typeof VERIFY_MODES)[number];

export interface GateOptions extends VerifyImagesOptions {
  mode: VerifyMode;
  key?: SigningKey;
  /** Where the key came from ("--key ./cosign.pub", "context prod release.public_key"), for messages. */
  keyOrigin?: string;
}

export interface GateOutcome {
  /** False when the mode (never, or auto without a key) skipped verification. */
  verified: boolean;
  mode: VerifyMode;
  key_fingerprint: string | null;
  images: ImageVerification[];
  note: string;
}

/**
 * The check every deploying command runs BEFORE it pulls or changes a container: each image must carry a
 * signature by the key that names exactly its digest. auto = always when a key is configured, else skip.
 * A failure throws exit 1 with the first failing image's code (SIGNATURE_INVALID / SIGNATURE_MISSING /
 * DIGEST_MISMATCH), naming every failing image (no `result`: each deploying command's --json schema stays its own).
 */
export async function verifyBeforeDeploy(images: readonly PinnedImage[], opts: GateOptions): Promise<GateOutcome> {
  if (opts.mode === 'never' || (opts.mode === 'auto' && !opts.key)) {
    const why = opts.mode === 'never' ? '--verify never' : 'no release key is configured';
    return { verified: false, mode: opts.mode, key_fingerprint: null, images: [], note: `Image signatures not verified (${why}).` };
  }
  if (!opts.key) {
    const hints = ['--key ./cosign.pub', 'frameworks context set <ctx> release.public_key ./cosign.pub'];
    throw usageError('--verify always needs a public key to verify with.', hints, 'RELEASE_KEY_MISSING');
  }
  const results = await verifyImages(images, opts.key, opts);
  const failed = results.filter((r) => !r.signed);
  if (failed.length > 0) {
    const first = failed[0]!;
    const lines = failed.map((r) => `${r.service ? `${r.service} ` : ''}${r.image}@${r.digest}: ${r.code} — ${r.reason}`);
    throw new FrameworksError(
      `Image signature check failed for ${failed.length} of ${results.length} image(s); nothing was pulled or changed.\n` +
        `  ${lines.join('\n  ')}\n${NO_TLOG_NOTE}`,
      {
        code: first.code!,
        exitCode: ExitCode.FAILED,
        name: 'SignatureError',
        suggestions: [
          `frameworks release verify --image ${pinnedRef({ service: first.service, image: first.image, digest: first.digest })}` +
            (opts.keyOrigin?.startsWith('--key ') ? ` ${opts.keyOrigin}` : ''),
          `cosign verify --key <key.pub> --insecure-ignore-tlog ${first.image}@${first.digest}`,
        ],
      },
    );
  }
  return { verified: true, mode: opts.mode, key_fingerprint: opts.key.fingerprint, images: results, note: NO_TLOG_NOTE };
}
