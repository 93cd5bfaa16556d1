import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { ExitCode, FrameworksError } from '../errors.js';

/** A cosign public key (PEM, ECDSA P-256 from `cosign generate-key-pair`) and its short fingerprint for output. */
export interface SigningKey {
  key: KeyObject;
  /** sha256 of the DER SubjectPublicKeyInfo, hex, first 16 characters — what output shows as "signed by". */
  fingerprint: string;
}

export function parsePublicKey(pem: string, origin: string): SigningKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new FrameworksError(`${origin} is not a PEM public key: ${(err as Error).message}`, {
      code: 'RELEASE_KEY_INVALID',
      exitCode: ExitCode.CONFIG_INVALID,
      suggestions: ['cosign public-key --key cosign.key > cosign.pub', 'frameworks context set <ctx> release.public_key ./cosign.pub'],
    });
  }
  const der = key.export({ type: 'spki', format: 'der' });
  return { key, fingerprint: createHash('sha256').update(der).digest('hex').slice(0, 16) };
}

/**
 * `cosign sign-blob --key` output: base64 of a DER ECDSA signature over the bytes (SHA-256). True when it
 * verifies; false on a wrong key, other bytes or a signature that is not even base64/DER.
 */
export function verifyBlobSignature(data: Uint8Array, signatureText: string, key: SigningKey): boolean {
  const sig = Buffer.from(signatureText.trim(), 'base64');
  if (sig.length === 0) return false;
  try {
    return verify('sha256', data, key.key, sig);
  } catch {
    return false;
  }
}
