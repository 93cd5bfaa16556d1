import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import { frameworksHome } from '../paths.js';
import { trace } from '../log.js';
import type { ResolvedContext } from '../config/resolve.js';
import type { Dialer } from '../net/dialer.js';
import { GrpcChannel, probeGrpcApi } from '../grpc/channel.js';

export type ApiEra = 'rest' | 'grpc';
export type ApiSetting = 'rest' | 'grpc' | 'auto';

/** How long `api: auto` trusts an answer about an endpoint. */
export const ERA_CACHE_TTL_MS = 10 * 60_000;
const CACHE_FILE = 'api-era.json';
const PROBE_TIMEOUT_MS = 2_000;

interface CacheEntry {
  era: ApiEra;
  at: number;
}
interface CacheDoc {
  version: 1;
  entries: Record<string, CacheEntry>;
}

export function eraCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(frameworksHome(env), CACHE_FILE);
}

/** A missing, stale or garbled cache is simply not used (it is only a hint). */
async function readCache(path: string): Promise<CacheDoc> {
  try {
    const doc = JSON.parse(await readFile(path, 'utf8')) as CacheDoc;
    if (doc?.version === 1 && doc.entries && typeof doc.entries === 'object' && !Array.isArray(doc.entries)) return doc;
  } catch {
    // ignored: see above
  }
  return { version: 1, entries: {} };
}

function fresh(e: CacheEntry | undefined, now: number): e is CacheEntry {
  return !!e && (e.era === 'rest' || e.era === 'grpc') && typeof e.at === 'number' && now - e.at >= 0 && now - e.at < ERA_CACHE_TTL_MS;
}

export interface DetectEraOptions {
  ctx: ResolvedContext;
  /** `quartermaster-grpc` / `control-grpc` / `foghorn-grpc`. */
  grpcKey: 'quartermaster-grpc' | 'control-grpc' | 'foghorn-grpc';
  /** The REST twin (`quartermaster`, `control`, `foghorn-http`). */
  restKey: 'quartermaster' | 'control' | 'foghorn-http';
  dialer?: Dialer;
  env?: NodeJS.ProcessEnv;
  /** Skip the cache (context check asks afresh every time). */
  noCache?: boolean;
}

export interface EraAnswer {
  era: ApiEra;
  /** How it was decided: the context says so, a probe, or the cache. */
  via: 'context' | 'probe' | 'cache';
}

/**
 * Which era a context's endpoint speaks. `rest`/`grpc` in the context are taken as they are; `auto`
 * asks the gRPC endpoint's health service once (any gRPC answer → grpc) and, when it does not answer,
 * the REST `/health`; the answer is remembered per endpoint for 10 minutes. When neither answers
 * nothing is remembered and REST is used (its error then says what is wrong).
 */
export async function detectEra(o: DetectEraOptions): Promise<EraAnswer> {
  const setting: ApiSetting = o.ctx.config.api ?? 'rest';
  if (setting !== 'auto') return { era: setting, via: 'context' };
  const grpcEndpoint = o.ctx.endpoints[o.grpcKey].value;
  const restUrl = o.ctx.endpoints[o.restKey].value;
  const key = `${o.grpcKey}=${grpcEndpoint} ${o.restKey}=${restUrl}${o.dialer?.tunnelled ? ` via=${o.dialer.describe}` : ''}`;
  const path = eraCachePath(o.env);
  const now = Date.now();
  const cache = await readCache(path);
  if (!o.noCache && fresh(cache.entries[key], now)) {
    trace(`api auto: ${key} → ${cache.entries[key].era} (cached)`);
    return { era: cache.entries[key].era, via: 'cache' };
  }
  const era = await probeEra(o, grpcEndpoint, restUrl);
  trace(`api auto: ${key} → ${era ?? 'no answer'} (probed)`);
  if (!era) return { era: 'rest', via: 'probe' };
  // Drop stale entries while writing, so the file stays small.
  const entries = Object.fromEntries(Object.entries(cache.entries).filter(([, e]) => fresh(e, now)));
  entries[key] = { era, at: now };
  await writeFileAtomic(path, `${JSON.stringify({ version: 1, entries } satisfies CacheDoc, null, 2)}\n`).catch((err: Error) => trace(`api auto: cache not written: ${err.message}`));
  return { era, via: 'probe' };
}

async function probeEra(o: DetectEraOptions, grpcEndpoint: string, restUrl: string): Promise<ApiEra | undefined> {
  const ch = new GrpcChannel('probe', o.grpcKey, { endpoint: grpcEndpoint, tls: o.ctx.config.grpc, ...(o.dialer ? { dialer: o.dialer } : {}) }, PROBE_TIMEOUT_MS);
  const [g, r] = await Promise.all([
    probeGrpcApi(ch, PROBE_TIMEOUT_MS).finally(() => ch.close()),
    import('../http/health.js').then(({ probeHttpHealth }) => probeHttpHealth(restUrl, PROBE_TIMEOUT_MS)),
  ]);
  if (g.grpc) return 'grpc';
  return r.ok ? 'rest' : undefined;
}
