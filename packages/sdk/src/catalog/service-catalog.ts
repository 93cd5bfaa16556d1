import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ExitCode, FrameworksError, configError, usageError } from '../errors.js';
import { tildify } from '../paths.js';
import { ajvMessages, type AjvErrorLike } from '../schema/ajv-messages.js';

export interface HealthSpec {
  /** http: GET path on port answers 2xx; grpc: the port accepts TCP connections. */
  protocol: 'http' | 'grpc';
  path?: string;
  /** Container port. */
  port: number;
}

export interface CatalogService {
  title: string;
  role: string;
  /** Default image reference (name:tag); a release manifest or --image pins it. */
  image: string;
  /** "host:container" or "port". */
  ports: string[];
  health: HealthSpec;
}

export interface Catalog {
  schema_version: 1;
  services: Record<string, CatalogService>;
  profiles: Record<string, string[]>;
}

export interface LoadedCatalog {
  catalog: Catalog;
  /** "built-in" or the file given with --catalog. */
  source: string;
}

/**
 * The service catalog of the central tier, shipped with the SDK (packages/sdk/catalog/catalog.yaml): services plans
 * Compose fragments from it and infra opens the central tier's ports from it, so it lives below both plugins.
 */
export const BUILTIN_CATALOG_PATH = fileURLToPath(new URL('../../catalog/catalog.yaml', import.meta.url));

export const SERVICE_NAME_PATTERN = '^[a-z][a-z0-9_]*$';
const PORT_PATTERN = '^(?:(?:\\d{1,3}\\.){3}\\d{1,3}:)?\\d{1,5}(?::\\d{1,5})?(?:/(?:tcp|udp))?$';

export const catalogSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['schema_version', 'services', 'profiles'],
  properties: {
    schema_version: { const: 1 },
    services: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: SERVICE_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'role', 'image', 'ports', 'health'],
        properties: {
          title: { type: 'string', minLength: 1 },
          role: { type: 'string', pattern: '^[a-z][a-z0-9_-]*$' },
          image: { type: 'string', minLength: 1 },
          ports: { type: 'array', items: { type: 'string', pattern: PORT_PATTERN } },
          health: {
            type: 'object',
            additionalProperties: false,
            required: ['protocol', 'port'],
            properties: {
              protocol: { enum: ['http', 'grpc'] },
              path: { type: 'string', pattern: '^/' },
              port: { type: 'integer', minimum: 1, maximum: 65535 },
            },
            if: { properties: { protocol: { const: 'http' } } },
            then: { required: ['path'] },
          },
        },
      },
    },
    profiles: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
      additionalProperties: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
    },
  },
} as const;

type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvErrorLike[] | null };

let compiled: ValidateFn | undefined;
async function validator(): Promise<ValidateFn> {
  if (compiled) return compiled;
  const mod = (await import('ajv')) as unknown as { Ajv: new (o: Record<string, unknown>) => { compile(s: object): ValidateFn } };
  compiled = new mod.Ajv({ allErrors: true, strict: false }).compile(catalogSchema);
  return compiled;
}

function invalid(source: string, detail: string, cause?: unknown): FrameworksError {
  return configError(
    `Service catalog ${source === 'built-in' ? '(built-in)' : tildify(source)} is invalid: ${detail}`,
    source === 'built-in' ? ['Reinstall the CLI (the shipped catalog is damaged)'] : [`Fix the key named above in ${tildify(source)}`, 'Or leave out --catalog to use the built-in catalog'],
    'SERVICES_CATALOG_INVALID',
    cause,
  );
}

/** Validate parsed catalog data: the ajv schema, then references (profile members must be services). */
export async function validateCatalog(data: unknown, source: string): Promise<Catalog> {
  const validate = await validator();
  if (!validate(data)) throw invalid(source, ajvMessages(validate.errors, { max: 5 }).join('; '));
  const catalog = data as Catalog;
  for (const [profile, members] of Object.entries(catalog.profiles)) {
    const unknown = members.filter((m) => !Object.hasOwn(catalog.services, m));
    if (unknown.length) throw invalid(source, `profiles.${profile}: unknown service(s) ${unknown.join(', ')}`);
  }
  return catalog;
}

/** Load the built-in catalog, or `file` (YAML). */
export async function loadCatalog(file?: string): Promise<LoadedCatalog> {
  const source = file ?? 'built-in';
  let text: string;
  try {
    text = await readFile(file ?? BUILTIN_CATALOG_PATH, 'utf8');
  } catch (err) {
    if (file && (err as NodeJS.ErrnoException).code === 'ENOENT') throw usageError(`--catalog ${tildify(file)}: no such file.`, ['Give the path of a catalog YAML file'], 'SERVICES_CATALOG_NOT_FOUND');
    throw new FrameworksError(`Cannot read the service catalog ${tildify(file ?? BUILTIN_CATALOG_PATH)}: ${(err as Error).message}`, {
      code: 'SERVICES_CATALOG_UNREADABLE',
      exitCode: ExitCode.CONFIG_INVALID,
      name: 'ConfigError',
      cause: err,
    });
  }
  const yaml = await import('js-yaml');
  let data: unknown;
  try {
    data = yaml.load(text);
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number; column: number } };
    const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
    throw invalid(source, `not valid YAML${where}: ${e.reason ?? (err as Error).message}`, err);
  }
  if (data === null || data === undefined) throw invalid(source, 'the file is empty');
  return { catalog: await validateCatalog(data, source), source };
}

/** Services grouped by role: roles sorted, services sorted within each role. */
export function servicesByRole(catalog: Catalog): Array<{ role: string; services: string[] }> {
  const roles = new Map<string, string[]>();
  for (const [name, svc] of Object.entries(catalog.services)) roles.set(svc.role, [...(roles.get(svc.role) ?? []), name]);
  return [...roles.keys()].sort().map((role) => ({ role, services: roles.get(role)!.sort() }));
}

/** The profile an installer provisions as the central tier (the interfaces group stays out, as the seed decides). */
export const CENTRAL_TIER_PROFILE = 'central-all';

/** The catalog narrowed to the central tier: what infrastructure provisions hosts and firewall ports for. */
export function centralTier(catalog: Catalog): Catalog {
  const keep = new Set(catalog.profiles[CENTRAL_TIER_PROFILE] ?? Object.keys(catalog.services));
  return { ...catalog, services: Object.fromEntries(Object.entries(catalog.services).filter(([name]) => keep.has(name))) };
}

/** A port a service publishes on its host (the host side of "host:container"), as a firewall must open it. */
export interface PublishedPort {
  service: string;
  port: number;
  protocol: 'tcp' | 'udp';
}

/** Every host port the given services publish (all services by default), sorted by port then service. */
export function publishedPorts(catalog: Catalog, services: string[] = Object.keys(catalog.services)): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const service of services) {
    for (const spec of catalog.services[service]?.ports ?? []) {
      const [addr, proto] = spec.split('/');
      const parts = addr.split(':');
      // "port", "host:container" or "ip:host:container": the host port is the one before the container port.
      const host = parts.length === 1 ? parts[0] : parts[parts.length - 2];
      out.push({ service, port: Number(host), protocol: proto === 'udp' ? 'udp' : 'tcp' });
    }
  }
  return out.sort((a, b) => a.port - b.port || a.service.localeCompare(b.service));
}
