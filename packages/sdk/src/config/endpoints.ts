import { usageError } from '../errors.js';

/** The control-plane endpoints a context names (contract §2), with the MVP localhost defaults. */
export const ENDPOINTS = {
  gateway: { kind: 'http', default: 'http://localhost:18000', description: 'Gateway (Bridge): login, GraphQL' },
  quartermaster: { kind: 'http', default: 'http://localhost:18002', description: 'Quartermaster: tenants, clusters, nodes, bootstrap tokens' },
  control: { kind: 'http', default: 'http://localhost:18001', description: 'Commodore (control API): developer tokens' },
  'foghorn-http': { kind: 'http', default: 'http://localhost:18008', description: 'Foghorn HTTP: routing, drain status' },
  'foghorn-grpc': { kind: 'grpc', default: 'localhost:18019', description: 'Foghorn internal gRPC: NodeControlService (node modes), gRPC health' },
  'decklog-grpc': { kind: 'grpc', default: 'localhost:18006', description: 'Decklog gRPC: event ingest (grpc.health.v1)' },
  'periscope-query': { kind: 'http', default: 'http://localhost:18004', description: 'Periscope query API' },
  'periscope-ingest': { kind: 'http', default: 'http://localhost:18005', description: 'Periscope ingest' },
  purser: { kind: 'http', default: 'http://localhost:18003', description: 'Purser: billing' },
  'signalman-ws': { kind: 'ws', default: 'ws://localhost:18009', description: 'Signalman WebSocket' },
  // Today's control plane (contract §2, §3.2, §4.5): the APIs answer over gRPC only, TLS by default.
  'quartermaster-grpc': { kind: 'grpc', default: 'localhost:19002', description: 'Quartermaster gRPC (api: grpc): tokens, nodes, clusters, registry' },
  'control-grpc': { kind: 'grpc', default: 'localhost:19001', description: 'Commodore gRPC (api: grpc): developer tokens' },
} as const;

export type ServiceKey = keyof typeof ENDPOINTS;
export type EndpointKind = (typeof ENDPOINTS)[ServiceKey]['kind'];
export const SERVICE_KEYS = Object.keys(ENDPOINTS) as ServiceKey[];

export function isServiceKey(key: string): key is ServiceKey {
  return Object.hasOwn(ENDPOINTS, key);
}

export function defaultEndpoints(): Record<ServiceKey, string> {
  return Object.fromEntries(SERVICE_KEYS.map((k) => [k, ENDPOINTS[k].default])) as Record<ServiceKey, string>;
}

/** `FRAMEWORKS_FOGHORN_GRPC_URL` for `foghorn-grpc`. */
export function endpointEnvVar(key: ServiceKey): string {
  return `FRAMEWORKS_${key.toUpperCase().replace(/-/g, '_')}_URL`;
}

const SCHEMES: Record<EndpointKind, string[]> = {
  http: ['http:', 'https:'],
  ws: ['ws:', 'wss:'],
  grpc: ['grpc:', 'grpcs:'],
};

/**
 * Returns an error message when `value` is not a usable address for `key`, else undefined.
 * gRPC endpoints take `host:port` (plaintext) or `grpc://host:port` / `grpcs://host:port`.
 */
export function endpointProblem(key: ServiceKey, value: string): string | undefined {
  const kind = ENDPOINTS[key].kind;
  if (/\s/.test(value) || value.length === 0) return 'must not be empty or contain whitespace';
  const candidate = kind === 'grpc' && !value.includes('://') ? `grpc://${value}` : value;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return kind === 'grpc' ? 'must be host:port, grpc://host:port or grpcs://host:port' : `must be a URL such as ${ENDPOINTS[key].default}`;
  }
  if (!SCHEMES[kind].includes(url.protocol)) return `scheme must be one of ${SCHEMES[kind].map((s) => s.slice(0, -1)).join(', ')}`;
  if (!url.hostname) return 'has no host';
  if (kind === 'grpc' && !url.port) return 'needs a port (host:port)';
  if (url.username || url.password) return 'must not carry credentials (use frameworks login)';
  return undefined;
}

export function assertEndpoint(key: string, value: string): asserts key is ServiceKey {
  if (!isServiceKey(key)) {
    throw usageError(`Unknown service "${key}".`, [`Valid services: ${SERVICE_KEYS.join(', ')}`], 'UNKNOWN_SERVICE');
  }
  const problem = endpointProblem(key, value);
  if (problem) {
    throw usageError(`Invalid URL for ${key}: "${value}" ${problem}.`, [
      `frameworks context set-url ${key} ${ENDPOINTS[key].default}`,
    ], 'INVALID_URL');
  }
}

/** Normalised target for a gRPC endpoint. */
export function grpcTarget(value: string): { address: string; tls: boolean } {
  if (value.startsWith('grpcs://')) return { address: value.slice('grpcs://'.length), tls: true };
  if (value.startsWith('grpc://')) return { address: value.slice('grpc://'.length), tls: false };
  return { address: value, tls: false };
}
