import { homedir } from 'node:os';
import { Flags } from '@oclif/core';
import {
  NO_TLOG_NOTE,
  VERIFY_MODES,
  parseImageRef,
  parsePublicKey,
  readPublicKey,
  verifyBeforeDeploy,
  type Dialer,
  type GateOutcome,
  type PinnedImage,
  type SigningKey,
  type VerifyMode,
} from '@frameworks/sdk';

/**
 * The one place the image-signature flags of every deploying command live (edge init|update|enroll,
 * services plan|up), and the gate they call before any pull or container change.
 */
export const verifyFlags = {
  verify: Flags.string({
    helpGroup: 'SIGNATURES',
    options: [...VERIFY_MODES],
    default: 'auto',
    description: 'Check cosign image signatures before anything is pulled or started: auto (when a key is set), always, never.',
  }),
  key: Flags.string({
    helpGroup: 'SIGNATURES',
    description: 'Public key (PEM, cosign.pub) the images must be signed with; overrides the context\'s release.public_key.',
  }),
};

export interface VerifyFlagValues {
  verify?: string;
  key?: string;
}

/** The key from --key (a PEM file), else the context's `release.public_key` (PEM text or a file path), else none. */
export async function loadVerifyKey(
  flagKey: string | undefined,
  contextConfig?: unknown,
  contextName?: string,
): Promise<{ key: SigningKey; origin: string } | undefined> {
  const fromContext = (contextConfig as { release?: { public_key?: unknown } } | undefined)?.release?.public_key;
  const value = flagKey ?? (typeof fromContext === 'string' && fromContext.trim() ? fromContext : undefined);
  if (!value) return undefined;
  const origin = flagKey ? `--key ${flagKey}` : `context ${contextName ?? ''} release.public_key`.replace('  ', ' ');
  if (!flagKey && value.trimStart().startsWith('-----BEGIN')) return { key: parsePublicKey(value, origin), origin };
  return { key: await readPublicKey(value.replace(/^~(?=\/|$)/, homedir())), origin };
}

/** image refs (image@digest or image:tag) of a stack → PinnedImage[]; a ref that does not parse is skipped (the stack validates it). */
export function pinnedFromRefs(refs: Record<string, string | undefined>): PinnedImage[] {
  const out: PinnedImage[] = [];
  for (const [service, ref] of Object.entries(refs)) {
    if (!ref) continue;
    const spec = parseImageRef(ref);
    if (typeof spec === 'string') continue;
    out.push({ service, ...spec });
  }
  return out;
}

export interface GateIo {
  /** Progress and verdict lines (stderr). */
  info: (line: string) => void;
  contextConfig?: unknown;
  contextName?: string;
  dialer?: Dialer;
  /** Prefix for every line ("[ops@edge-1] "). */
  prefix?: string;
}

/**
 * Verify `images` as --verify/--key ask, before the caller pulls or changes a container. Throws (exit 1,
 * SIGNATURE_INVALID / SIGNATURE_MISSING / DIGEST_MISMATCH) naming the image; prints one line per image.
 */
type ImageList = PinnedImage[] | Record<string, string | undefined>;

export async function verifyImagesFirst(flags: VerifyFlagValues, images: ImageList | (() => Promise<ImageList>), io: GateIo): Promise<GateOutcome> {
  const mode = (flags.verify ?? 'auto') as VerifyMode;
  const loaded = mode === 'never' ? undefined : await loadVerifyKey(flags.key, io.contextConfig, io.contextName);
  const p = io.prefix ?? '';
  // Images are looked up (a compose config run) only when a check will happen.
  const wanted = mode === 'always' || (mode === 'auto' && loaded);
  const given = typeof images === 'function' ? (wanted ? await images() : []) : images;
  const list = Array.isArray(given) ? given : pinnedFromRefs(given);
  const outcome = await verifyBeforeDeploy(list, {
    mode,
    ...(loaded ? { key: loaded.key, keyOrigin: loaded.origin } : {}),
    ...(io.dialer ? { dialer: io.dialer } : {}),
  });
  if (!outcome.verified) {
    if (mode !== 'auto') io.info(`${p}${outcome.note}`);
    return outcome;
  }
  for (const r of outcome.images) io.info(`${p}✓ signature ${r.service} ${r.image}@${r.digest.slice(0, 19)}… (${r.format}, key ${r.key_fingerprint})`);
  io.info(`${p}${NO_TLOG_NOTE}`);
  return outcome;
}
