import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { ExitCode, FrameworksError, usageError } from '../errors.js';
import type { Executor } from '../exec/types.js';
import type { Dialer } from '../net/dialer.js';
import { frameworksHome, tildify } from '../paths.js';
import { BUILTIN_CHANNELS } from './builtin.js';
import {
  CHANNEL_NAME_PATTERN,
  RELEASE_VERSION_PATTERN,
  checkMinCliVersion,
  parseReleaseText,
  releaseImages,
  validateChannelPointer,
  validateReleaseManifest,
  type ChannelPointer,
  type ImageList,
  type ReleaseManifest,
} from './manifest.js';
import type { PinnedImage } from './pinned.js';
import { parsePublicKey, verifyBlobSignature, type SigningKey } from './signing-key.js';
import { describeSource, parseReleaseSource, type ParsedReleaseSource, type ReleaseSourceKind } from './source.js';
import { openSourceReader, type SourceReader } from './source-reader.js';

export interface LoadReleaseOptions {
  /** Folder, URL, git repository or manifest file; empty → the built-in release. */
  source?: string;
  /** Default `stable` when no version is given. */
  channel?: string;
  /** A release of the source's releases/ folder, e.g. v0.1.0-rc2. */
  version?: string;
  /** A cosign public key, or the path of its PEM file: the manifest's signature must verify with it. */
  publicKey?: string | SigningKey;
  /** Frameworks home (the cache lives under it); default FRAMEWORKS_HOME or ~/.frameworks. */
  home?: string;
  dialer?: Dialer;
  executor?: Executor;
  /** The running CLI's version (min_cli_version); default the SDK's. */
  cliVersion?: string;
  cwd?: string;
}

/**
 * What the manifest's detached signature says: `verified` (by `key`), `unsigned` (no .sig and no key
 * asked for one), `not-checked` (a .sig is there but no key is configured), `built-in` (the release
 * compiled into the CLI). With a key, a missing or bad signature is an error, never a state.
 */
export type ManifestSignatureState = 'verified' | 'unsigned' | 'not-checked' | 'built-in';

export interface ManifestSignature {
  state: ManifestSignatureState;
  /** Fingerprint of the key that verified it. */
  key: string | null;
  /** Where the .sig is (when there is one). */
  file: string | null;
}

export interface ReleaseOrigin {
  kind: ReleaseSourceKind;
  /** The source as given. */
  spec: string;
  /** The source as shown: a path with ~, a URL. */
  source: string;
  /** Where the manifest was read: a path or a URL. */
  manifest: string;
  /** The source could not be reached: the cached copy was used. */
  offline: { reason: string; cached_at?: string } | null;
}

export type ReleaseImage = PinnedImage & { list: ImageList; version?: string };

export interface LoadedRelease {
  manifest: ReleaseManifest;
  /** Every image of the release, pinned by digest where the manifest gives one. */
  images: ReleaseImage[];
  version: string;
  /** The channel asked for (null: a version or a manifest file without --channel). */
  channel: string | null;
  /** The channel's pointer when the release was reached through one. */
  pointer: ChannelPointer | null;
  origin: ReleaseOrigin;
  signature: ManifestSignature;
  /** Names of the images without a digest. */
  unpinned: string[];
  /** The manifest's exact bytes (bundles copy them with the .sig). */
  text: string;
  /** The .sig text, when there is one. */
  signature_text: string | null;
}

function sdkVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

export async function readPublicKey(key: string | SigningKey): Promise<SigningKey> {
  if (typeof key !== 'string') return key;
  let pem: string;
  try {
    pem = await readFile(key, 'utf8');
  } catch (err) {
    throw new FrameworksError(`Cannot read the public key ${tildify(key)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`, {
      code: 'RELEASE_KEY_INVALID',
      exitCode: ExitCode.CONFIG_INVALID,
      suggestions: ['cosign public-key --key cosign.key > cosign.pub', 'frameworks context set <ctx> release.public_key ./cosign.pub'],
    });
  }
  return parsePublicKey(pem, tildify(key));
}

/** A channel or version becomes a file name: anything but a plain name (a `/`, `..`) is exit 2 before any read. */
function checkSelectors(opts: { channel?: string; version?: string }): void {
  if (opts.channel !== undefined && !new RegExp(CHANNEL_NAME_PATTERN).test(opts.channel)) {
    throw usageError(`--channel ${JSON.stringify(opts.channel)} is not a channel name (lower-case letters, digits, . _ -).`, ['--channel stable'], 'INVALID_INPUT');
  }
  if (opts.version !== undefined && (!new RegExp(RELEASE_VERSION_PATTERN).test(opts.version) || opts.version.includes('..'))) {
    throw usageError(`--version ${JSON.stringify(opts.version)} is not a release version (letters, digits, . _ + -).`, ['frameworks release list'], 'INVALID_INPUT');
  }
}

const channelFile = (c: string) => `channels/${c}.yaml`;
const releaseFiles = (v: string) => [`releases/${v}.yaml`, `releases/${v}.yml`, `releases/${v}.json`];
const stripExt = (n: string) => n.replace(/\.(?:ya?ml|json)$/, '');

/** Channels the source has: listed from a folder, probed (stable, canary) over HTTP. */
export async function sourceChannels(reader: SourceReader): Promise<string[]> {
  const listed = await reader.list('channels');
  if (listed) return listed.filter((n) => /\.ya?ml$/.test(n)).map(stripExt);
  const found: string[] = [];
  for (const c of ['stable', 'canary']) if ((await reader.read(channelFile(c))) !== undefined) found.push(c);
  return found;
}

/** Release versions in the source's releases/ folder; undefined when it cannot list (HTTP). */
export async function sourceVersions(reader: SourceReader): Promise<string[] | undefined> {
  const listed = await reader.list('releases');
  return listed?.filter((n) => /\.(?:ya?ml|json)$/.test(n)).map(stripExt);
}

export async function readChannelPointer(reader: SourceReader, channel: string): Promise<ChannelPointer> {
  const text = await reader.read(channelFile(channel));
  if (text === undefined) {
    const known = await sourceChannels(reader);
    const src = describeSource(reader.source);
    throw usageError(
      `Unknown channel "${channel}": ${src} has ${known.length ? `channels ${known.join(', ')}` : 'no channels/ folder'}.`,
      known.length ? known.map((c) => `--channel ${c}`) : ['frameworks release list', '--version <version>'],
      'UNKNOWN_CHANNEL',
    );
  }
  const where = reader.where(channelFile(channel));
  return validateChannelPointer(await parseReleaseText(text, where, 'Channel pointer'), where);
}

interface ManifestRead {
  manifest: ReleaseManifest;
  text: string;
  rel: string;
}

async function readManifestAt(reader: SourceReader, rels: string[], missing: () => Promise<FrameworksError>): Promise<ManifestRead> {
  for (const rel of rels) {
    const text = await reader.read(rel);
    if (text === undefined) continue;
    const where = reader.where(rel);
    return { manifest: await validateReleaseManifest(await parseReleaseText(text, where), where), text, rel };
  }
  throw await missing();
}

async function checkSignature(reader: SourceReader, rel: string, text: string, key: SigningKey | undefined): Promise<{ sig: ManifestSignature; sigText: string | null }> {
  const sigRel = `${rel}.sig`;
  const sigText = (await reader.read(sigRel)) ?? null;
  const file = sigText === null ? null : reader.where(sigRel);
  const where = reader.where(rel);
  if (!key) return { sig: { state: sigText === null ? 'unsigned' : 'not-checked', key: null, file }, sigText };
  if (sigText === null) {
    throw new FrameworksError(`Release manifest ${where} has no signature (${reader.where(sigRel)}), and a public key is configured. Nothing was changed.`, {
      code: 'SIGNATURE_MISSING',
      exitCode: ExitCode.FAILED,
      suggestions: [`cosign sign-blob --key cosign.key ${rel} > ${rel}.sig   # the publisher signs it`, 'frameworks release show --key <other.pub>'],
    });
  }
  if (!verifyBlobSignature(Buffer.from(text, 'utf8'), sigText, key)) {
    throw new FrameworksError(
      `Release manifest ${where} does not match its signature for key ${key.fingerprint}: it was changed after signing, or signed with another key. Nothing was changed.`,
      {
        code: 'SIGNATURE_INVALID',
        exitCode: ExitCode.FAILED,
        suggestions: [`cosign verify-blob --key <key.pub> --insecure-ignore-tlog --signature ${rel}.sig ${rel}`, 'frameworks release show --key <the publisher\'s key.pub>'],
      },
    );
  }
  return { sig: { state: 'verified', key: key.fingerprint, file }, sigText };
}

function builtinRelease(parsed: ParsedReleaseSource, opts: LoadReleaseOptions): LoadedRelease {
  const byVersion = Object.entries(BUILTIN_CHANNELS).find(([, m]) => m.platform_version === opts.version);
  const channel = opts.channel ?? (opts.version ? (byVersion?.[0] ?? null) : 'stable');
  if (opts.version && !byVersion) {
    const versions = Object.values(BUILTIN_CHANNELS).map((m) => m.platform_version);
    throw usageError(`Unknown release "${opts.version}": the built-in release has ${versions.join(', ')}.`, ['--release-source <folder|url|git repo>   # where releases are published', ...versions.map((v) => `--version ${v}`)], 'UNKNOWN_RELEASE');
  }
  const manifest = byVersion ? byVersion[1] : channel && Object.hasOwn(BUILTIN_CHANNELS, channel) ? BUILTIN_CHANNELS[channel] : undefined;
  if (!manifest) {
    const known = Object.keys(BUILTIN_CHANNELS);
    throw usageError(`Unknown channel "${channel}": the built-in release has channels ${known.join(', ')}.`, known.map((c) => `--channel ${c}`), 'UNKNOWN_CHANNEL');
  }
  const text = JSON.stringify(manifest);
  const images = releaseImages(manifest);
  return {
    manifest,
    images,
    version: manifest.platform_version,
    channel,
    pointer: null,
    origin: { kind: 'built-in', spec: parsed.spec, source: 'built-in', manifest: 'built-in', offline: null },
    signature: { state: 'built-in', key: null, file: null },
    unpinned: images.filter((i) => !i.digest).map((i) => i.service),
    text,
    signature_text: null,
  };
}

/**
 * Load one release: from its channel's pointer (default `stable`) or by version, from a folder, a URL,
 * a git repository or a manifest file; validated (key paths in errors), the pointer's version checked
 * against the manifest's, min_cli_version honoured, and with a public key the detached signature
 * verified (SIGNATURE_MISSING / SIGNATURE_INVALID, exit 1).
 */
export async function loadRelease(opts: LoadReleaseOptions): Promise<LoadedRelease> {
  checkSelectors(opts);
  const parsed = parseReleaseSource(opts.source?.trim() ? opts.source : 'built-in', opts.cwd);
  const key = opts.publicKey === undefined ? undefined : await readPublicKey(opts.publicKey);
  if (parsed.kind === 'built-in') return builtinRelease(parsed, opts);
  const reader = await openSourceReader(parsed, { home: opts.home ?? frameworksHome(), ...(opts.dialer ? { dialer: opts.dialer } : {}), ...(opts.executor ? { executor: opts.executor } : {}) });
  let pointer: ChannelPointer | null = null;
  let channel: string | null = opts.channel ?? null;
  let read: ManifestRead;
  if (parsed.kind === 'file') {
    const name = parsed.location.split('/').pop()!;
    read = await readManifestAt(reader, [name], async () => usageError(`Release manifest ${tildify(parsed.location)}: no such file.`, [], 'RELEASE_SOURCE_NOT_FOUND'));
    if (opts.version && read.manifest.platform_version !== opts.version) {
      throw usageError(`Unknown release "${opts.version}": ${tildify(parsed.location)} is release ${read.manifest.platform_version}.`, [`--version ${read.manifest.platform_version}`], 'UNKNOWN_RELEASE');
    }
  } else if (opts.version) {
    read = await readManifestAt(reader, releaseFiles(opts.version), async () => {
      const versions = await sourceVersions(reader);
      const list = versions?.length ? `releases ${versions.join(', ')}` : 'no such release';
      return usageError(`Unknown release "${opts.version}": ${describeSource(parsed)} has ${list}.`, versions?.length ? versions.slice(-5).map((v) => `--version ${v}`) : ['frameworks release list'], 'UNKNOWN_RELEASE');
    });
    if (read.manifest.platform_version !== opts.version) {
      throw new FrameworksError(`${reader.where(read.rel)} says platform_version ${read.manifest.platform_version}, not ${opts.version}: the source is inconsistent. Nothing was changed.`, {
        code: 'RELEASE_VERSION_MISMATCH',
        exitCode: ExitCode.FAILED,
        suggestions: ['frameworks release list'],
      });
    }
  } else {
    channel ??= 'stable';
    const p = await readChannelPointer(reader, channel);
    pointer = p;
    read = await readManifestAt(reader, [p.manifest], async () =>
      new FrameworksError(`Channel ${channel} points at ${reader.where(p.manifest)}, which is not there.`, {
        code: 'RELEASE_MANIFEST_MISSING',
        exitCode: ExitCode.FAILED,
        suggestions: ['frameworks release list', `--version ${p.platform_version}`],
      }),
    );
    if (read.manifest.platform_version !== p.platform_version) {
      throw new FrameworksError(
        `Channel ${channel} points at release ${p.platform_version}, but ${reader.where(p.manifest)} is release ${read.manifest.platform_version}: the source is inconsistent. Nothing was changed.`,
        { code: 'RELEASE_POINTER_MISMATCH', exitCode: ExitCode.FAILED, suggestions: ['frameworks release list', `frameworks release show ${read.manifest.platform_version}`] },
      );
    }
  }
  const { sig, sigText } = await checkSignature(reader, read.rel, read.text, key);
  checkMinCliVersion(read.manifest, opts.cliVersion ?? sdkVersion(), reader.where(read.rel));
  const images = releaseImages(read.manifest);
  return {
    manifest: read.manifest,
    images,
    version: read.manifest.platform_version,
    channel,
    pointer,
    origin: { kind: parsed.kind, spec: parsed.spec, source: describeSource(parsed), manifest: reader.where(read.rel), offline: reader.offline ?? null },
    signature: sig,
    unpinned: images.filter((i) => !i.digest).map((i) => i.service),
    text: read.text,
    signature_text: sigText,
  };
}

export interface ReleaseListing {
  origin: Omit<ReleaseOrigin, 'manifest'>;
  channels: Array<{ channel: string; platform_version: string; manifest: string; updated_at: string | null }>;
  /** Every release of the source (a folder or git repository), else the ones a channel points at. */
  releases: Array<{ version: string; release_date: string | null; channels: string[] }>;
}

/** Channels → versions and dates, for `release list`. A channel given narrows it to that channel. */
export async function listReleases(opts: Omit<LoadReleaseOptions, 'version' | 'publicKey'>): Promise<ReleaseListing> {
  checkSelectors(opts);
  const parsed = parseReleaseSource(opts.source?.trim() ? opts.source : 'built-in', opts.cwd);
  if (parsed.kind === 'built-in' || parsed.kind === 'file') {
    const all = parsed.kind === 'built-in' ? Object.entries(BUILTIN_CHANNELS) : [];
    if (parsed.kind === 'file') {
      const r = await loadRelease({ ...opts, channel: undefined });
      all.push([opts.channel ?? '-', r.manifest]);
    }
    if (opts.channel && parsed.kind === 'built-in' && !Object.hasOwn(BUILTIN_CHANNELS, opts.channel)) builtinRelease(parsed, opts); // throws UNKNOWN_CHANNEL
    const chosen = all.filter(([c]) => !opts.channel || c === opts.channel || parsed.kind === 'file');
    return {
      origin: { kind: parsed.kind, spec: parsed.spec, source: describeSource(parsed), offline: null },
      channels: parsed.kind === 'file' ? [] : chosen.map(([c, m]) => ({ channel: c, platform_version: m.platform_version, manifest: 'built-in', updated_at: null })),
      releases: chosen.map(([c, m]) => ({ version: m.platform_version, release_date: m.release_date, channels: parsed.kind === 'file' ? [] : [c] })),
    };
  }
  const reader = await openSourceReader(parsed, { home: opts.home ?? frameworksHome(), ...(opts.dialer ? { dialer: opts.dialer } : {}), ...(opts.executor ? { executor: opts.executor } : {}) });
  const names = opts.channel ? [opts.channel] : await sourceChannels(reader);
  const channels: ReleaseListing['channels'] = [];
  for (const c of names) {
    const p = await readChannelPointer(reader, c);
    channels.push({ channel: c, platform_version: p.platform_version, manifest: p.manifest, updated_at: p.updated_at ?? null });
  }
  const versions = opts.channel ? channels.map((c) => c.platform_version) : ((await sourceVersions(reader)) ?? channels.map((c) => c.platform_version));
  const releases: ReleaseListing['releases'] = [];
  for (const v of [...new Set(versions)]) {
    const rel = channels.find((c) => c.platform_version === v)?.manifest;
    let date: string | null = null;
    for (const file of rel ? [rel] : releaseFiles(v)) {
      const text = await reader.read(file);
      if (text === undefined) continue;
      // A listing shows what it can: a release that does not parse still gets its row (show/deploy name the problem).
      const doc = await parseReleaseText(text, reader.where(file)).catch(() => undefined);
      const d = (doc as { release_date?: unknown } | undefined)?.release_date;
      date = typeof d === 'string' ? d : d instanceof Date ? d.toISOString() : null;
      break;
    }
    releases.push({ version: v, release_date: date, channels: channels.filter((c) => c.platform_version === v).map((c) => c.channel) });
  }
  releases.sort((a, b) => (b.release_date ?? '').localeCompare(a.release_date ?? '') || b.version.localeCompare(a.version));
  return { origin: { kind: parsed.kind, spec: parsed.spec, source: describeSource(parsed), offline: reader.offline ?? null }, channels, releases };
}

/**
 * The gate every deploying command applies: an image without a digest is refused (RELEASE_UNPINNED,
 * exit 1, naming it) unless the user allows it; then it is a warning (and the caller records it in the
 * stack's files). `only` limits the check to the services the command deploys.
 */
export function checkPinned(release: LoadedRelease, allowUnpinned: boolean, only?: readonly string[]): { code: string; message: string } | undefined {
  const unpinned = release.unpinned.filter((s) => !only || only.includes(s));
  if (!unpinned.length) return undefined;
  const refs = unpinned.map((s) => {
    const i = release.images.find((x) => x.service === s)!;
    return `${s} (${i.tag ? `${i.image}:${i.tag}` : i.image})`;
  });
  const what = `Release ${release.version} from ${release.origin.source} has no digest for ${refs.join(', ')}`;
  if (!allowUnpinned) {
    throw new FrameworksError(`${what}: an image without a digest can change under the same tag, so it is not deployed. Nothing was changed.`, {
      code: 'RELEASE_UNPINNED',
      exitCode: ExitCode.FAILED,
      suggestions: ['Ask the publisher to add `digest: sha256:…` to each entry', 'Deploy it anyway (recorded in the stack\'s files): add --allow-unpinned'],
    });
  }
  return { code: 'IMAGES_NOT_PINNED', message: `${what}; deployed by tag because of --allow-unpinned (recorded in the stack's files).` };
}

export interface ReleaseDiff {
  from: string;
  to: string;
  added: Array<{ service: string; image: string; digest: string | null; version: string | null }>;
  removed: Array<{ service: string; image: string; digest: string | null; version: string | null }>;
  changed: Array<{ service: string; from: { image: string; digest: string | null; version: string | null }; to: { image: string; digest: string | null; version: string | null } }>;
  unchanged: string[];
}

/** What changes between two releases, image by image (service name as the key). */
export function diffReleases(a: LoadedRelease, b: LoadedRelease): ReleaseDiff {
  const view = (i: ReleaseImage) => ({ image: i.tag && !i.digest ? `${i.image}:${i.tag}` : i.image, digest: i.digest ?? null, version: i.version ?? null });
  const byName = (r: LoadedRelease) => new Map(r.images.map((i) => [i.service, i]));
  const A = byName(a);
  const B = byName(b);
  const out: ReleaseDiff = { from: a.version, to: b.version, added: [], removed: [], changed: [], unchanged: [] };
  for (const [s, i] of B) if (!A.has(s)) out.added.push({ service: s, ...view(i) });
  for (const [s, i] of A) {
    const j = B.get(s);
    if (!j) out.removed.push({ service: s, ...view(i) });
    else if (JSON.stringify(view(i)) !== JSON.stringify(view(j))) out.changed.push({ service: s, from: view(i), to: view(j) });
    else out.unchanged.push(s);
  }
  return out;
}
