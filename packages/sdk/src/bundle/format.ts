import { createHash } from 'node:crypto';
import type { PinnedImage } from '../release/pinned.js';

/**
 * An offline bundle is one tar file (FORMAT below). Its `manifest.json` is the only thing a signature
 * covers: it carries the sha256 and size of every other member (as Zarf's zarf.yaml does), so one
 * signature over it covers the whole bundle. manifest.json is written after the members it describes
 * (their checksums are known only then); readers find members by walking the tar headers.
 */
export const BUNDLE_FORMAT = 'frameworks-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const MANIFEST_MEMBER = 'manifest.json';
export const SIGNATURE_MEMBER = 'manifest.json.sig';

export type BundleScope = 'edge' | 'central' | 'all';
export const BUNDLE_SCOPES: readonly BundleScope[] = ['edge', 'central', 'all'];
/** The services of an edge node; every other service of a release is central. */
export const EDGE_BUNDLE_SERVICES: readonly string[] = ['caddy', 'mistserver', 'helmsman'];

export interface BundleMember {
  path: string;
  size: number;
  sha256: string;
}

export interface BundleImage {
  service: string;
  /** Repository as the release names it (no tag, no digest). */
  image: string;
  /** The registry manifest digest the release pins. */
  digest: string;
  tag?: string;
  /** `docker image inspect --format {{.Id}}`: the config digest, what a loaded image is checked against. */
  image_id: string;
  /** images/<service>.tar: what `docker save` wrote. */
  member: string;
  /** The tag `bundle load` gives the loaded image, which the stack references (a loaded image has no registry digest). */
  local_tag: string;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  format_version: number;
  created_at: string;
  scope: BundleScope;
  release: { version: string; channel: string | null; manifest: string; signature: string | null };
  images: BundleImage[];
  /** Every member but manifest.json and its signature, in file order. */
  members: BundleMember[];
}

/**
 * `<image>:bundle-<first 12 hex of the digest>`: deterministic (edge init --bundle computes it from
 * manifest.json alone), unique per pinned digest, and in the release's own repository, so a stray pull
 * goes to the release's registry and fails there rather than fetching something else.
 */
export function localTag(p: Pick<PinnedImage, 'image' | 'digest'>): string {
  const hex = (p.digest ?? '').replace(/^sha\d+:/, '').slice(0, 12) || 'unpinned';
  return `${p.image}:bundle-${hex}`;
}

export const imageMember = (service: string): string => `images/${service}.tar`;

/** A release version usable as a file name; a release without one is named by its content. */
export function bundleVersionName(version: string | undefined, releaseBytes: Uint8Array): string {
  if (version && /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/.test(version)) return version;
  return `unversioned-${createHash('sha256').update(releaseBytes).digest('hex').slice(0, 12)}`;
}

export function scopeServices(scope: BundleScope, services: readonly string[]): string[] {
  if (scope === 'all') return [...services];
  return services.filter((s) => EDGE_BUNDLE_SERVICES.includes(s) === (scope === 'edge'));
}
