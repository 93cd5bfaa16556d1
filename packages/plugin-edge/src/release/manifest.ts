import { readFile } from 'node:fs/promises';
import { ExitCode, FrameworksError, configError, tildify, usageError } from '@frameworks/sdk';
import { EDGE_SERVICES, imageRef, type EdgeService, type ImageSpec } from './image-ref.js';
import { releaseManifestSchema } from './schema.js';

export interface ChannelRelease {
  /** Release label, e.g. 2025.09.1. */
  version?: string;
  images: Record<EdgeService, ImageSpec>;
}

export interface ReleaseManifest {
  schema_version: 1;
  channels: Record<string, ChannelRelease>;
}

export interface LoadedManifest {
  manifest: ReleaseManifest;
  /** "built-in" or the file path as given. */
  source: string;
}

/**
 * The manifest compiled into the CLI. The release pipeline publishes the real one (with digests)
 * and pins it here at release time; until then the entries carry tags only, which `edge init`
 * reports as a warning (IMAGES_NOT_PINNED). caddy is the official image; mistserver and helmsman
 * are FrameWorks' images.
 */
export const BUILTIN_MANIFEST: ReleaseManifest = {
  schema_version: 1,
  channels: {
    stable: {
      images: {
        caddy: { image: 'caddy', tag: '2.10.0' },
        mistserver: { image: 'livepeerframeworks/mistserver', tag: 'stable' },
        helmsman: { image: 'livepeerframeworks/helmsman', tag: 'stable' },
      },
    },
    canary: {
      images: {
        caddy: { image: 'caddy', tag: '2.10.0' },
        mistserver: { image: 'livepeerframeworks/mistserver', tag: 'canary' },
        helmsman: { image: 'livepeerframeworks/helmsman', tag: 'canary' },
      },
    },
  },
};

const HINT = (file: string) => [
  `Fix the key named above in ${tildify(file)}`,
  'Or leave out --release-manifest to use the built-in manifest (channels stable and canary)',
];

function invalid(file: string, detail: string, cause?: unknown): FrameworksError {
  return configError(`Release manifest ${tildify(file)} is invalid: ${detail}`, HINT(file), 'EDGE_RELEASE_MANIFEST_INVALID', cause);
}

/** Read a manifest file (YAML, or JSON — a `.json` file or one starting with `{` is parsed as JSON). */
export async function loadReleaseManifest(file: string): Promise<LoadedManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw usageError(`--release-manifest ${tildify(file)}: no such file.`, ['Give the path of the release manifest (YAML or JSON)'], 'EDGE_RELEASE_MANIFEST_NOT_FOUND');
    }
    throw new FrameworksError(`Cannot read the release manifest ${tildify(file)}: ${(err as Error).message}`, {
      code: 'EDGE_RELEASE_MANIFEST_UNREADABLE',
      exitCode: ExitCode.CONFIG_INVALID,
      name: 'ConfigError',
      cause: err,
    });
  }
  let data: unknown;
  if (/\.json$/i.test(file) || /^\s*\{/.test(text)) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw invalid(file, `not valid JSON: ${(err as Error).message}`, err);
    }
  } else {
    const yaml = await import('js-yaml');
    try {
      data = yaml.load(text, { filename: file });
    } catch (err) {
      const e = err as { reason?: string; mark?: { line: number; column: number } };
      const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
      throw invalid(file, `not valid YAML${where}: ${e.reason ?? (err as Error).message}`, err);
    }
  }
  if (data === null || data === undefined) throw invalid(file, 'the file is empty');
  await validateManifest(data, file);
  return { manifest: data as ReleaseManifest, source: file };
}

// ---------------------------------------------------------------- schema validation (ajv, loaded lazily)

interface AjvError {
  keyword: string;
  /** ajv 8 */
  instancePath?: string;
  /** ajv 6 (jsonPointers) */
  dataPath?: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
}
type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
type AjvCtor = new (opts: Record<string, unknown>) => { compile(schema: object): ValidateFn };

let compiled: ValidateFn | undefined;

async function manifestValidator(): Promise<ValidateFn> {
  if (compiled) return compiled;
  // ajv 8 is the intended dependency (named export `Ajv`, as in the SDK). Until this package declares
  // it, npm hoists ajv 6 to the workspace root; both are handled (same schema, same error shape).
  const mod = (await import('ajv')) as unknown as { default: AjvCtor; Ajv?: AjvCtor };
  const v8 = typeof mod.Ajv === 'function';
  const Ajv = mod.Ajv ?? mod.default;
  const ajv = new Ajv(v8 ? { allErrors: true, strict: false } : { allErrors: true, jsonPointers: true });
  compiled = ajv.compile(releaseManifestSchema);
  return compiled;
}

/** `/channels/stable/images` → `channels.stable.images` */
function keyPath(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.length ? parts.join('.') : '(top level)';
}

function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const p of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

const PATTERN_MEANING: Record<string, string> = {
  image: 'is not an image name (lower-case path components, optional registry host[:port]/ prefix)',
  tag: 'is not an image tag (letters, digits, _ . -; at most 128)',
  digest: 'is not a digest (sha256:<64 lower-case hex digits>)',
  version: 'is not a release label (letters, digits, . _ + -)',
};

function describe(e: AjvError, doc: unknown): string {
  const pointer = e.instancePath ?? e.dataPath ?? '';
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const path = keyPath(pointer, key);
      return /\/images$/.test(pointer) ? `${path}: unknown service (services are ${EDGE_SERVICES.join(', ')})` : `${path}: unknown key`;
    }
    case 'required':
      return `${keyPath(pointer, String(e.params.missingProperty))}: is required`;
    case 'propertyNames':
      return `${keyPath(pointer)}: "${String(e.params.propertyName)}" is not a valid channel name (lower-case letters, digits, . _ -)`;
    case 'const':
      return `${keyPath(pointer)}: must be ${JSON.stringify(e.params.allowedValue)}`;
    case 'minProperties':
      return `${keyPath(pointer)}: must define at least one channel`;
    case 'type':
      return `${keyPath(pointer)}: must be ${e.params.type === 'object' ? 'a mapping' : `a ${String(e.params.type)}`}`;
    case 'pattern': {
      const last = pointer.split('/').pop() ?? '';
      const value = valueAt(doc, pointer);
      const shown = typeof value === 'string' ? ` ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}` : '';
      return `${keyPath(pointer)}:${shown} ${PATTERN_MEANING[last] ?? 'has an invalid format'}`;
    }
    default:
      return `${keyPath(pointer)}: ${e.message ?? 'is invalid'}`;
  }
}

/** Validate a parsed manifest; exit 4 naming the file and every bad key path. */
export async function validateManifest(doc: unknown, file: string): Promise<ReleaseManifest> {
  const validate = await manifestValidator();
  if (!validate(doc)) {
    const problems = (validate.errors ?? [])
      // ajv reports a bad channel name twice (propertyNames + the pattern inside it).
      .filter((e) => !(e.keyword === 'pattern' && e.propertyName !== undefined))
      .map((e) => describe(e, doc));
    const unique = [...new Set(problems)];
    throw invalid(file, `\n  - ${unique.join('\n  - ')}`);
  }
  return doc as ReleaseManifest;
}

// ---------------------------------------------------------------- channel resolution

export interface ResolvedRelease {
  channel: string;
  version?: string;
  /** Where the release came from: "built-in" or the manifest file. */
  source: string;
  /** The image of each service after --image overrides. */
  images: Record<EdgeService, ImageSpec>;
  /** The reference written into the compose file for each service. */
  refs: Record<EdgeService, string>;
  /** Services whose image came from --image. */
  overridden: EdgeService[];
  /** Services whose reference has no digest (not pinned). */
  unpinned: EdgeService[];
}

/** Pick a channel (unknown → exit 2 naming the known ones) and apply per-service overrides. */
export function resolveRelease(loaded: LoadedManifest, channel: string, overrides: Partial<Record<EdgeService, ImageSpec>> = {}): ResolvedRelease {
  const channels = loaded.manifest.channels;
  const release = Object.hasOwn(channels, channel) ? channels[channel] : undefined;
  if (!release) {
    const known = Object.keys(channels);
    const from = loaded.source === 'built-in' ? 'the built-in release manifest' : `the release manifest ${tildify(loaded.source)}`;
    throw usageError(`Unknown channel "${channel}": ${from} has ${known.join(', ')}.`, known.map((c) => `--channel ${c}`), 'UNKNOWN_CHANNEL');
  }
  const images = {} as Record<EdgeService, ImageSpec>;
  const refs = {} as Record<EdgeService, string>;
  const overridden: EdgeService[] = [];
  for (const svc of EDGE_SERVICES) {
    const o = overrides[svc];
    if (o) overridden.push(svc);
    images[svc] = o ?? release.images[svc];
    refs[svc] = imageRef(images[svc]);
  }
  return {
    channel,
    ...(release.version ? { version: release.version } : {}),
    source: loaded.source,
    images,
    refs,
    overridden,
    unpinned: EDGE_SERVICES.filter((s) => !images[s].digest),
  };
}

export const builtinManifest = (): LoadedManifest => ({ manifest: BUILTIN_MANIFEST, source: 'built-in' });
