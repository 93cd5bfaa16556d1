import { createHash } from 'node:crypto';
import type { Got } from 'got';
import { ExitCode, FrameworksError } from '../errors.js';
import { createHttpClient } from '../http/client.js';
import type { Dialer } from '../net/dialer.js';
import { trace } from '../log.js';
import { MANIFEST_ACCEPT, MediaType, type Manifest } from './media-types.js';

/**
 * Docker Registry HTTP API v2 (and OCI distribution 1.1), read-only: what verification, SBOMs and
 * bundles need. Plain HTTP only for loopback or a registry the user listed as insecure.
 */
export interface RegistryOptions {
  dialer?: Dialer;
  /** Per request, ms (default 15 s). */
  timeoutMs?: number;
  /** Registries (host[:port]) spoken to over plain HTTP besides loopback. */
  insecure?: readonly string[];
  /** Retries of idempotent requests on 5xx / network errors (default 1). */
  retries?: number;
}

export interface RepoRef {
  /** host[:port] as written in the reference (docker.io for a bare name). */
  registry: string;
  /** Repository path inside the registry (library/caddy for a bare `caddy`). */
  name: string;
}

export interface FetchedManifest {
  manifest: Manifest;
  /** Docker-Content-Digest (or the sha256 of the body when the registry sent none). */
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

const DOCKER_HUB = 'registry-1.docker.io';

/** Split `host[:port]/path` into registry and repository name, the way docker does. */
export function repoRef(image: string): RepoRef {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) return { registry: first, name: image.slice(slash + 1) };
  return { registry: 'docker.io', name: slash < 0 ? `library/${image}` : image };
}

function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The base URL of a registry: http for loopback and the insecure list, https otherwise. */
export function registryBaseUrl(registry: string, insecure: readonly string[] = []): string {
  const host = registry === 'docker.io' ? DOCKER_HUB : registry;
  return `${isLoopback(registry) || insecure.includes(registry) ? 'http' : 'https'}://${host}`;
}

export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Errors a registry call ends with; codes are stable (listed in error-codes.ts). */
function registryError(kind: 'unreachable' | 'unauthorized' | 'not_found' | 'failed', what: string, registry: string, detail: string, cause?: unknown) {
  const base = registry;
  switch (kind) {
    case 'unreachable':
      return new FrameworksError(`Cannot reach the registry ${base} (${detail}) while fetching ${what}.`, {
        code: 'REGISTRY_UNREACHABLE', exitCode: ExitCode.NETWORK, name: 'NetworkError', cause,
        suggestions: [`curl -sI ${registryBaseUrl(registry)}/v2/`, 'Check the registry host and port in the image reference'],
      });
    case 'unauthorized':
      return new FrameworksError(`The registry ${base} refused access to ${what} (${detail}).`, {
        code: 'REGISTRY_UNAUTHORIZED', exitCode: ExitCode.NOT_AUTHENTICATED, name: 'AuthError', cause,
        suggestions: [`docker login ${registry}`],
      });
    case 'not_found':
      return new FrameworksError(`The registry ${base} has no ${what} (${detail}).`, {
        code: 'REGISTRY_NOT_FOUND', exitCode: ExitCode.FAILED, cause,
        suggestions: [`skopeo inspect --tls-verify=false docker://${registry}/…`],
      });
    default:
      return new FrameworksError(`The registry ${base} failed on ${what}: ${detail}.`, {
        code: 'REGISTRY_ERROR', exitCode: ExitCode.FAILED, cause, suggestions: [`curl -sI ${registryBaseUrl(registry)}/v2/`],
      });
  }
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One registry host. Anonymous bearer tokens (WWW-Authenticate: Bearer realm=…) are fetched once per scope. */
export class RegistryClient {
  private readonly tokens = new Map<string, string>();

  private constructor(
    readonly registry: string,
    private readonly got: Got,
    private readonly baseUrl: string,
  ) {}

  static async open(registry: string, opts: RegistryOptions = {}): Promise<RegistryClient> {
    const baseUrl = registryBaseUrl(registry, opts.insecure);
    const http = await createHttpClient({
      service: `registry ${registry}`,
      baseUrl,
      timeoutMs: opts.timeoutMs ?? 15_000,
      retries: opts.retries ?? 1,
      ...(opts.dialer ? { dialer: opts.dialer } : {}),
    });
    return new RegistryClient(registry, http.got, baseUrl);
  }

  private async request(method: 'GET' | 'HEAD', path: string, what: string, scope: string, accept?: string): Promise<RawResponse> {
    const send = async (token?: string): Promise<RawResponse> => {
      try {
        const res = await this.got(path.replace(/^\/+/, ''), {
          method,
          responseType: 'buffer',
          throwHttpErrors: false,
          followRedirect: true,
          headers: { accept: accept ?? '*/*', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        });
        return { statusCode: res.statusCode, headers: res.headers, body: Buffer.from(res.body as unknown as Uint8Array) };
      } catch (err) {
        const e = err as { code?: string; message?: string };
        throw registryError('unreachable', what, this.registry, e.code ?? e.message ?? String(err), err);
      }
    };
    let res = await send(this.tokens.get(scope));
    if (res.statusCode === 401) {
      const token = await this.anonymousToken(String(res.headers['www-authenticate'] ?? ''), scope, what);
      if (token) res = await send(token);
    }
    if (res.statusCode === 401 || res.statusCode === 403) throw registryError('unauthorized', what, this.registry, `HTTP ${res.statusCode}`);
    return res;
  }

  /** The anonymous token flow of the distribution spec: GET realm?service=…&scope=repository:<name>:pull. */
  private async anonymousToken(challenge: string, scope: string, what: string): Promise<string | undefined> {
    if (!/^bearer\s/i.test(challenge)) return undefined;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    if (!params.realm) return undefined;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? scope);
    try {
      const res = await this.got(url.toString(), { prefixUrl: '', responseType: 'json', throwHttpErrors: false });
      const body = res.body as { token?: string; access_token?: string };
      const token = body?.token ?? body?.access_token;
      if (res.statusCode !== 200 || !token) return undefined;
      this.tokens.set(scope, token);
      trace(`registry ${this.registry}: anonymous token for ${scope}`);
      return token;
    } catch (err) {
      throw registryError('unreachable', what, this.registry, `token service ${url.host}: ${(err as Error).message}`, err);
    }
  }

  private static scope(name: string): string {
    return `repository:${name}:pull`;
  }

  private fail(res: RawResponse, what: string): never {
    if (res.statusCode === 404) throw registryError('not_found', what, this.registry, 'HTTP 404');
    throw registryError('failed', what, this.registry, `HTTP ${res.statusCode}`);
  }

  /** HEAD a manifest: its digest, or undefined when the registry has no such tag/digest. */
  async headManifest(name: string, reference: string): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
    const what = `manifest ${name}:${reference}`;
    const res = await this.request('HEAD', `v2/${name}/manifests/${reference}`, what, RegistryClient.scope(name), MANIFEST_ACCEPT);
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) this.fail(res, what);
    const digest = String(res.headers['docker-content-digest'] ?? '');
    if (!digest) {
      const full = await this.getManifest(name, reference);
      return full && { digest: full.digest, mediaType: full.mediaType, size: full.bytes.length };
    }
    return { digest, mediaType: String(res.headers['content-type'] ?? ''), size: Number(res.headers['content-length'] ?? 0) };
  }

  /** GET a manifest (docker v2, OCI manifest or index); undefined on 404. A digest reference is checked against the body. */
  async getManifest(name: string, reference: string): Promise<FetchedManifest | undefined> {
    const what = `manifest ${name}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const res = await this.request('GET', `v2/${name}/manifests/${reference}`, what, RegistryClient.scope(name), MANIFEST_ACCEPT);
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) this.fail(res, what);
    const computed = sha256Digest(res.body);
    if (reference.startsWith('sha256:') && computed !== reference) {
      throw registryError('failed', what, this.registry, `the body's digest is ${computed}, not the one asked for`);
    }
    let manifest: Manifest;
    try {
      manifest = JSON.parse(res.body.toString('utf8')) as Manifest;
    } catch (err) {
      throw registryError('failed', what, this.registry, 'the manifest is not JSON', err);
    }
    const mediaType = manifest.mediaType ?? String(res.headers['content-type'] ?? '').split(';')[0] ?? '';
    const digest = reference.startsWith('sha256:') ? reference : String(res.headers['docker-content-digest'] ?? computed);
    return { manifest, digest, mediaType, bytes: res.body };
  }

  /**
   * GET a blob, its sha256 checked as the bytes arrive; refuses more than `maxBytes` (signature and SBOM
   * layers are small: a huge one is not read into memory).
   */
  async getBlob(name: string, digest: string, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
    const what = `blob ${name}@${digest}`;
    if (!digest.startsWith('sha256:')) throw registryError('failed', what, this.registry, 'only sha256 digests are supported');
    const token = this.tokens.get(RegistryClient.scope(name));
    const attempt = (auth?: string) =>
      new Promise<{ status: number; challenge?: string; body?: Buffer }>((resolve, reject) => {
        const hash = createHash('sha256');
        const chunks: Buffer[] = [];
        let size = 0;
        const stream = this.got.stream(`v2/${name}/blobs/${digest}`, { throwHttpErrors: false, headers: auth ? { authorization: `Bearer ${auth}` } : {} });
        let status = 0;
        stream.on('response', (res: { statusCode: number; headers: Record<string, string | undefined> }) => {
          status = res.statusCode;
          if (status !== 200) {
            resolve({ status, challenge: res.headers['www-authenticate'] });
            stream.destroy();
          }
        });
        stream.on('data', (chunk: Buffer) => {
          if (status !== 200) return;
          size += chunk.length;
          if (size > maxBytes) {
            stream.destroy();
            reject(registryError('failed', what, this.registry, `larger than ${maxBytes} bytes`));
            return;
          }
          hash.update(chunk);
          chunks.push(Buffer.from(chunk));
        });
        stream.on('end', () => {
          if (status !== 200) return;
          const got = `sha256:${hash.digest('hex')}`;
          if (got !== digest) reject(registryError('failed', what, this.registry, `the bytes hash to ${got}`));
          else resolve({ status, body: Buffer.concat(chunks) });
        });
        stream.on('error', (err: Error & { code?: string }) => {
          if (status && status !== 200) return;
          reject(registryError('unreachable', what, this.registry, err.code ?? err.message, err));
        });
      });
    let res = await attempt(token);
    if (res.status === 401) {
      const fresh = await this.anonymousToken(res.challenge ?? '', RegistryClient.scope(name), what);
      if (fresh) res = await attempt(fresh);
    }
    if (res.status === 401 || res.status === 403) throw registryError('unauthorized', what, this.registry, `HTTP ${res.status}`);
    if (res.status === 404) throw registryError('not_found', what, this.registry, 'HTTP 404');
    if (res.status !== 200 || !res.body) throw registryError('failed', what, this.registry, `HTTP ${res.status}`);
    return res.body;
  }

  async listTags(name: string): Promise<string[]> {
    const what = `tag list of ${name}`;
    const res = await this.request('GET', `v2/${name}/tags/list`, what, RegistryClient.scope(name), 'application/json');
    if (res.statusCode === 404) return [];
    if (res.statusCode !== 200) this.fail(res, what);
    return ((JSON.parse(res.body.toString('utf8')) as { tags?: string[] | null }).tags ?? []).slice();
  }

  /**
   * The artifacts that name `digest` as their subject: the OCI 1.1 referrers API, or, where the registry
   * lacks it (404), the tag-schema fallback `sha256-<hex>` holding an index. Empty when there are none.
   */
  async referrers(name: string, digest: string): Promise<{ manifests: Manifest['manifests'] & object; via: 'api' | 'tag' }> {
    const what = `referrers of ${name}@${digest}`;
    const res = await this.request('GET', `v2/${name}/referrers/${digest}`, what, RegistryClient.scope(name), MediaType.OCI_INDEX);
    if (res.statusCode === 200) {
      // Some registries answer the API as application/json: an index is an index by its shape.
      const index = safeJson(res.body) as Manifest | undefined;
      if (index && Array.isArray(index.manifests)) return { manifests: index.manifests, via: 'api' };
    }
    if (res.statusCode !== 404 && res.statusCode !== 200) this.fail(res, what);
    const fallback = await this.getManifest(name, digest.replace(':', '-'));
    return { manifests: fallback?.manifest.manifests ?? [], via: 'tag' };
  }
}

function safeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** One client per registry host for a run (verification of a release touches few hosts, many repositories). */
export class RegistryPool {
  private readonly clients = new Map<string, Promise<RegistryClient>>();
  constructor(private readonly opts: RegistryOptions = {}) {}

  client(registry: string): Promise<RegistryClient> {
    let c = this.clients.get(registry);
    if (!c) this.clients.set(registry, (c = RegistryClient.open(registry, this.opts)));
    return c;
  }
}
