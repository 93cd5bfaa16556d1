/**
 * Release manifests and release sources in the SDK's format (`releases/<version>.yaml`, `channels/<c>.yaml`),
 * written by the tests that need a release of their own images.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ImageEntry {
  name: string;
  image: string;
  tag?: string;
  digest?: string;
  list?: 'services' | 'infrastructure' | 'external_dependencies' | 'interfaces';
}

/** `name:tag` or `name@digest` (an image reference) → the entry's image and tag/digest. */
export function entryOf(name: string, ref: string, list?: ImageEntry['list']): ImageEntry {
  const at = ref.indexOf('@');
  if (at > 0) return { name, image: ref.slice(0, at), digest: ref.slice(at + 1), ...(list ? { list } : {}) };
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? { name, image: ref.slice(0, colon), tag: ref.slice(colon + 1), ...(list ? { list } : {}) } : { name, image: ref, ...(list ? { list } : {}) };
}

/** The edge's three images: helmsman a service, caddy infrastructure, mistserver an external dependency. */
export function edgeEntries(refs: { caddy: string; mistserver: string; helmsman: string }): ImageEntry[] {
  return [entryOf('helmsman', refs.helmsman, 'services'), entryOf('caddy', refs.caddy, 'infrastructure'), entryOf('mistserver', refs.mistserver, 'external_dependencies')];
}

export function manifestText(version: string, entries: ImageEntry[], extra: Record<string, string> = {}): string {
  const line = (e: ImageEntry) =>
    `  - { name: ${e.name}, image: ${e.image}${e.tag ? `, tag: "${e.tag}"` : ''}${e.digest ? `, digest: "${e.digest}"` : ''} }`;
  const lists = ['services', 'infrastructure', 'external_dependencies', 'interfaces'] as const;
  const out = [`platform_version: ${version}`, 'git_commit: "0123456789abcdef0123456789abcdef01234567"', 'release_date: "2026-11-30T12:00:00Z"'];
  for (const [k, v] of Object.entries(extra)) out.push(`${k}: ${v}`);
  for (const l of lists) {
    const es = entries.filter((e) => (e.list ?? 'services') === l);
    if (l === 'services' || es.length) out.push(`${l}:${es.length ? '' : ' []'}`, ...es.map(line));
  }
  return out.join('\n') + '\n';
}

export function writeManifest(path: string, version: string, entries: ImageEntry[], extra: Record<string, string> = {}): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, manifestText(version, entries, extra));
  return path;
}

/** A release source folder: releases/<v>.yaml for each release, channels/<c>.yaml pointing at one. */
export function writeSource(root: string, releases: Record<string, ImageEntry[]>, channels: Record<string, string>): string {
  for (const [v, entries] of Object.entries(releases)) writeManifest(join(root, 'releases', `${v}.yaml`), v, entries);
  for (const [c, v] of Object.entries(channels)) writeChannel(root, c, v);
  return root;
}

export function writeChannel(root: string, channel: string, version: string, manifest = `releases/${version}.yaml`): void {
  mkdirSync(join(root, 'channels'), { recursive: true });
  writeFileSync(join(root, 'channels', `${channel}.yaml`), `platform_version: ${version}\nmanifest: ${manifest}\nupdated_at: "2026-11-30T12:00:00Z"\n`);
}
