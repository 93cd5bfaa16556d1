import { Flags } from '@oclif/core';
import type { ContextConfig, LoadReleaseOptions, LoadedRelease } from '@frameworks/sdk';

/**
 * The flags that pick a release, shared by every command that deploys or shows one (edge init|update,
 * services plan|up, release *): one spelling, one help text, one precedence — flag > the context's
 * `release.source` / `release.public_key` > the built-in release.
 */
export const releaseSelectFlags = {
  channel: Flags.string({
    helpGroup: 'RELEASE',
    description: 'Release channel: channels/<channel>.yaml of the release source points at the release (default stable).',
  }),
  version: Flags.string({
    helpGroup: 'RELEASE',
    description: 'A release by version (releases/<version>.yaml of the release source) instead of a channel.',
  }),
  'release-source': Flags.string({
    helpGroup: 'RELEASE',
    description: "Where releases are published: a folder, an https:// URL or a git repository (default: the context's release.source, else the built-in release).",
  }),
};

export const allowUnpinnedFlag = {
  'allow-unpinned': Flags.boolean({
    helpGroup: 'RELEASE',
    description: "Deploy release images that have no digest (by tag); warned, and recorded in the stack's files.",
  }),
};

/** The manifest's public key for commands that only read releases (`release *`); deploying commands get `--key` with `--verify`. */
export const releaseKeyFlag = {
  key: Flags.string({
    helpGroup: 'RELEASE',
    description: "cosign public key (PEM file) that signs the release manifests (default: the context's release.public_key).",
  }),
};

export interface ReleaseFlagValues {
  channel?: string;
  version?: string;
  'release-source'?: string;
  key?: string;
}

/** Loader options from the flags and the context (flag > context > built-in). */
export function releaseLoadOptions(flags: ReleaseFlagValues, ctx: ContextConfig | undefined, cliVersion: string): LoadReleaseOptions {
  const source = flags['release-source'] ?? ctx?.release?.source;
  const key = flags.key ?? ctx?.release?.public_key;
  return {
    ...(source ? { source } : {}),
    ...(flags.channel ? { channel: flags.channel } : {}),
    ...(flags.version ? { version: flags.version } : {}),
    ...(key ? { publicKey: key } : {}),
    cliVersion,
  };
}

/** Warnings every command that loaded a release shows: the source was unreachable and its cache was used. */
export function releaseNotices(r: { origin: Pick<LoadedRelease['origin'], 'offline'> }): Array<{ code: string; message: string }> {
  const off = r.origin.offline;
  if (!off) return [];
  const when = off.cached_at ? ` fetched ${off.cached_at}` : '';
  return [{ code: 'RELEASE_SOURCE_OFFLINE', message: `Release source unreachable (${off.reason}): using the cached copy${when}.` }];
}
