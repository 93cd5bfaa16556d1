import { readFile } from 'node:fs/promises';
import { ExitCode, FrameworksError, configError, usageError } from '../errors.js';
import { ajvMessages, keyPath, type AjvErrorLike } from '../schema/ajv-messages.js';
import { tildify } from '../paths.js';
import { IMAGE_DIGEST_PATTERN, IMAGE_NAME_PATTERN, IMAGE_TAG_PATTERN, parseImageRef, type ImageSpec } from './image-ref.js';

/**
 * The release manifest, one format for every plugin that pins images (edge, services):
 *
 *   schema_version: 1
 *   channels:
 *     stable:
 *       version: "2025.09.1"                 # optional release label
 *       images:
 *         caddy: { image: caddy, tag: "2.10.0", digest: "sha256:…" }   # a tag, a digest, or both
 *
 * Which services a channel must or may name is the plugin's business (ManifestRules).
 */
export interface ChannelRelease {
  version?: string;
  images: Record<string, ImageSpec>;
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

export interface ManifestRules {
  /** Prefix of the error codes: EDGE → EDGE_RELEASE_MANIFEST_INVALID, … */
  codePrefix: string;
  /** Services every channel must define. */
  required?: readonly string[];
  /** The only services a channel may define (default: any). */
  known?: readonly string[];
  /** What to do instead, e.g. "Or leave out --release-manifest to use the built-in manifest". */
  fallbackHint: string;
}

export const CHANNEL_NAME_PATTERN = '^[a-z0-9][a-z0-9._-]{0,62}$';

const imageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['image'],
  properties: {
    image: { type: 'string', pattern: IMAGE_NAME_PATTERN },
    tag: { type: 'string', pattern: IMAGE_TAG_PATTERN },
    digest: { type: 'string', pattern: IMAGE_DIGEST_PATTERN },
  },
} as const;

export const releaseManifestSchema = {
  $id: 'https://frameworks.dev/schemas/release-manifest-1.json',
  type: 'object',
  additionalProperties: false,
  required: ['schema_version', 'channels'],
  properties: {
    $schema: { type: 'string' },
    schema_version: { const: 1 },
    channels: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: CHANNEL_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['images'],
        properties: {
          version: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$' },
          images: { type: 'object', additionalProperties: imageSchema },
        },
      },
    },
  },
} as const;

/** The reference a compose file gets: `image@digest` whenever a digest is known, else `image:tag`. */
export function imageRef(spec: ImageSpec): string {
  if (spec.digest) return `${spec.image}@${spec.digest}`;
  return spec.tag ? `${spec.image}:${spec.tag}` : spec.image;
}

// ---------------------------------------------------------------- validation (ajv, loaded lazily)

type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvErrorLike[] | null };
let compiled: ValidateFn | undefined;

async function validator(): Promise<ValidateFn> {
  if (!compiled) {
    const { Ajv } = await import('ajv');
    compiled = new Ajv({ allErrors: true, strict: false }).compile(releaseManifestSchema) as unknown as ValidateFn;
  }
  return compiled;
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

/** The manifest's own wording for the errors where the generic one says too little (ajvMessages does the rest). */
function wording(doc: unknown) {
  return (e: AjvErrorLike, pointer: string): string | undefined => {
    const params = e.params ?? {};
    switch (e.keyword) {
      case 'propertyNames':
        return `${keyPath(pointer)}: "${String(params.propertyName)}" is not a valid channel name (lower-case letters, digits, . _ -)`;
      case 'minProperties':
        return `${keyPath(pointer)}: must define at least one channel`;
      case 'type':
        return `${keyPath(pointer)}: must be ${params.type === 'object' ? 'a mapping' : `a ${String(params.type)}`}`;
      case 'pattern': {
        const value = valueAt(doc, pointer);
        const shown = typeof value === 'string' ? ` ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}` : '';
        return `${keyPath(pointer)}:${shown} ${PATTERN_MEANING[pointer.split('/').pop() ?? ''] ?? 'has an invalid format'}`;
      }
      default:
        return undefined;
    }
  };
}

/** What the schema cannot say: the services a channel must and may name, and a tag or a digest per image. */
function ruleProblems(doc: unknown, rules: ManifestRules): string[] {
  const channels = (doc as { channels?: unknown })?.channels;
  if (!channels || typeof channels !== 'object') return [];
  const out: string[] = [];
  for (const [name, ch] of Object.entries(channels as Record<string, unknown>)) {
    const images = (ch as { images?: unknown })?.images;
    if (!images || typeof images !== 'object') continue;
    for (const svc of rules.required ?? []) if (!Object.hasOwn(images, svc)) out.push(`channels.${name}.images.${svc}: is required`);
    for (const [svc, spec] of Object.entries(images as Record<string, unknown>)) {
      if (rules.known && !rules.known.includes(svc)) out.push(`channels.${name}.images.${svc}: unknown service (services are ${rules.known.join(', ')})`);
      else if (spec && typeof spec === 'object' && !('tag' in spec) && !('digest' in spec)) out.push(`channels.${name}.images.${svc}: needs a tag or a digest`);
    }
  }
  return out;
}

function invalid(file: string, rules: ManifestRules, detail: string, cause?: unknown): FrameworksError {
  const hint = [`Fix the key named above in ${tildify(file)}`, rules.fallbackHint];
  return configError(`Release manifest ${tildify(file)} is invalid: ${detail}`, hint, `${rules.codePrefix}_RELEASE_MANIFEST_INVALID`, cause);
}

/** Validate a parsed manifest; exit 4 naming the file and every bad key path. */
export async function validateReleaseManifest(doc: unknown, file: string, rules: ManifestRules): Promise<ReleaseManifest> {
  const validate = await validator();
  const problems = validate(doc) ? [] : ajvMessages(validate.errors, { wording: wording(doc) });
  problems.push(...ruleProblems(doc, rules));
  if (problems.length) throw invalid(file, rules, `\n  - ${[...new Set(problems)].join('\n  - ')}`);
  return doc as ReleaseManifest;
}

/** Read a manifest file (YAML, or JSON — a `.json` file or one starting with `{` is parsed as JSON). */
export async function loadReleaseManifest(file: string, rules: ManifestRules): Promise<LoadedManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      const hint = ['Give the path of the release manifest (YAML or JSON)'];
      throw usageError(`--release-manifest ${tildify(file)}: no such file.`, hint, `${rules.codePrefix}_RELEASE_MANIFEST_NOT_FOUND`);
    }
    throw new FrameworksError(`Cannot read the release manifest ${tildify(file)}: ${(err as Error).message}`, {
      code: `${rules.codePrefix}_RELEASE_MANIFEST_UNREADABLE`,
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
      throw invalid(file, rules, `not valid JSON: ${(err as Error).message}`, err);
    }
  } else {
    const yaml = await import('js-yaml');
    try {
      data = yaml.load(text, { filename: file });
    } catch (err) {
      const e = err as { reason?: string; mark?: { line: number; column: number } };
      const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
      throw invalid(file, rules, `not valid YAML${where}: ${e.reason ?? (err as Error).message}`, err);
    }
  }
  if (data === null || data === undefined) throw invalid(file, rules, 'the file is empty');
  return { manifest: await validateReleaseManifest(data, file, rules), source: file };
}

/** One channel of a manifest; an unknown one is exit 2 naming the channels there are. */
export function pickChannel(loaded: LoadedManifest, channel: string): ChannelRelease {
  const channels = loaded.manifest.channels;
  if (Object.hasOwn(channels, channel)) return channels[channel];
  const known = Object.keys(channels);
  const from = loaded.source === 'built-in' ? 'the built-in release manifest' : `the release manifest ${tildify(loaded.source)}`;
  throw usageError(`Unknown channel "${channel}": ${from} has ${known.join(', ')}.`, known.map((c) => `--channel ${c}`), 'UNKNOWN_CHANNEL');
}

/**
 * `--image service=ref`: the service name and the parsed reference, or why not (exit 2). `service`
 * maps the name the user typed to the plugin's (undefined when there is no such service).
 */
export function parseImageOverride(
  raw: string,
  hint: string[],
  service: (name: string) => string | undefined,
  problem: (name: string) => FrameworksError,
): { service: string; spec: ImageSpec } {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw usageError(`--image ${JSON.stringify(raw)}: expected <service>=<image reference>.`, hint, 'INVALID_IMAGE');
  const name = service(raw.slice(0, eq));
  if (name === undefined) throw problem(raw.slice(0, eq));
  const parsed = parseImageRef(raw.slice(eq + 1));
  if (typeof parsed === 'string') throw usageError(`--image ${JSON.stringify(raw)}: ${parsed}.`, hint, 'INVALID_IMAGE');
  return { service: name, spec: parsed };
}

