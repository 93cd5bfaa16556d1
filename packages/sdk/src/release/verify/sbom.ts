import { ExitCode, FrameworksError } from '../../errors.js';
import { MediaType } from '../../oci/media-types.js';
import { RegistryPool, repoRef, type RegistryOptions } from '../../oci/registry.js';
import { pinnedRef, type PinnedImage } from '../pinned.js';
import type { SigningKey } from '../signing-key.js';
import { isDsseEnvelope, statementNames, statementOf, verifyDsse, type DsseEnvelope } from './dsse.js';
import { digestTag, sigstoreBundles, type SignatureFormat } from './image-signatures.js';

/** The predicate type `cosign attest --type spdxjson` writes. */
export const SPDX_PREDICATE = 'https://spdx.dev/Document';

export interface SbomPackage {
  name: string;
  version: string | null;
  license: string | null;
}

export interface VerifiedSbom {
  image: string;
  digest: string;
  format: SignatureFormat;
  key_fingerprint: string;
  /** The SPDX document (the attestation's predicate), trusted only after the envelope verified. */
  document: Record<string, unknown>;
  packages: SbomPackage[];
}

const NOASSERTION = new Set(['NOASSERTION', 'NONE', '']);

/** name, version and licence of every SPDX package (concluded licence, else the declared one). */
export function spdxPackages(doc: Record<string, unknown>): SbomPackage[] {
  const pkgs = Array.isArray(doc.packages) ? (doc.packages as Record<string, unknown>[]) : [];
  const str = (v: unknown) => (typeof v === 'string' && !NOASSERTION.has(v) ? v : null);
  return pkgs
    .filter((p) => p && typeof p.name === 'string')
    .map((p) => ({ name: p.name as string, version: str(p.versionInfo), license: str(p.licenseConcluded) ?? str(p.licenseDeclared) }));
}

interface Candidate {
  format: SignatureFormat;
  envelope: DsseEnvelope;
}

/**
 * The SPDX SBOM attached to an image as a cosign attestation (classic `sha256-<hex>.att` tag, or a Sigstore
 * bundle referrer), its DSSE signature verified with `key` and its subject checked against the digest
 * BEFORE the document is returned. Missing: SBOM_MISSING; not by the key: SBOM_INVALID; another digest:
 * DIGEST_MISMATCH (each exit 1).
 */
export async function fetchVerifiedSbom(image: PinnedImage, key: SigningKey, opts: RegistryOptions = {}): Promise<VerifiedSbom> {
  const { registry, name } = repoRef(image.image);
  const reg = await new RegistryPool(opts).client(registry);
  let digest = image.digest;
  if (!digest) {
    const head = await reg.headManifest(name, image.tag ?? 'latest');
    if (!head) throw new FrameworksError(`The registry has no image ${pinnedRef(image)}.`, { code: 'IMAGE_NOT_FOUND', exitCode: ExitCode.FAILED });
    digest = head.digest;
  }
  const ref = `${image.image}@${digest}`;
  const candidates: Candidate[] = [];
  const att = await reg.getManifest(name, `${digestTag(digest)}.att`);
  for (const layer of att?.manifest.layers ?? []) {
    if (layer.mediaType !== MediaType.DSSE_ENVELOPE) continue;
    if (layer.annotations?.predicateType && layer.annotations.predicateType !== SPDX_PREDICATE) continue;
    const parsed = safeJson(await reg.getBlob(name, layer.digest, 32 * 1024 * 1024));
    if (isDsseEnvelope(parsed)) candidates.push({ format: 'classic', envelope: parsed });
  }
  for (const { predicateType, bundle } of await sigstoreBundles(reg, name, digest)) {
    if (predicateType && predicateType !== SPDX_PREDICATE) continue;
    const envelope = (bundle as { dsseEnvelope?: unknown } | undefined)?.dsseEnvelope;
    if (isDsseEnvelope(envelope)) candidates.push({ format: 'bundle', envelope });
  }
  const spdx = candidates
    .map((c) => ({ ...c, statement: statementOf(c.envelope) }))
    .filter((c) => c.statement?.predicateType === SPDX_PREDICATE);
  if (spdx.length === 0) {
    throw new FrameworksError(`${ref} has no SPDX SBOM attestation (looked for the ${digestTag(digest)}.att tag and Sigstore bundle referrers).`, {
      code: 'SBOM_MISSING', exitCode: ExitCode.FAILED,
      suggestions: [`cosign attest --key cosign.key --type spdxjson --predicate sbom.spdx.json ${ref}`],
    });
  }
  const signed = spdx.filter((c) => verifyDsse(c.envelope, key));
  if (signed.length === 0) {
    throw new FrameworksError(`The SBOM attestation(s) of ${ref} are not signed by key ${key.fingerprint} (another key, or tampered); the SBOM is not shown.`, {
      code: 'SBOM_INVALID', exitCode: ExitCode.FAILED, name: 'SignatureError',
      suggestions: [`cosign verify-attestation --key <key.pub> --type spdxjson --insecure-ignore-tlog ${ref}`],
    });
  }
  // The newest attestation wins (classic layers and referrers are listed oldest first).
  const good = signed.filter((c) => statementNames(c.statement!, digest)).pop();
  if (!good) {
    throw new FrameworksError(`The SBOM attestation signed by key ${key.fingerprint} is for another image, not ${digest}; the SBOM is not shown.`, {
      code: 'DIGEST_MISMATCH', exitCode: ExitCode.FAILED, name: 'SignatureError',
      suggestions: [`cosign attest --key cosign.key --type spdxjson --predicate sbom.spdx.json ${ref}`],
    });
  }
  const document = (good.statement!.predicate ?? {}) as Record<string, unknown>;
  return { image: image.image, digest, format: good.format, key_fingerprint: key.fingerprint, document, packages: spdxPackages(document) };
}

function safeJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
