import { usageError } from '../errors.js';
import { checkIdentifier, checkOptionalIdentifier } from '../input/server-text.js';
import { registerSecret } from '../redact.js';
import { GrpcChannel, type GrpcClientOptions } from '../grpc/channel.js';
import { jsonToStruct, plain } from '../grpc/convert.js';
import { badReply, withDates } from './rest-util.js';
import {
  buildBootstrapTokenBody,
  type BootstrapToken,
  type BootstrapTokenWire,
  type CreateBootstrapTokenInput,
  type InfrastructureCluster,
  type InfrastructureClusterWire,
  type InfrastructureNode,
  type InfrastructureNodeWire,
  type NodeFilters,
  type QuartermasterClient,
  type RevokeBootstrapTokenResult,
  type ServiceInstance,
  type ServiceInstanceHealth,
  type ServiceInstanceHealthWire,
  type ServiceInstanceWire,
} from './quartermaster.js';

const SERVICE = 'Quartermaster';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Contract §8: the HEAD CLI gives admin RPCs 15 s. */
const ADMIN_TIMEOUT_MS = 15_000;
/** Largest page the server gives (grpc-wire §2 notes); lists follow end_cursor while has_next_page. */
const PAGE = 500;
const MAX_PAGES = 200;

/** The methods commands use, whichever era answers. */
export type QuartermasterApi = { [K in keyof QuartermasterClient]: QuartermasterClient[K] } & { close?(): void };

type Msg = Record<string, unknown>;
interface Page {
  has_next_page?: boolean;
  end_cursor?: string;
}

const TOKEN_TIMES = ['expires_at', 'used_at', 'created_at'] as const;
const HEALTH_TIMES = ['last_health_check'] as const;
const INSTANCE_TIMES = ['started_at', 'stopped_at', 'last_health_check', 'created_at', 'updated_at'] as const;
const NODE_TIMES = ['last_heartbeat', 'created_at', 'updated_at'] as const;
const CLUSTER_TIMES = ['created_at', 'updated_at'] as const;

/**
 * Quartermaster over gRPC (today's API, grpc-wire §1–§4, contract §3.2) with the REST client's
 * result shapes. Where HEAD differs the contract's facts stay: list shows only a token prefix,
 * nodes have no health_score, `usage_limit` unset means single use.
 */
export class QuartermasterGrpcClient implements QuartermasterApi {
  private readonly ch: GrpcChannel;

  constructor(opts: GrpcClientOptions) {
    this.ch = new GrpcChannel(SERVICE, 'quartermaster-grpc', opts, ADMIN_TIMEOUT_MS);
  }

  close(): void {
    this.ch.close();
  }

  async createBootstrapToken(input: CreateBootstrapTokenInput): Promise<BootstrapToken> {
    const body = buildBootstrapTokenBody(input);
    const request: Msg = {
      // The server requires a name (the REST era had none): the CLI names it after kind and day.
      name: input.name?.trim() || `${body.kind} ${new Date().toISOString().slice(0, 10)}`,
      kind: body.kind,
      ttl: body.ttl,
      ...(body.tenant_id ? { tenant_id: body.tenant_id } : {}),
      ...(body.cluster_id ? { cluster_id: body.cluster_id } : {}),
      ...(body.expected_ip ? { expected_ip: body.expected_ip } : {}),
      ...(body.metadata ? { metadata: jsonToStruct(body.metadata) } : {}),
      ...(input.usageLimit !== undefined ? { usage_limit: input.usageLimit } : {}),
    };
    const reply = await this.ch.call<{ token?: Msg | null }>({ path: '/quartermaster.BootstrapService/CreateBootstrapToken', request });
    if (!reply.token || typeof reply.token.token !== 'string' || !reply.token.token) throw badReply(SERVICE, 'no token in the create reply');
    registerSecret(reply.token.token);
    return token(reply.token);
  }

  /** Newest first; the server sends only a 12-character prefix of each value (contract §3.2). */
  async listBootstrapTokens(): Promise<BootstrapToken[]> {
    const tokens = await this.pages('/quartermaster.BootstrapService/ListBootstrapTokens', {}, 'tokens');
    for (const t of tokens) if (typeof t.token === 'string' && t.token) registerSecret(t.token);
    return tokens.map(token);
  }

  async revokeBootstrapToken(id: string): Promise<RevokeBootstrapTokenResult> {
    if (!UUID.test(id)) throw usageError(`"${id}" is not a bootstrap token id (a UUID).`, ['List ids with: frameworks admin bootstrap-tokens list'], 'INVALID_ID');
    await this.ch.call({ path: '/quartermaster.BootstrapService/RevokeBootstrapToken', request: { token_id: id }, listHint: 'frameworks admin bootstrap-tokens list' });
    return { id };
  }

  async servicesHealth(opts: { serviceId?: string } = {}): Promise<ServiceInstanceHealth[]> {
    checkOptionalIdentifier(opts.serviceId, '--service-id');
    const reply = opts.serviceId
      ? await this.ch.call<{ instances?: Msg[] }>({ path: '/quartermaster.ServiceRegistryService/GetServiceHealth', request: { service_id: opts.serviceId } })
      : await this.ch.call<{ instances?: Msg[] }>({ path: '/quartermaster.ServiceRegistryService/ListServicesHealth', request: {} });
    return (reply.instances ?? []).map((i) => withDates(SERVICE, plain<ServiceInstanceHealthWire>(i, HEALTH_TIMES), HEALTH_TIMES));
  }

  async discover(opts: { type: string; clusterId?: string }): Promise<ServiceInstance[]> {
    if (!opts.type?.trim()) throw usageError('Service discovery needs a service type.', ['e.g. --type foghorn'], 'TYPE_REQUIRED');
    checkIdentifier(opts.type, '--type');
    checkOptionalIdentifier(opts.clusterId, '--cluster-id');
    const request = { service_type: opts.type, ...(opts.clusterId ? { cluster_id: opts.clusterId } : {}) };
    const rows = await this.pages('/quartermaster.BootstrapService/DiscoverServices', request, 'instances');
    return rows.map((i) => withDates(SERVICE, plain<ServiceInstanceWire>(i, INSTANCE_TIMES), INSTANCE_TIMES));
  }

  async listNodes(filters: NodeFilters = {}): Promise<InfrastructureNode[]> {
    checkOptionalIdentifier(filters.clusterId, '--cluster-id');
    checkOptionalIdentifier(filters.nodeType, '--type');
    checkOptionalIdentifier(filters.region, '--region');
    const request = { cluster_id: filters.clusterId ?? '', node_type: filters.nodeType ?? '', region: filters.region ?? '' };
    return (await this.pages('/quartermaster.NodeService/ListNodes', request, 'nodes')).map(node);
  }

  async getNode(id: string): Promise<InfrastructureNode> {
    checkIdentifier(id, 'The node id');
    const reply = await this.ch.call<{ node?: Msg | null }>({ path: '/quartermaster.NodeService/GetNode', request: { node_id: id }, listHint: 'List nodes with: frameworks admin nodes list' });
    if (!reply.node) throw badReply(SERVICE, 'no node in the reply');
    return node(reply.node);
  }

  async listClusters(): Promise<InfrastructureCluster[]> {
    return (await this.pages('/quartermaster.ClusterService/ListClusters', {}, 'clusters')).map(cluster);
  }

  async getCluster(id: string): Promise<InfrastructureCluster> {
    checkIdentifier(id, 'The cluster id');
    const reply = await this.ch.call<{ cluster?: Msg | null }>({ path: '/quartermaster.ClusterService/GetCluster', request: { cluster_id: id }, listHint: 'List clusters with: frameworks admin clusters list' });
    if (!reply.cluster) throw badReply(SERVICE, 'no cluster in the reply');
    return cluster(reply.cluster);
  }

  /** Every page of a cursor-paginated list (the HEAD Go CLI read only the first 50 rows). */
  private async pages(path: string, request: Msg, field: string): Promise<Msg[]> {
    const out: Msg[] = [];
    let after: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const reply = await this.ch.call<Msg & { pagination?: Page | null }>({ path, request: { ...request, pagination: { first: PAGE, ...(after ? { after } : {}) } } });
      const rows = reply[field];
      if (rows !== undefined && rows !== null && !Array.isArray(rows)) throw badReply(SERVICE, `expected a repeated ${field}`);
      out.push(...((rows as Msg[] | undefined) ?? []));
      if (!reply.pagination?.has_next_page || !reply.pagination.end_cursor || reply.pagination.end_cursor === after) break;
      after = reply.pagination.end_cursor;
    }
    return out;
  }
}

function token(t: Msg): BootstrapToken {
  return withDates(SERVICE, plain<BootstrapTokenWire>(t, TOKEN_TIMES, ['metadata']), TOKEN_TIMES);
}

function node(n: Msg): InfrastructureNode {
  const out = plain<InfrastructureNodeWire & { resource_snapshot?: Msg }>(n, NODE_TIMES, ['tags', 'metadata']);
  if (out.resource_snapshot) out.resource_snapshot = plain<Msg>(out.resource_snapshot, ['collected_at']);
  out.tags ??= {};
  out.metadata ??= {};
  return withDates(SERVICE, out, NODE_TIMES);
}

function cluster(c: Msg): InfrastructureCluster {
  return withDates(SERVICE, plain<InfrastructureClusterWire>(c, CLUSTER_TIMES), CLUSTER_TIMES);
}
