import { ExitCode, FrameworksError, usageError } from '../errors.js';
import { ajvMessages, keyPath, type AjvErrorLike } from '../schema/ajv-messages.js';
import { IMAGE_DIGEST_PATTERN, IMAGE_NAME_PATTERN, IMAGE_TAG_PATTERN, parseImageRef, type ImageSpec } from './image-ref.js';
import type { PinnedImage } from './pinned.js';

/**
 * The release manifest, one format for edge and central services, as upstream publishes it
 * (`releases/<version>.yaml` of a release source; `channels/<channel>.yaml` points at one):
 *
 *   platform_version: v0.1.0-rc2
 *   git_commit: 0123abc…
 *   release_date: "2026-11-30T12:00:00Z"
 *   min_cli_version: 0.1.0                 # optional: an older CLI refuses to deploy it
 *   services:
 *     - { name: helmsman, service_version: v0.1.0, image: ghcr.io/…/helmsman, digest: "sha256:…", tag: v0.1.0 }
 *   infrastructure:         [ { name: caddy, image: caddy, digest: "sha256:…" } ]
 *   external_dependencies:  [ { name: mistserver, image: livepeerframeworks/mistserver, digest: "sha256:…" } ]
 *   interfaces: []
 *   native_binaries: [ { name: frameworks, version: v0.1.0, artifacts: [ { arch: linux-amd64, url: …, checksum: "sha256:…", size_bytes: 1 } ] } ]
 *
 * Every entry with an `image` is a deployable image; names are unique across the lists.
 */
export interface ReleaseImageEntry {
  name: string;
  service_version?: string;
  version?: string;
  image?: string;
  digest?: string;
  tag?: string;
  /** Alternate registries: name → {image, digest}. */
  images?: Record<string, { image: string; digest?: string; tag?: string }>;
  source_hash?: string;
  [extra: string]: unknown;
}

export interface NativeBinary {
  name: string;
  version?: string;
  arch?: string;
  url?: string;
  checksum?: string;
  size_bytes?: number;
  artifacts?: Array<{ arch: string; url?: string; checksum: string; size_bytes?: number; [extra: string]: unknown }>;
  [extra: string]: unknown;
}

export interface ReleaseManifest {
  platform_version: string;
  git_commit: string;
  release_date: string;
  min_cli_version?: string;
  services: ReleaseImageEntry[];
  interfaces?: ReleaseImageEntry[];
  infrastructure?: ReleaseImageEntry[];
  external_dependencies?: ReleaseImageEntry[];
  native_binaries?: NativeBinary[];
  [extra: string]: unknown;
}

/** `channels/<channel>.yaml`: which release a channel points at. */
export interface ChannelPointer {
  platform_version: string;
  /** Relative to the source's root, e.g. releases/v0.1.0-rc2.yaml. */
  manifest: string;
  updated_at?: string;
}

/** The lists of a manifest that hold images, in the order output shows them. */
export const IMAGE_LISTS = ['services', 'infrastructure', 'external_dependencies', 'interfaces'] as const;
export type ImageList = (typeof IMAGE_LISTS)[number];

export const CHANNEL_NAME_PATTERN = '^[a-z0-9][a-z0-9._-]{0,62}$';
export const RELEASE_VERSION_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$';
const CHECKSUM_PATTERN = '^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$';
const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})$';

const alternate = {
  type: 'object',
  required: ['image'],
  properties: {
    image: { type: 'string', pattern: IMAGE_NAME_PATTERN },
    digest: { type: 'string', pattern: IMAGE_DIGEST_PATTERN },
    tag: { type: 'string', pattern: IMAGE_TAG_PATTERN },
  },
} as const;

const imageEntry = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' },
    service_version: { type: 'string', minLength: 1 },
    version: { type: 'string', minLength: 1 },
    image: { type: 'string', pattern: IMAGE_NAME_PATTERN },
    digest: { type: 'string', pattern: IMAGE_DIGEST_PATTERN },
    tag: { type: 'string', pattern: IMAGE_TAG_PATTERN },
    images: { type: 'object', additionalProperties: alternate },
    source_hash: { type: 'string' },
  },
} as const;

const artifact = {
  type: 'object',
  required: ['arch', 'checksum'],
  properties: {
    arch: { type: 'string', pattern: '^[a-z0-9]+-[a-z0-9_]+$' },
    url: { type: 'string' },
    checksum: { type: 'string', pattern: CHECKSUM_PATTERN },
    size_bytes: { type: 'integer', minimum: 0 },
  },
} as const;

export const releaseManifestSchema = {
  $id: 'https://frameworks.dev/schemas/release-manifest-2.json',
  type: 'object',
  required: ['platform_version', 'git_commit', 'release_date', 'services'],
  properties: {
    platform_version: { type: 'string', pattern: RELEASE_VERSION_PATTERN },
    git_commit: { type: 'string', minLength: 1 },
    release_date: { type: 'string', pattern: RFC3339 },
    min_cli_version: { type: 'string', pattern: '^v?\\d+\\.\\d+\\.\\d+(?:[-+][0-9A-Za-z.-]+)?$' },
    services: { type: 'array', items: imageEntry },
    interfaces: { type: 'array', items: imageEntry },
    infrastructure: { type: 'array', items: imageEntry },
    external_dependencies: { type: 'array', items: imageEntry },
    native_binaries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          version: { type: 'string' },
          arch: artifact.properties.arch,
          url: { type: 'string' },
          checksum: artifact.properties.checksum,
          size_bytes: artifact.properties.size_bytes,
          artifacts: { type: 'array', items: artifact },
        },
      },
    },
  },
} as const;

export const channelPointerSchema = {
  $id: 'https://frameworks.dev/schemas/release-channel-1.json',
  type: 'object',
  required: ['platform_version', 'manifest'],
  properties: {
    platform_version: { type: 'string', pattern: RELEASE_VERSION_PATTERN },
    manifest: { type: 'string', pattern: '^(?!/)(?!.*(?:^|/)\\.\\.(?:/|$))[A-Za-z0-9._/+-]+\\.(?:ya?ml|json)$' },
    updated_at: { type: 'string', pattern: RFC3339 },
  },
} as const;

/** The reference a compose file gets: `image@digest` whenever a digest is known, else `image:tag`. */
export function imageRef(spec: ImageSpec): string {
  if (spec.digest) return `${spec.image}@${spec.digest}`;
  return spec.tag ? `${spec.image}:${spec.tag}` : spec.image;
}

// ---------------------------------------------------------------- validation (ajv, loaded lazily)

type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvErrorLike[] | null };
const compiled = new Map<string, ValidateFn>();

async function validator(schema: { $id: string }): Promise<ValidateFn> {
  let fn = compiled.get(schema.$id);
  if (!fn) {
    const { Ajv } = await import('ajv');
    fn = new Ajv({ allErrors: true, strict: false }).compile(schema) as unknown as ValidateFn;
    compiled.set(schema.$id, fn);
  }
  return fn;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const p of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

/** `/services/1/digest` → `services[1].digest`: how the key path reads in a YAML list. */
export function releaseKeyPath(pointer: string): string {
  return keyPath(pointer).replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

const PATTERN_MEANING: Record<string, string> = {
  image: 'is not an image name (lower-case path components, optional registry host[:port]/ prefix)',
  tag: 'is not an image tag (letters, digits, _ . -; at most 128)',
  digest: 'is not a digest (sha256:<64 lower-case hex digits>)',
  checksum: 'is not a checksum (sha256:<hex> or sha512:<hex>)',
  platform_version: 'is not a release version (letters, digits, . _ + -)',
  release_date: 'is not an RFC 3339 time (2026-11-30T12:00:00Z)',
  updated_at: 'is not an RFC 3339 time (2026-11-30T12:00:00Z)',
  min_cli_version: 'is not a version (1.2.3)',
  manifest: 'is not a relative path to a .yaml file inside the source',
  name: 'is not a name (lower-case letters, digits, . _ -)',
};

function wording(doc: unknown) {
  return (e: AjvErrorLike, pointer: string): string | undefined => {
    const params = e.params ?? {};
    const path = releaseKeyPath(pointer);
    switch (e.keyword) {
      case 'required':
        return `${releaseKeyPath(`${pointer}/${String(params.missingProperty)}`)}: is required`;
      case 'type':
        return `${path}: must be ${params.type === 'object' ? 'a mapping' : params.type === 'array' ? 'a list' : `a ${String(params.type)}`}`;
      case 'pattern': {
        const value = valueAt(doc, pointer);
        const shown = typeof value === 'string' ? ` ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}` : '';
        return `${path}:${shown} ${PATTERN_MEANING[pointer.split('/').pop() ?? ''] ?? 'has an invalid format'}`;
      }
      default:
        return e.keyword === 'additionalProperties' || e.keyword === 'const' || e.keyword === 'enum' ? undefined : `${path}: ${e.message ?? 'is invalid'}`;
    }
  };
}

/** What the schema cannot say: names unique across the image lists. */
function ruleProblems(doc: unknown): string[] {
  const out: string[] = [];
  const seen = new Map<string, string>();
  for (const list of IMAGE_LISTS) {
    const entries = (doc as Record<string, unknown>)?.[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((e, i) => {
      const name = (e as { name?: unknown })?.name;
      if (typeof name !== 'string') return;
      const here = `${list}[${i}]`;
      if (seen.has(name)) out.push(`${here}.name: "${name}" is already the name of ${seen.get(name)}`);
      else seen.set(name, here);
    });
  }
  return out;
}

/** Where a document came from, for messages: "releases/v1.yaml of /srv/releases" or a URL. */
export type DocOrigin = string;

export function manifestInvalid(origin: DocOrigin, detail: string, cause?: unknown, what = 'Release manifest'): FrameworksError {
  return new FrameworksError(`${what} ${origin} is invalid: ${detail}`, {
    code: 'RELEASE_MANIFEST_INVALID',
    exitCode: ExitCode.CONFIG_INVALID,
    name: 'ConfigError',
    cause,
    suggestions: [`Fix the key named above in ${origin} (the publisher of the release must), then run the command again`, 'frameworks release list'],
  });
}

async function check<T>(schema: { $id: string }, doc: unknown, origin: DocOrigin, what: string, extra: (d: unknown) => string[]): Promise<T> {
  const validate = await validator(schema);
  const problems = validate(doc) ? [] : ajvMessages(validate.errors, { wording: wording(doc) });
  problems.push(...extra(doc));
  if (problems.length) throw manifestInvalid(origin, `\n  - ${[...new Set(problems)].join('\n  - ')}`, undefined, what);
  return doc as T;
}

export const validateReleaseManifest = (doc: unknown, origin: DocOrigin): Promise<ReleaseManifest> =>
  check<ReleaseManifest>(releaseManifestSchema, doc, origin, 'Release manifest', ruleProblems);

export const validateChannelPointer = (doc: unknown, origin: DocOrigin): Promise<ChannelPointer> =>
  check<ChannelPointer>(channelPointerSchema, doc, origin, 'Channel pointer', () => []);

/** YAML (or JSON: a `.json` name or text starting with `{`) → data; a syntax error names the line and column. */
export async function parseReleaseText(text: string, origin: DocOrigin, what = 'Release manifest'): Promise<unknown> {
  let data: unknown;
  if (/\.json$/i.test(origin) || /^\s*\{/.test(text)) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw manifestInvalid(origin, `not valid JSON: ${(err as Error).message}`, err, what);
    }
  } else {
    const yaml = await import('js-yaml');
    try {
      data = yaml.load(text, { filename: origin });
    } catch (err) {
      const e = err as { reason?: string; mark?: { line: number; column: number } };
      const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
      throw manifestInvalid(origin, `not valid YAML${where}: ${e.reason ?? (err as Error).message}`, err, what);
    }
  }
  if (data === null || data === undefined) throw manifestInvalid(origin, 'the file is empty', undefined, what);
  return data;
}

/** Every deployable image of a release, in list order (services, infrastructure, external dependencies, interfaces). */
export function releaseImages(m: ReleaseManifest): Array<PinnedImage & { list: ImageList; version?: string }> {
  const out: Array<PinnedImage & { list: ImageList; version?: string }> = [];
  for (const list of IMAGE_LISTS) {
    for (const e of m[list] ?? []) {
      if (!e.image) continue;
      const version = e.service_version ?? e.version;
      out.push({ service: e.name, image: e.image, ...(e.digest ? { digest: e.digest } : {}), ...(e.tag ? { tag: e.tag } : {}), list, ...(version ? { version } : {}) });
    }
  }
  return out;
}

/** `1.2.3[-pre]` compare: negative when a < b. Pre-releases sort before their release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.replace(/^v/, '').split(/[-+]/, 2);
    return { nums: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if ((x.nums[i] ?? 0) !== (y.nums[i] ?? 0)) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (x.pre && !y.pre) return -1;
  if (!x.pre && y.pre) return 1;
  return (x.pre ?? '').localeCompare(y.pre ?? '');
}

/** An older CLI must refuse a release that needs a newer one (exit 1). */
export function checkMinCliVersion(m: ReleaseManifest, cliVersion: string, origin: DocOrigin): void {
  if (!m.min_cli_version || compareVersions(cliVersion, m.min_cli_version) >= 0) return;
  throw new FrameworksError(
    `Release ${m.platform_version} (${origin}) needs frameworks ${m.min_cli_version} or newer; this is ${cliVersion}. Nothing was changed.`,
    {
      code: 'RELEASE_NEEDS_NEWER_CLI',
      exitCode: ExitCode.FAILED,
      suggestions: ['npm install -g @frameworks/cli@latest', 'frameworks version', 'frameworks release list   # pick an older release with --version'],
    },
  );
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
