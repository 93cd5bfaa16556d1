import { authError, ExitCode, FrameworksError } from '../errors.js';
import type { ChosenCredential } from '../auth/policy.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../http/client.js';

/** Options every REST client takes: `HttpClientOptions` minus the service name it sets itself. */
export type RestClientOptions = Omit<HttpClientOptions, 'service'>;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Strict RFC3339 (Go's RFC3339Nano output, contract §8): fractional seconds beyond milliseconds are
 * truncated, the offset is honoured. Returns undefined for anything else.
 */
export function parseRfc3339(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const frac = m[7] ? m[7].slice(1, 4).padEnd(3, '0') : '000';
  const offset = m[8].toUpperCase() === 'Z' ? 'Z' : m[8];
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${frac}${offset}`);
  if (Number.isNaN(d.getTime())) return undefined;
  // Reject calendar overflow (2025-02-30) that Date would silently roll over.
  if (offset === 'Z' && (d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() + 1 !== Number(m[2]))) return undefined;
  return d;
}

/** Parsed companions of an object's timestamp fields, keyed by the wire name. */
export type Dates<K extends string> = { readonly [P in K]?: Date };

/**
 * Timestamps stay the server's RFC3339 strings on the object (so `--json` output is what the server
 * sent) and get a parsed `Date` in a non-enumerable `dates` property with the same keys.
 * A present but unparsable timestamp is a BAD_RESPONSE error; null or absent fields are skipped.
 */
export function withDates<T extends object, K extends string>(service: string, obj: T, keys: readonly K[]): T & { readonly dates: Dates<K> } {
  const dates: Partial<Record<K, Date>> = {};
  for (const key of keys) {
    const value = (obj as Record<string, unknown>)[key];
    if (value === undefined || value === null || value === '') continue;
    const parsed = typeof value === 'string' ? parseRfc3339(value) : undefined;
    if (!parsed) {
      throw new FrameworksError(`${service} sent "${String(value)}" as ${key}, which is not an RFC3339 time.`, {
        code: 'BAD_RESPONSE', exitCode: ExitCode.FAILED, name: 'HttpError',
      });
    }
    dates[key] = parsed;
  }
  Object.defineProperty(obj, 'dates', { value: Object.freeze(dates), enumerable: false });
  return obj as T & { readonly dates: Dates<K> };
}

/** MVP lists may be `null` (contract §3.1): treat as empty; anything else that is not an array is a bad reply. */
export function listOf<T>(service: string, body: unknown, field: string): T[] {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  if (value === null || value === undefined) {
    if (body && typeof body === 'object') return [];
  } else if (Array.isArray(value)) {
    return value as T[];
  }
  throw badReply(service, `expected {"${field}": [...]}`);
}

export function badReply(service: string, what: string): FrameworksError {
  return new FrameworksError(`${service} sent an unexpected reply (${what}).`, {
    code: 'BAD_RESPONSE', exitCode: ExitCode.FAILED, name: 'HttpError',
  });
}

/** Lazily creates the got-based client (got is loaded on first use only). */
export function lazyHttp(service: string, opts: RestClientOptions): () => Promise<HttpClient> {
  let client: Promise<HttpClient> | undefined;
  return () => (client ??= createHttpClient({ ...opts, service }));
}

/** Client-side check of the credential kind (e.g. developer tokens need a user JWT, contract §1.5). */
export function requireCredential(credential: ChosenCredential | undefined, kind: ChosenCredential['kind'] | 'any', what: string, context?: string): void {
  const hint = `frameworks login${context ? ` --context ${context}` : ''}`;
  if (!credential) throw authError(`${what} needs ${kind === 'service' ? 'a service token' : kind === 'jwt' ? 'a user login (JWT)' : 'a JWT or a service token'}.`, [`${hint} --email <you@example.com>`]);
  if (kind !== 'any' && credential.kind !== kind) {
    throw authError(`${what} needs ${kind === 'jwt' ? 'a user login (JWT), not the service token' : 'the service token, not a JWT'}.`, [
      kind === 'jwt' ? `${hint} --email <you@example.com>` : `${hint} --service-token-stdin < token-file`,
    ], 'WRONG_CREDENTIAL');
  }
}

/** Re-raise a 404 from the HTTP layer as a clear NOT_FOUND; other errors unchanged. */
export async function notFoundAs<T>(p: Promise<T>, message: string, suggestions: string[] = []): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof FrameworksError && err.code === 'NOT_FOUND') {
      throw new FrameworksError(message, { code: 'NOT_FOUND', exitCode: ExitCode.FAILED, name: 'NotFoundError', cause: err, suggestions });
    }
    throw err;
  }
}
