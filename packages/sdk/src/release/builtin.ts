import type { ReleaseManifest } from './manifest.js';

/**
 * The release compiled into the CLI: the fallback when no release source is set (`release.source`,
 * `--release-source`). It carries tags only — digests exist once the release pipeline publishes a
 * release — so its images are never "pinned"; consumers warn (IMAGES_NOT_PINNED). caddy is the official
 * image; mistserver and helmsman are FrameWorks' images.
 */
const edge = (channel: 'stable' | 'canary'): ReleaseManifest => ({
  platform_version: `builtin-${channel}`,
  git_commit: 'built-in',
  release_date: '2026-01-01T00:00:00Z',
  services: [{ name: 'helmsman', image: 'livepeerframeworks/helmsman', tag: channel }],
  infrastructure: [{ name: 'caddy', image: 'caddy', tag: '2.10.0' }],
  external_dependencies: [{ name: 'mistserver', image: 'livepeerframeworks/mistserver', tag: channel }],
});

export const BUILTIN_CHANNELS: Readonly<Record<string, ReleaseManifest>> = { stable: edge('stable'), canary: edge('canary') };
