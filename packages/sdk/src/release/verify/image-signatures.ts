import { ExitCode, FrameworksError } from '../../errors.js';
import { MediaType, type Descriptor } from '../../oci/media-types.js';
import { RegistryPool, repoRef, type RegistryClient, type RegistryOptions } from '../../oci/registry.js';
import { pinnedRef, type PinnedImage, type SignatureCode } from '../pinned.js';
import { verifyBlobSignature, type SigningKey } from '../signing-key.js';
import { isDsseEnvelope, statementNames, statementOf, verifyDsse } from './dsse.js';

export type SignatureFormat = 'classic' | 'bundle';
export type SignatureCodeValue = (typeof SignatureCode)[keyof typeof SignatureCode];

/** One image's verdict, as `release verify` prints it and the deploy gate checks it (keys are the --json keys). */
export interface ImageVerification {
  service: string;
  image: string;
  digest: string;
  signed: boolean;
  format: SignatureFormat | null;
  key_fingerprint: string | null;
  digest_matched: boolean;
  /** Null when signed; otherwise why not. */
  code: SignatureCodeValue | null;
  reason: string | null;
  /** How many signatures (any key, any digest) the registry holds for this digest, in both formats. */
  signatures_found: number;
}

/** What cosign writes into a classic simple-signing payload and a bundle's in-toto statement. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

interface Evidence {
  format: SignatureFormat;
  keyValid: boolean;
  /** The digest the signed payload names (undefined when it names none we could read). */
  names?: string;
}

/** sha256-<hex>: the tag prefix cosign derives from a digest. */
export function digestTag(digest: string): string {
  return digest.replace(':', '-');
}

async function classicEvidence(reg: RegistryClient, name: string, digest: string, key: SigningKey): Promise<Evidence[]> {
  const sig = await reg.getManifest(name, `${digestTag(digest)}.sig`);
  if (!sig) return [];
  const layers = (sig.manifest.layers ?? []).filter((l) => l.mediaType === MediaType.COSIGN_SIMPLE_SIGNING);
  return Promise.all(
    layers.map(async (layer): Promise<Evidence> => {
      const payload = await reg.getBlob(name, layer.digest, 1024 * 1024);
      const keyValid = verifyBlobSignature(payload, layer.annotations?.[SIGNATURE_ANNOTATION] ?? '', key);
      let names: string | undefined;
      try {
        const doc = JSON.parse(payload.toString('utf8')) as { critical?: { type?: string; image?: { 'docker-manifest-digest'?: string } } };
        if (doc.critical?.type === COSIGN_SIGNATURE_TYPE) names = doc.critical.image?.['docker-manifest-digest'];
      } catch {
        /* not JSON: a signature over it still proves nothing about this digest */
      }
      return { format: 'classic', keyValid, ...(names ? { names } : {}) };
    }),
  );
}

/** Referrer manifests that carry a Sigstore bundle, with their bundle layer. */
export async function sigstoreBundles(reg: RegistryClient, name: string, digest: string): Promise<{ predicateType?: string; bundle: unknown }[]> {
  const { manifests } = await reg.referrers(name, digest);
  const out = await Promise.all(
    manifests.map(async (d: Descriptor) => {
      if (d.mediaType !== MediaType.OCI_MANIFEST) return undefined;
      const m = (await reg.getManifest(name, d.digest))?.manifest;
      const layer = m?.layers?.find((l) => l.mediaType === MediaType.SIGSTORE_BUNDLE_V03);
      if (!m || !layer) return undefined;
      const bytes = await reg.getBlob(name, layer.digest, 16 * 1024 * 1024);
      let bundle: unknown;
      try {
        bundle = JSON.parse(bytes.toString('utf8'));
      } catch {
        bundle = undefined;
      }
      const predicateType = m.annotations?.['dev.sigstore.bundle.predicateType'];
      return { ...(predicateType ? { predicateType } : {}), bundle };
    }),
  );
  return out.filter((x): x is { predicateType?: string; bundle: unknown } => x !== undefined);
}

async function bundleEvidence(reg: RegistryClient, name: string, digest: string, key: SigningKey): Promise<Evidence[]> {
  const out: Evidence[] = [];
  for (const { predicateType, bundle } of await sigstoreBundles(reg, name, digest)) {
    // Attestations (SBOMs, provenance) are referrers too; only cosign's signature predicate signs the image.
    if (predicateType && predicateType !== COSIGN_SIGN_PREDICATE) continue;
    const envelope = (bundle as { dsseEnvelope?: unknown } | undefined)?.dsseEnvelope;
    if (!isDsseEnvelope(envelope)) {
      // A message-signature bundle (or garbage) has no statement naming the image: it cannot vouch for this digest.
      out.push({ format: 'bundle', keyValid: false });
      continue;
    }
    const statement = statementOf(envelope);
    if (statement?.predicateType && statement.predicateType !== COSIGN_SIGN_PREDICATE) continue;
    const keyValid = verifyDsse(envelope, key);
    const named = statement && statementNames(statement, digest) ? digest : statement?.subject?.[0]?.digest?.sha256;
    out.push({ format: 'bundle', keyValid, ...(named ? { names: named.startsWith('sha256:') ? named : `sha256:${named}` } : {}) });
  }
  return out;
}

function verdict(image: PinnedImage, digest: string, evidence: Evidence[], key: SigningKey): ImageVerification {
  const base = { service: image.service, image: image.image, digest, signatures_found: evidence.length };
  const good = evidence.find((e) => e.keyValid && e.names === digest);
  if (good) return { ...base, signed: true, format: good.format, key_fingerprint: key.fingerprint, digest_matched: true, code: null, reason: null };
  const other = evidence.find((e) => e.keyValid);
  if (other) {
    return {
      ...base, signed: false, format: other.format, key_fingerprint: key.fingerprint, digest_matched: false,
      code: 'DIGEST_MISMATCH' satisfies SignatureCodeValue,
      reason: `signed by key ${key.fingerprint}, but the signature is for ${other.names ?? 'no image digest'}, not ${digest}`,
    };
  }
  if (evidence.length > 0) {
    return {
      ...base, signed: false, format: evidence[0]!.format, key_fingerprint: null, digest_matched: false,
      code: 'SIGNATURE_INVALID' satisfies SignatureCodeValue,
      reason: `${evidence.length} signature(s) found, none made by key ${key.fingerprint} (another key, or tampered)`,
    };
  }
  return {
    ...base, signed: false, format: null, key_fingerprint: null, digest_matched: false,
    code: 'SIGNATURE_MISSING' satisfies SignatureCodeValue, reason: 'no cosign signature (classic .sig tag or Sigstore bundle referrer)',
  };
}

/** Verify one image: the digest exists, and a signature by `key` names exactly that digest (classic or bundle). */
export async function verifyImage(pool: RegistryPool, image: PinnedImage, key: SigningKey): Promise<ImageVerification> {
  const { registry, name } = repoRef(image.image);
  const reg = await pool.client(registry);
  let digest = image.digest;
  if (!digest) {
    const head = await reg.headManifest(name, image.tag ?? 'latest');
    if (!head) throw notFound(image);
    digest = head.digest;
  }
  const [exists, classic, bundle] = await Promise.all([
    image.digest ? reg.headManifest(name, digest) : Promise.resolve(true),
    classicEvidence(reg, name, digest, key),
    bundleEvidence(reg, name, digest, key),
  ]);
  if (!exists) throw notFound({ ...image, digest });
  return verdict(image, digest, [...classic, ...bundle], key);
}

function notFound(image: PinnedImage): FrameworksError {
  return new FrameworksError(`The registry has no image ${pinnedRef(image)}${image.service ? ` (service ${image.service})` : ''}.`, {
    code: 'IMAGE_NOT_FOUND', exitCode: ExitCode.FAILED,
    suggestions: [`skopeo inspect --tls-verify=false docker://${pinnedRef(image)}`],
  });
}

/** Run `fn` over `items` with at most `limit` in flight, results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface VerifyImagesOptions extends RegistryOptions {
  /** Images verified at once (default 8). */
  concurrency?: number;
}

/** Verify every image, concurrently (bounded), one registry client per host. Registry failures throw (exit 6 when unreachable). */
export async function verifyImages(images: readonly PinnedImage[], key: SigningKey, opts: VerifyImagesOptions = {}): Promise<ImageVerification[]> {
  const pool = new RegistryPool(opts);
  return mapBounded(images, opts.concurrency ?? 8, (img) => verifyImage(pool, img, key));
}

/** The line every verification output carries: airgapped sites have no Rekor, so none is consulted. */
export const NO_TLOG_NOTE = 'No transparency log was consulted (key-based verification only, as for airgapped sites).';
