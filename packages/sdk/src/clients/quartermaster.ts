import { isIP } from 'node:net';
import { ExitCode, FrameworksError, usageError } from '../errors.js';
import { MAX_GO_DURATION_MS, parseDuration, toGoDuration } from '../duration.js';
import { MAX_VALUE_LENGTH, checkIdentifier, checkName, checkOptionalIdentifier } from '../input/server-text.js';
import type { AuthPolicy } from '../auth/policy.js';
import { registerSecret } from '../redact.js';
import { badReply, lazyHttp, listOf, notFoundAs, withDates, type Dates, type RestClientOptions } from './rest-util.js';

const SERVICE = 'Quartermaster';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Which credential each Quartermaster call should get (contract §1.5): bootstrap tokens want the
 * service role or a provider JWT; health and discovery are service-token only at MVP.
 */
export const QUARTERMASTER_AUTH: Readonly<Record<'bootstrapTokens' | 'servicesHealth' | 'discover' | 'nodes' | 'clusters', AuthPolicy>> = Object.freeze({
  bootstrapTokens: 'jwt-or-service',
  // Read routes: the user's JWT first (Quartermaster scopes a tenant's view), else the service token.
  servicesHealth: 'jwt-or-service',
  discover: 'jwt-or-service',
  nodes: 'jwt-or-service',
  clusters: 'jwt-or-service',
});

export type BootstrapTokenKind = 'edge_node' | 'service';

/** Wire shape of a bootstrap token (contract §3.1); optional fields are omitted when empty. */
export interface BootstrapTokenWire {
  id: string;
  /** gRPC era only (the server requires one on create). */
  name?: string;
  token: string;
  kind: BootstrapTokenKind | string;
  tenant_id?: string;
  cluster_id?: string;
  expected_ip?: string;
  metadata?: Record<string, unknown>;
  expires_at: string;
  used_at?: string;
  created_by?: string;
  created_at: string;
  /** gRPC era: unset = single use (contract §3.2). */
  usage_limit?: number;
  usage_count?: number;
}
export type BootstrapToken = BootstrapTokenWire & { readonly dates: Dates<'expires_at' | 'used_at' | 'created_at'> };

export interface CreateBootstrapTokenInput {
  kind?: BootstrapTokenKind;
  tenantId?: string;
  clusterId?: string;
  expectedIp?: string;
  /** `24h`, `90m`, `30d` (sent as `720h`); default `24h`. */
  ttl?: string;
  metadata?: Record<string, string>;
  /** gRPC era: the token's name (default: kind and day). */
  name?: string;
  /** gRPC era: how many enrollments the token allows (unset = one). */
  usageLimit?: number;
}

/** What is sent as the POST body; exported so tests and `--dry-run` can show it. */
export interface CreateBootstrapTokenBody {
  kind: BootstrapTokenKind;
  tenant_id?: string;
  cluster_id?: string;
  expected_ip?: string;
  metadata?: Record<string, string>;
  ttl: string;
}

export interface ServiceInstanceHealthWire {
  instance_id: string;
  service_id: string;
  cluster_id: string;
  protocol: string;
  host?: string;
  port: number;
  health_endpoint?: string;
  status: string;
  last_health_check?: string;
}
export type ServiceInstanceHealth = ServiceInstanceHealthWire & { readonly dates: Dates<'last_health_check'> };

export interface ServiceInstanceWire {
  id: string;
  instance_id: string;
  cluster_id: string;
  node_id?: string;
  service_id: string;
  version?: string;
  port?: number;
  process_id?: number;
  container_id?: string;
  status: string;
  health_status: string;
  started_at?: string;
  stopped_at?: string;
  last_health_check?: string;
  cpu_usage_percent?: number;
  memory_usage_mb?: number;
  created_at: string;
  updated_at: string;
}
type InstanceTimes = 'started_at' | 'stopped_at' | 'last_health_check' | 'created_at' | 'updated_at';
export type ServiceInstance = ServiceInstanceWire & { readonly dates: Dates<InstanceTimes> };

export interface InfrastructureNodeWire {
  id: string;
  node_id: string;
  cluster_id: string;
  node_name: string;
  node_type: string;
  internal_ip?: string;
  external_ip?: string;
  wireguard_ip?: string;
  wireguard_public_key?: string;
  region?: string;
  availability_zone?: string;
  latitude?: number;
  longitude?: number;
  cpu_cores?: number;
  memory_gb?: number;
  disk_gb?: number;
  status: string;
  /** REST era only (HEAD dropped it). */
  health_score?: number;
  last_heartbeat?: string;
  tags: Record<string, unknown>;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}
export type InfrastructureNode = InfrastructureNodeWire & { readonly dates: Dates<'last_heartbeat' | 'created_at' | 'updated_at'> };

export interface InfrastructureClusterWire {
  id: string;
  cluster_id: string;
  cluster_name: string;
  cluster_type: string;
  owner_tenant_id?: string;
  deployment_model: string;
  base_url: string;
  database_url?: string;
  periscope_url?: string;
  kafka_brokers?: string[];
  max_concurrent_streams: number;
  max_concurrent_viewers: number;
  max_bandwidth_mbps: number;
  /** REST era only. */
  current_stream_count?: number;
  current_viewer_count?: number;
  current_bandwidth_mbps?: number;
  is_active: boolean;
  health_status: string;
  last_seen?: string;
  created_at: string;
  updated_at: string;
}
export type InfrastructureCluster = InfrastructureClusterWire & { readonly dates: Dates<'last_seen' | 'created_at' | 'updated_at'> };

export interface RevokeBootstrapTokenResult {
  id: string;
  /** The server's `message` (`revoked` at MVP); `success` is never true at MVP and is ignored. */
  message?: string;
}

export interface NodeFilters {
  clusterId?: string;
  nodeType?: string;
  region?: string;
}

const TOKEN_TIMES = ['expires_at', 'used_at', 'created_at'] as const;
const HEALTH_TIMES = ['last_health_check'] as const;
const INSTANCE_TIMES = ['started_at', 'stopped_at', 'last_health_check', 'created_at', 'updated_at'] as const;
const NODE_TIMES = ['last_heartbeat', 'created_at', 'updated_at'] as const;
const CLUSTER_TIMES = ['last_seen', 'created_at', 'updated_at'] as const;

/**
 * Validates and builds the create body before any request (exit 2 on bad input):
 * kind, tenant_id for edge tokens, UUID-looking tenant, an IP for expected_ip, a positive ttl.
 */
export function buildBootstrapTokenBody(input: CreateBootstrapTokenInput): CreateBootstrapTokenBody {
  const kind = input.kind ?? 'edge_node';
  if (kind !== 'edge_node' && kind !== 'service') {
    throw usageError(`--kind: "${String(kind)}" is not a bootstrap token kind.`, ['Use --kind edge_node or --kind service'], 'INVALID_KIND');
  }
  const tenantId = input.tenantId?.trim() || undefined;
  if (kind === 'edge_node' && !tenantId) {
    throw usageError('An edge_node bootstrap token needs a tenant.', ['Pass --tenant-id <uuid>'], 'TENANT_REQUIRED');
  }
  if (tenantId && !UUID.test(tenantId)) {
    throw usageError(`--tenant-id: "${tenantId}" is not a UUID.`, ['Tenant ids look like 5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10'], 'INVALID_TENANT_ID');
  }
  const expectedIp = input.expectedIp?.trim() || undefined;
  if (expectedIp && !isIP(expectedIp)) {
    throw usageError(`--expected-ip: "${expectedIp}" is not an IPv4 or IPv6 address.`, ['e.g. --expected-ip 203.0.113.7'], 'INVALID_IP');
  }
  // Sent to the server, never timed here: bounded by what Go's time.Duration holds, not a timer.
  const ttlMs = parseDuration(input.ttl ?? '24h', { flag: '--ttl', max: MAX_GO_DURATION_MS });
  checkOptionalIdentifier(input.clusterId, '--cluster-id');
  for (const [key, value] of Object.entries(input.metadata ?? {})) {
    checkIdentifier(key, 'A --metadata key');
    if (value !== '') checkName(value, `--metadata ${key}`, MAX_VALUE_LENGTH);
  }
  const metadata = input.metadata && Object.keys(input.metadata).length ? { ...input.metadata } : undefined;
  return {
    kind,
    ...(tenantId ? { tenant_id: tenantId } : {}),
    ...(input.clusterId ? { cluster_id: input.clusterId } : {}),
    ...(expectedIp ? { expected_ip: expectedIp } : {}),
    ...(metadata ? { metadata } : {}),
    ttl: toGoDuration(ttlMs),
  };
}

/**
 * Quartermaster MVP REST client (contract §3.1). Base URL: the context's `quartermaster` URL.
 * The credential is whatever the command's auth policy chose (see QUARTERMASTER_AUTH).
 * GET/DELETE are retried on transport errors and 5xx; the create POST is sent exactly once.
 */
export class QuartermasterClient {
  private readonly http;

  constructor(opts: RestClientOptions) {
    this.http = lazyHttp(SERVICE, opts);
  }

  async createBootstrapToken(input: CreateBootstrapTokenInput): Promise<BootstrapToken> {
    const body = buildBootstrapTokenBody(input);
    const http = await this.http();
    const reply = await http.post<{ token?: BootstrapTokenWire }>('/admin/bootstrap-tokens', body);
    const token = reply?.token;
    if (!token || typeof token.token !== 'string') throw badReply(SERVICE, 'no token in the create reply');
    registerSecret(token.token);
    return withDates(SERVICE, token, TOKEN_TIMES);
  }

  /** Newest first, including used and expired tokens (full token values at MVP). */
  async listBootstrapTokens(): Promise<BootstrapToken[]> {
    const http = await this.http();
    const tokens = listOf<BootstrapTokenWire>(SERVICE, await http.get('/admin/bootstrap-tokens'), 'tokens');
    for (const t of tokens) registerSecret(t.token);
    return tokens.map((t) => withDates(SERVICE, t, TOKEN_TIMES));
  }

  /** Hard delete. 200 or 204 means revoked; 404 → NOT_FOUND. */
  async revokeBootstrapToken(id: string): Promise<RevokeBootstrapTokenResult> {
    // A non-uuid id reaches Postgres and comes back as 500 at MVP: refuse it here instead.
    if (!UUID.test(id)) throw usageError(`"${id}" is not a bootstrap token id (a UUID).`, ['List ids with: frameworks admin bootstrap-tokens list'], 'INVALID_ID');
    const http = await this.http();
    const reply = await notFoundAs(
      http.delete<{ message?: unknown } | string>(`/admin/bootstrap-tokens/${encodeURIComponent(id)}`),
      `Bootstrap token ${id} not found (already revoked or never existed).`,
      ['List tokens with: frameworks admin bootstrap-tokens list'],
    );
    const message = reply && typeof reply === 'object' && typeof reply.message === 'string' ? reply.message : undefined;
    return { id, ...(message ? { message } : {}) };
  }

  /** Fresh health rows (the MVP server drops rows older than 180 s); `serviceId` narrows to one service. */
  async servicesHealth(opts: { serviceId?: string } = {}): Promise<ServiceInstanceHealth[]> {
    checkOptionalIdentifier(opts.serviceId, '--service-id');
    const http = await this.http();
    const path = opts.serviceId ? `/services/${encodeURIComponent(opts.serviceId)}/health` : '/services/health';
    return listOf<ServiceInstanceHealthWire>(SERVICE, await http.get(path), 'instances').map((i) => withDates(SERVICE, i, HEALTH_TIMES));
  }

  /** Instances of a service type (catalog name, e.g. `foghorn`); unknown type → []. */
  async discover(opts: { type: string; clusterId?: string }): Promise<ServiceInstance[]> {
    if (!opts.type?.trim()) throw usageError('Service discovery needs a service type.', ['e.g. --type foghorn'], 'TYPE_REQUIRED');
    checkIdentifier(opts.type, '--type');
    checkOptionalIdentifier(opts.clusterId, '--cluster-id');
    const http = await this.http();
    const body = await http.get('/service-discovery', { searchParams: { type: opts.type, cluster_id: opts.clusterId } });
    return listOf<ServiceInstanceWire>(SERVICE, body, 'instances').map((i) => withDates(SERVICE, i, INSTANCE_TIMES));
  }

  async listNodes(filters: NodeFilters = {}): Promise<InfrastructureNode[]> {
    checkOptionalIdentifier(filters.clusterId, '--cluster-id');
    checkOptionalIdentifier(filters.nodeType, '--type');
    checkOptionalIdentifier(filters.region, '--region');
    const http = await this.http();
    const body = await http.get('/nodes', { searchParams: { cluster_id: filters.clusterId, node_type: filters.nodeType, region: filters.region } });
    return listOf<InfrastructureNodeWire>(SERVICE, body, 'nodes').map((n) => withDates(SERVICE, n, NODE_TIMES));
  }

  /** By `node_id` (or row `id`). The MVP `GET /nodes/{id}` always 404s, so this lists and filters. */
  async getNode(id: string): Promise<InfrastructureNode> {
    checkIdentifier(id, 'The node id');
    const node = (await this.listNodes()).find((n) => n.node_id === id || n.id === id);
    if (!node) throw notFound(`Node ${id} not found.`, ['List nodes with: frameworks admin nodes list']);
    return node;
  }

  async listClusters(): Promise<InfrastructureCluster[]> {
    const http = await this.http();
    return listOf<InfrastructureClusterWire>(SERVICE, await http.get('/clusters'), 'clusters').map((c) => withDates(SERVICE, c, CLUSTER_TIMES));
  }

  async getCluster(id: string): Promise<InfrastructureCluster> {
    checkIdentifier(id, 'The cluster id');
    const http = await this.http();
    const reply = await notFoundAs(http.get<{ cluster?: InfrastructureClusterWire }>(`/clusters/${encodeURIComponent(id)}`), `Cluster ${id} not found.`, [
      'List clusters with: frameworks admin clusters list',
    ]);
    if (!reply?.cluster || typeof reply.cluster !== 'object') throw badReply(SERVICE, 'expected {"cluster": {...}}');
    return withDates(SERVICE, reply.cluster, CLUSTER_TIMES);
  }
}

function notFound(message: string, suggestions: string[]): FrameworksError {
  return new FrameworksError(message, { code: 'NOT_FOUND', exitCode: ExitCode.FAILED, name: 'NotFoundError', suggestions });
}
