import { createHash } from 'node:crypto';
import { ExitCode, FrameworksError } from '../errors.js';
import { tildify } from '../paths.js';
import { SignatureCode } from '../release/pinned.js';
import { verifyBlobSignature, type SigningKey } from '../release/signing-key.js';
import { MANIFEST_MEMBER, SIGNATURE_MEMBER } from './format.js';
import { readBundle, type OpenedBundle } from './read.js';
import { memberStream } from './tar.js';

export interface SignatureState {
  present: boolean;
  /** true/false when a key was given; null when there was none to check with. */
  verified: boolean | null;
  key_fingerprint: string | null;
}

export interface VerifiedBundle extends OpenedBundle {
  signatureState: SignatureState;
  bytesHashed: number;
}

function failed({ code }: { code: string }, message: string, suggestions: string[]): FrameworksError {
  return new FrameworksError(message, { code, exitCode: ExitCode.FAILED, suggestions });
}

async function sha256(file: string, e: { offset: number; size: number }, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('sha256');
  if (e.size === 0) return hash.digest('hex');
  for await (const chunk of memberStream(file, e) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    onBytes?.(chunk.length);
  }
  return hash.digest('hex');
}

/**
 * Every member against manifest.json (sha256 and size; a member missing, extra or different is named,
 * exit 1), and manifest.json against its signature when a key is given. Nothing but the file is needed.
 */
export async function verifyBundle(file: string, opts: { key?: SigningKey; onBytes?: (n: number) => void } = {}): Promise<VerifiedBundle> {
  const b = await readBundle(file);
  const shown = tildify(file);
  const again = [`frameworks bundle inspect ${shown}`, 'Copy the bundle again from its source (or make it again with `frameworks bundle create`)'];
  // The signature first: it says whether the checksums themselves can be trusted.
  let signatureState: SignatureState = { present: Boolean(b.signature), verified: null, key_fingerprint: null };
  if (opts.key) {
    if (!b.signature) throw failed({ code: SignatureCode.MISSING }, `${shown} is not signed (no ${SIGNATURE_MEMBER}), and --key asks for a signature.`, [`frameworks bundle verify ${shown}   # checksums only`]);
    const ok = verifyBlobSignature(b.manifestBytes, b.signature, opts.key);
    signatureState = { present: true, verified: ok, key_fingerprint: opts.key.fingerprint };
    if (!ok) {
      throw failed({ code: SignatureCode.INVALID }, `${shown}: the signature of ${MANIFEST_MEMBER} does not verify with key ${opts.key.fingerprint}: ${MANIFEST_MEMBER} was changed or signed by another key.`, again);
    }
  }
  const listed = new Map(b.manifest.members.map((m) => [m.path, m]));
  const present = new Map(b.entries.map((e) => [e.path, e]));
  for (const e of b.entries) {
    if (e.path !== MANIFEST_MEMBER && e.path !== SIGNATURE_MEMBER && !listed.has(e.path)) {
      throw failed({ code: 'BUNDLE_UNEXPECTED_MEMBER' }, `${shown}: member ${e.path} is not listed in ${MANIFEST_MEMBER} (added after the bundle was made).`, again);
    }
  }
  let bytesHashed = 0;
  for (const m of b.manifest.members) {
    const e = present.get(m.path);
    if (!e) throw failed({ code: 'BUNDLE_MEMBER_MISSING' }, `${shown}: member ${m.path} is listed in ${MANIFEST_MEMBER} but missing.`, again);
    if (e.size !== m.size) throw failed({ code: 'BUNDLE_CHECKSUM_MISMATCH' }, `${shown}: member ${m.path} is ${e.size} bytes, ${MANIFEST_MEMBER} says ${m.size}.`, again);
    const digest = await sha256(file, e, opts.onBytes);
    bytesHashed += e.size;
    if (digest !== m.sha256) {
      throw failed({ code: 'BUNDLE_CHECKSUM_MISMATCH' }, `${shown}: member ${m.path} does not match its checksum (sha256 ${digest.slice(0, 12)}…, expected ${m.sha256.slice(0, 12)}…): the file was damaged or changed.`, again);
    }
  }
  return { ...b, signatureState, bytesHashed };
}
