import { readFile } from 'node:fs/promises';
import { ExitCode, FrameworksError, IMAGE_DIGEST_PATTERN, IMAGE_NAME_PATTERN, IMAGE_TAG_PATTERN, configError, parseImageRef, tildify, usageError, type ImageSpec } from '@frameworks/sdk';
import type { Catalog } from './catalog.js';
import { canonicalName, unknownServiceError } from './selection.js';

/**
 * Image pinning, the same mechanism as `edge init`: a release manifest (YAML or JSON) maps each
 * service of a channel to image + tag + digest; the fragment gets `image@digest` whenever a digest
 * is known, else `image:tag`. --image SERVICE=REF overrides one service.
 *
 *   schema_version: 1
 *   channels:
 *     stable:
 *       version: 2025.09.1
 *       images:
 *         quartermaster: { image: ghcr.io/…/quartermaster, tag: v1.2.3, digest: "sha256:…" }
 */
export type { ImageSpec } from '@frameworks/sdk';

export interface ReleaseManifest {
  schema_version: 1;
  channels: Record<string, { version?: string; images: Record<string, ImageSpec> }>;
}

export interface ResolvedImages {
  channel: string;
  version?: string;
  /** "catalog" (no manifest given) or the manifest file. */
  source: string;
  /** service → reference written into its fragment. */
  refs: Record<string, string>;
  overridden: string[];
  /** Services whose reference carries no digest. */
  unpinned: string[];
}

export function imageRef(spec: ImageSpec): string {
  if (spec.digest) return `${spec.image}@${spec.digest}`;
  return spec.tag ? `${spec.image}:${spec.tag}` : spec.image;
}

export { parseImageRef };

/** `--image service=ref`, repeatable. Unknown service → exit 2 with the list. */
export function parseImageOverrides(catalog: Catalog, values: string[] | undefined): Record<string, ImageSpec> {
  const out: Record<string, ImageSpec> = {};
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw usageError(`--image ${JSON.stringify(raw)}: expected <service>=<image reference>.`, ['e.g. --image quartermaster=ghcr.io/acme/quartermaster:v1'], 'INVALID_IMAGE');
    const service = canonicalName(catalog, raw.slice(0, eq));
    if (!Object.hasOwn(catalog.services, service)) throw unknownServiceError(catalog, [raw.slice(0, eq)], '--image');
    const parsed = parseImageRef(raw.slice(eq + 1));
    if (typeof parsed === 'string') throw usageError(`--image ${JSON.stringify(raw)}: ${parsed}.`, ['e.g. --image quartermaster=ghcr.io/acme/quartermaster:v1'], 'INVALID_IMAGE');
    out[service] = parsed;
  }
  return out;
}

const manifestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['schema_version', 'channels'],
  properties: {
    schema_version: { const: 1 },
    channels: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['images'],
        properties: {
          version: { type: 'string' },
          images: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              required: ['image'],
              anyOf: [{ required: ['tag'] }, { required: ['digest'] }],
              properties: {
                image: { type: 'string', pattern: IMAGE_NAME_PATTERN },
                tag: { type: 'string', pattern: IMAGE_TAG_PATTERN },
                digest: { type: 'string', pattern: IMAGE_DIGEST_PATTERN },
              },
            },
          },
        },
      },
    },
  },
} as const;

export async function loadReleaseManifest(file: string): Promise<ReleaseManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw usageError(`--release-manifest ${tildify(file)}: no such file.`, ['Give the path of the release manifest (YAML or JSON)'], 'SERVICES_RELEASE_MANIFEST_NOT_FOUND');
    throw new FrameworksError(`Cannot read the release manifest ${tildify(file)}: ${(err as Error).message}`, { code: 'SERVICES_RELEASE_MANIFEST_UNREADABLE', exitCode: ExitCode.CONFIG_INVALID, cause: err });
  }
  const bad = (detail: string) => configError(`Release manifest ${tildify(file)} is invalid: ${detail}`, [`Fix ${tildify(file)}`, 'Or leave out --release-manifest to use the catalog images'], 'SERVICES_RELEASE_MANIFEST_INVALID');
  let data: unknown;
  try {
    data = /\.json$/i.test(file) || /^\s*\{/.test(text) ? JSON.parse(text) : (await import('js-yaml')).load(text);
  } catch (err) {
    throw bad((err as Error).message.split('\n')[0]);
  }
  const mod = (await import('ajv')) as unknown as { Ajv: new (o: Record<string, unknown>) => { compile(s: object): ((d: unknown) => boolean) & { errors?: Array<{ instancePath?: string; message?: string }> | null } } };
  const validate = new mod.Ajv({ allErrors: true, strict: false }).compile(manifestSchema);
  if (!validate(data)) throw bad((validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath?.slice(1).replace(/\//g, '.') || '(top level)'}: ${e.message}`).join('; '));
  return data as ReleaseManifest;
}

/** Every selected service's image: --image > manifest channel > catalog default. */
export function resolveImages(catalog: Catalog, services: string[], opts: { manifest?: ReleaseManifest; source?: string; channel: string; overrides?: Record<string, ImageSpec> }): ResolvedImages {
  const release = opts.manifest ? (Object.hasOwn(opts.manifest.channels, opts.channel) ? opts.manifest.channels[opts.channel] : undefined) : undefined;
  if (opts.manifest && !release) {
    const known = Object.keys(opts.manifest.channels);
    throw usageError(`Unknown channel "${opts.channel}": the release manifest has ${known.join(', ')}.`, known.map((c) => `--channel ${c}`), 'UNKNOWN_CHANNEL');
  }
  const refs: Record<string, string> = {};
  const overridden: string[] = [];
  const unpinned: string[] = [];
  for (const s of services) {
    const o = opts.overrides?.[s];
    if (o) overridden.push(s);
    const fromManifest = release && Object.hasOwn(release.images, s) ? release.images[s] : undefined;
    const spec: ImageSpec | string = o ?? fromManifest ?? catalog.services[s].image;
    refs[s] = typeof spec === 'string' ? spec : imageRef(spec);
    if (typeof spec === 'string' || !spec.digest) unpinned.push(s);
  }
  return { channel: opts.channel, ...(release?.version ? { version: release.version } : {}), source: opts.manifest ? (opts.source ?? 'manifest') : 'catalog', refs, overridden, unpinned };
}
