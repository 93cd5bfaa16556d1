/**
 * Today's control plane over gRPC, for the CLI's end-to-end tests: Quartermaster (BootstrapService,
 * ServiceRegistryService, NodeService, ClusterService), Commodore (DeveloperService) and Foghorn's
 * internal NodeControlService, each on its own listener with grpc.health.v1 registered, plaintext or
 * TLS (a self-signed certificate made by the test).
 *
 * Follows /work/shared/contracts/grpc-wire.md §4 and control-plane.md §1.6, §3.2, §4.5, §5.2: the auth
 * interceptor (skip list for health; "missing metadata" / "missing authorization" / "invalid
 * authorization format" / "invalid token" → UNAUTHENTICATED), service token vs JWT, tenant scoping of
 * ListNodes/ListClusters, Commodore's "missing user context", Foghorn's tenant ownership rule.
 * JWTs and the service token are the REST stand-in's (options), so one login works for both eras. Imports
 * nothing of test/support at run time, so scripts can load it with plain node.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import type { JwtClaims } from './control-plane.js';

const PROTO_DIR = resolve(import.meta.dirname, '../../packages/sdk/proto');
const defs = protoLoader.loadSync(['quartermaster.proto', 'commodore.proto', 'foghorn.proto'], {
  keepCase: true, longs: Number, enums: String, defaults: false, oneofs: false, includeDirs: [PROTO_DIR],
});

export const GRPC_AUTH_ERRORS = {
  missingMetadata: 'missing metadata',
  missingAuthorization: 'missing authorization',
  format: 'invalid authorization format',
  invalid: 'invalid token',
  userContext: 'missing user context',
} as const;

export type GrpcServiceName = 'quartermaster' | 'commodore' | 'foghorn';

export interface GrpcCall {
  service: GrpcServiceName;
  method: string;
  metadata: Record<string, string>;
  request: Record<string, unknown>;
}

export interface GrpcNode {
  node_id: string;
  cluster_id: string;
  node_name?: string;
  node_type?: string;
  region?: string;
  external_ip?: string;
  status?: string;
  owner_tenant_id?: string;
  tags?: Record<string, unknown>;
}

export interface GrpcCluster {
  cluster_id: string;
  cluster_name?: string;
  owner_tenant_id?: string;
  visibility?: string;
  health_status?: string;
}

export interface GrpcInstance {
  service_id: string;
  type?: string;
  cluster_id: string;
  instance_id?: string;
  host?: string;
  port?: number;
  status?: string;
  health_status?: string;
}

export interface GrpcControlPlaneOptions {
  /** The REST stand-in's JWT check (`(t) => verifyJwt(t, cp.jwtSecret)`), so one login serves both eras. */
  verifyJwt: (token: string) => JwtClaims | undefined;
  serviceToken: string;
  /** Serve TLS with a certificate for 127.0.0.1/localhost (made with openssl); default plaintext. */
  tls?: boolean;
}

type Identity = { kind: 'service' | 'jwt'; userId?: string; tenantId?: string };
type Handler = (req: Record<string, unknown>, who: Identity) => Record<string, unknown>;
class Status extends Error {
  readonly code: grpc.status;
  constructor(code: grpc.status, message: string) {
    super(message);
    this.code = code;
  }
}

const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 });
const struct = (o: Record<string, unknown> = {}) => ({
  fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? { numberValue: v } : typeof v === 'boolean' ? { boolValue: v } : { stringValue: String(v) }])),
});

export class GrpcControlPlane {
  readonly calls: GrpcCall[] = [];
  readonly addresses = {} as Record<GrpcServiceName, string>;
  readonly caFile?: string;
  readonly nodes: GrpcNode[] = [];
  readonly clusters: GrpcCluster[] = [];
  readonly instances: GrpcInstance[] = [];
  readonly bootstrapTokens: Array<Record<string, unknown>> = [];
  readonly apiTokens: Array<Record<string, unknown> & { user_id: string; tenant_id: string }> = [];
  /** Foghorn's view: mode, viewers and active streams per node (a node must be known to Foghorn). */
  readonly foghorn = new Map<string, { mode: string; viewers: number; streams: number; tenant_id: string }>();
  private readonly servers: grpc.Server[] = [];
  private faults: Array<{ method: string; code: grpc.status; message: string }> = [];
  private readonly certDir?: string;
  private readonly opts: GrpcControlPlaneOptions;

  constructor(opts: GrpcControlPlaneOptions) {
    this.opts = opts;
    if (opts.tls) {
      this.certDir = mkdtempSync(join(tmpdir(), 'fw-grpc-tls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', join(this.certDir, 'key.pem'), '-out', join(this.certDir, 'cert.pem')], { stdio: 'ignore' });
      this.caFile = join(this.certDir, 'cert.pem');
    }
  }

  /** Every call of `method` (e.g. `ListNodes`) fails with this status until cleared. */
  fail(method: string, code: grpc.status, message: string): void {
    this.faults.push({ method, code, message });
  }

  reset(): void {
    this.faults = [];
    this.calls.length = 0;
    for (const list of [this.nodes, this.clusters, this.instances, this.bootstrapTokens, this.apiTokens]) list.length = 0;
    this.foghorn.clear();
  }

  callsTo(method: string): GrpcCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async start(): Promise<this> {
    const creds = this.opts.tls
      ? grpc.ServerCredentials.createSsl(null, [{ private_key: readFileSync(join(this.certDir!, 'key.pem')), cert_chain: readFileSync(this.caFile!) }], false)
      : grpc.ServerCredentials.createInsecure();
    const plan: Record<GrpcServiceName, Array<[string, Record<string, Handler>]>> = {
      quartermaster: [
        ['quartermaster.BootstrapService', this.bootstrapService()],
        ['quartermaster.ServiceRegistryService', this.registryService()],
        ['quartermaster.NodeService', this.nodeService()],
        ['quartermaster.ClusterService', this.clusterService()],
      ],
      commodore: [['commodore.DeveloperService', this.developerService()]],
      foghorn: [['foghorn.NodeControlService', this.nodeControlService()]],
    };
    for (const [name, services] of Object.entries(plan) as Array<[GrpcServiceName, Array<[string, Record<string, Handler>]>]>) {
      const server = new grpc.Server();
      new HealthImplementation({ '': 'SERVING' }).addToServer(server);
      for (const [svc, handlers] of services) {
        const definition = defs[svc] as grpc.ServiceDefinition;
        const impl: grpc.UntypedServiceImplementation = {};
        for (const method of Object.keys(definition)) {
          const h = handlers[method];
          impl[method] = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) => {
            try {
              const md = Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)]));
              this.calls.push({ service: name, method, metadata: md, request: call.request });
              const fault = this.faults.find((f) => f.method === method);
              if (fault) throw new Status(fault.code, fault.message);
              const who = this.authenticate(call.metadata);
              if (!h) throw new Status(grpc.status.UNIMPLEMENTED, `method ${method} not implemented`);
              cb(null, h(call.request, who));
            } catch (err) {
              const e = err instanceof Status ? err : new Status(grpc.status.INTERNAL, (err as Error).message);
              cb({ code: e.code, details: e.message });
            }
          };
        }
        server.addService(definition, impl);
      }
      const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? rej(err) : res(p))));
      this.addresses[name] = `127.0.0.1:${port}`;
      this.servers.push(server);
    }
    return this;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.tryShutdown(() => r()))));
    if (this.certDir) rmSync(this.certDir, { recursive: true, force: true });
  }

  /** pkg/middleware/grpc.go as contract §1.6 describes it (health is on its own service, never here). */
  private authenticate(md: grpc.Metadata): Identity {
    const auth = md.get('authorization')[0];
    if (auth === undefined) throw new Status(grpc.status.UNAUTHENTICATED, GRPC_AUTH_ERRORS.missingAuthorization);
    const value = String(auth);
    if (!value.startsWith('Bearer ')) throw new Status(grpc.status.UNAUTHENTICATED, GRPC_AUTH_ERRORS.format);
    const token = value.slice(7);
    if (token === this.opts.serviceToken) {
      const u = md.get('x-user-id')[0];
      const t = md.get('x-tenant-id')[0];
      return { kind: 'service', ...(u ? { userId: String(u) } : {}), ...(t ? { tenantId: String(t) } : {}) };
    }
    const claims = this.opts.verifyJwt(token);
    if (!claims) throw new Status(grpc.status.UNAUTHENTICATED, GRPC_AUTH_ERRORS.invalid);
    return { kind: 'jwt', ...(claims.user_id ? { userId: claims.user_id } : {}), ...(claims.tenant_id ? { tenantId: claims.tenant_id } : {}) };
  }

  private page<T>(rows: T[], req: Record<string, unknown>): { rows: T[]; pagination: Record<string, unknown> } {
    const p = (req.pagination ?? {}) as { first?: number; after?: string };
    const size = Math.min(p.first && p.first > 0 ? p.first : 50, 500);
    const start = p.after ? Number(Buffer.from(p.after, 'base64').toString()) : 0;
    const slice = rows.slice(start, start + size);
    const end = start + slice.length;
    return {
      rows: slice,
      pagination: { total_count: rows.length, has_next_page: end < rows.length, has_previous_page: start > 0, ...(slice.length ? { end_cursor: Buffer.from(String(end)).toString('base64') } : {}) },
    };
  }

  private bootstrapService(): Record<string, Handler> {
    return {
      CreateBootstrapToken: (req, who) => {
        if (!req.name) throw new Status(grpc.status.INVALID_ARGUMENT, 'name is required');
        if (!['edge_node', 'service', 'infrastructure_node'].includes(String(req.kind))) throw new Status(grpc.status.INVALID_ARGUMENT, 'invalid kind');
        if (req.kind === 'edge_node' && !req.tenant_id) throw new Status(grpc.status.INVALID_ARGUMENT, 'tenant_id is required for edge_node tokens');
        const now = Date.now();
        const ttlH = /^(\d+)h$/.exec(String(req.ttl ?? ''))?.[1];
        const t = {
          id: randomUUID(), name: req.name, token: `bt_${randomBytes(32).toString('hex')}`, kind: req.kind,
          ...(['tenant_id', 'cluster_id', 'expected_ip', 'usage_limit', 'metadata'] as const).reduce((o, k) => (req[k] !== undefined ? { ...o, [k]: req[k] } : o), {}),
          usage_count: 0, expires_at: ts(now + (ttlH ? Number(ttlH) : 24) * 3_600_000), created_at: ts(now),
          ...(who.userId ? { created_by: who.userId } : {}),
        };
        this.bootstrapTokens.unshift(t);
        return { token: t };
      },
      ListBootstrapTokens: (req) => {
        // Only a prefix of each value and no metadata (contract §3.2).
        const rows = this.bootstrapTokens.map(({ metadata: _m, ...t }) => ({ ...t, token: `${String(t.token).slice(0, 12)}...` }));
        const { rows: tokens, pagination } = this.page(rows, req);
        return { tokens, pagination: { ...pagination, total_count: tokens.length } };
      },
      RevokeBootstrapToken: (req) => {
        if (!req.token_id) throw new Status(grpc.status.INVALID_ARGUMENT, 'token_id required');
        const i = this.bootstrapTokens.findIndex((t) => t.id === req.token_id);
        if (i < 0) throw new Status(grpc.status.NOT_FOUND, 'token not found');
        this.bootstrapTokens.splice(i, 1);
        return {};
      },
      DiscoverServices: (req) => {
        if (!req.service_type) throw new Status(grpc.status.INVALID_ARGUMENT, 'service_type is required');
        const rows = this.instances
          .filter((i) => (i.type ?? i.service_id) === req.service_type && (!req.cluster_id || i.cluster_id === req.cluster_id))
          .map((i) => this.instance(i));
        const { rows: instances, pagination } = this.page(rows, req);
        return { instances, pagination };
      },
    };
  }

  private instance(i: GrpcInstance): Record<string, unknown> {
    const now = Date.now();
    return {
      id: createHash('sha1').update(i.service_id + i.cluster_id).digest('hex').slice(0, 12), instance_id: i.instance_id ?? `${i.service_id}-1`,
      service_id: i.service_id, cluster_id: i.cluster_id, status: i.status ?? 'running', health_status: i.health_status ?? 'healthy',
      protocol: 'http', ...(i.host ? { host: i.host } : {}), ...(i.port ? { port: i.port } : {}),
      last_health_check: ts(now - 5000), created_at: ts(now - 3_600_000), updated_at: ts(now), metadata: { public_host: i.host ?? '' },
    };
  }

  private registryService(): Record<string, Handler> {
    const health = (i: GrpcInstance) => ({
      instance_id: i.instance_id ?? `${i.service_id}-1`, service_id: i.service_id, cluster_id: i.cluster_id, protocol: 'http',
      ...(i.host ? { host: i.host } : {}), port: i.port ?? 0, status: i.health_status ?? 'healthy', last_health_check: ts(Date.now() - 5000),
    });
    return {
      ListServicesHealth: () => ({ instances: this.instances.map(health) }),
      GetServiceHealth: (req) => ({ instances: this.instances.filter((i) => i.service_id === req.service_id).map(health) }),
    };
  }

  private node(n: GrpcNode): Record<string, unknown> {
    const now = Date.now();
    return {
      id: createHash('sha1').update(n.node_id).digest('hex').slice(0, 12), node_id: n.node_id, cluster_id: n.cluster_id,
      node_name: n.node_name ?? n.node_id, node_type: n.node_type ?? 'edge', ...(n.region ? { region: n.region } : {}),
      ...(n.external_ip ? { external_ip: n.external_ip } : {}), last_heartbeat: ts(now - 10_000), tags: struct(n.tags), metadata: struct(),
      created_at: ts(now - 86_400_000), updated_at: ts(now), status: n.status ?? 'active', enrollment_origin: 'bootstrap',
      ...(n.owner_tenant_id ? { owner_tenant_id: n.owner_tenant_id } : {}),
    };
  }

  private nodeService(): Record<string, Handler> {
    return {
      ListNodes: (req, who) => {
        // A tenant id narrows to that tenant's nodes; the service token alone sees all (grpc-wire §4.2).
        const rows = this.nodes
          .filter((n) => !who.tenantId || n.owner_tenant_id === who.tenantId)
          .filter((n) => (!req.cluster_id || n.cluster_id === req.cluster_id) && (!req.node_type || (n.node_type ?? 'edge') === req.node_type) && (!req.region || n.region === req.region))
          .map((n) => this.node(n));
        const { rows: nodes, pagination } = this.page(rows, req);
        return { nodes, cluster_id: req.cluster_id ?? '', node_type: req.node_type ?? '', region: req.region ?? '', pagination };
      },
      GetNode: (req) => {
        const n = this.nodes.find((x) => x.node_id === req.node_id);
        if (!n) throw new Status(grpc.status.NOT_FOUND, 'node not found');
        return { node: this.node(n) };
      },
    };
  }

  private cluster(c: GrpcCluster): Record<string, unknown> {
    const now = Date.now();
    return {
      id: createHash('sha1').update(c.cluster_id).digest('hex').slice(0, 12), cluster_id: c.cluster_id, cluster_name: c.cluster_name ?? c.cluster_id,
      cluster_type: 'central', deployment_model: 'managed', base_url: `https://${c.cluster_id}.example.com`, max_concurrent_streams: 100,
      max_concurrent_viewers: 1000, max_bandwidth_mbps: 1000, health_status: c.health_status ?? 'healthy', is_active: true,
      created_at: ts(now - 86_400_000), updated_at: ts(now), visibility: c.visibility ?? 'CLUSTER_VISIBILITY_PUBLIC', pricing_model: 'CLUSTER_PRICING_METERED',
      ...(c.owner_tenant_id ? { owner_tenant_id: c.owner_tenant_id } : {}),
    };
  }

  private clusterService(): Record<string, Handler> {
    return {
      ListClusters: (req, who) => {
        const rows = this.clusters.filter((c) => !who.tenantId || c.owner_tenant_id === who.tenantId).map((c) => this.cluster(c));
        const { rows: clusters, pagination } = this.page(rows, req);
        return { clusters, pagination };
      },
      GetCluster: (req) => {
        if (!req.cluster_id) throw new Status(grpc.status.INVALID_ARGUMENT, 'cluster_id required');
        const c = this.clusters.find((x) => x.cluster_id === req.cluster_id);
        if (!c) throw new Status(grpc.status.NOT_FOUND, 'cluster not found');
        return { cluster: this.cluster(c) };
      },
    };
  }

  private developerService(): Record<string, Handler> {
    const user = (who: Identity) => {
      if (!who.userId || !who.tenantId) throw new Status(grpc.status.UNAUTHENTICATED, GRPC_AUTH_ERRORS.userContext);
      return { user_id: who.userId, tenant_id: who.tenantId };
    };
    return {
      CreateAPIToken: (req, who) => {
        const u = user(who);
        const perms = (req.permissions as string[] | undefined)?.length ? (req.permissions as string[]) : ['read'];
        const t = {
          id: randomUUID(), token_name: (req.token_name as string) || `API Token ${new Date().toISOString().slice(0, 10)}`, permissions: perms,
          status: 'active', created_at: ts(Date.now()), ...(req.expires_at ? { expires_at: req.expires_at } : {}), token_value: `fw_${randomBytes(32).toString('hex')}`, ...u,
        };
        this.apiTokens.unshift(t);
        const { user_id: _u, tenant_id: _t, status: _s, ...reply } = t;
        return { ...reply, message: 'API token created successfully' };
      },
      ListAPITokens: (req, who) => {
        const u = user(who);
        const rows = this.apiTokens.filter((t) => t.user_id === u.user_id && t.tenant_id === u.tenant_id).map(({ token_value: _v, user_id: _u, tenant_id: _t, ...t }) => t);
        const { rows: tokens, pagination } = this.page(rows, req);
        return { tokens, pagination };
      },
      RevokeAPIToken: (req, who) => {
        const u = user(who);
        const t = this.apiTokens.find((x) => x.id === req.token_id && x.user_id === u.user_id && x.status === 'active');
        if (!t) throw new Status(grpc.status.NOT_FOUND, 'token not found');
        t.status = 'revoked';
        return { message: 'API token revoked successfully', token_id: t.id, token_name: t.token_name, revoked_at: ts(Date.now()) };
      },
    };
  }

  private nodeControlService(): Record<string, Handler> {
    const owned = (nodeId: unknown, who: Identity) => {
      if (!nodeId) throw new Status(grpc.status.INVALID_ARGUMENT, 'node_id is required');
      const n = this.foghorn.get(String(nodeId));
      if (!n) throw new Status(grpc.status.NOT_FOUND, 'node not found');
      if (who.kind === 'jwt') {
        if (!who.tenantId) throw new Status(grpc.status.UNAUTHENTICATED, 'missing tenant');
        if (n.tenant_id !== who.tenantId) throw new Status(grpc.status.PERMISSION_DENIED, 'node is not owned by this tenant');
      }
      return n;
    };
    return {
      SetNodeOperationalMode: (req, who) => {
        const n = owned(req.node_id, who);
        const mode = String(req.mode ?? '').trim().toLowerCase();
        if (!['normal', 'draining', 'maintenance'].includes(mode)) throw new Status(grpc.status.INVALID_ARGUMENT, `invalid mode: ${String(req.mode)}`);
        n.mode = mode;
        return { node_id: req.node_id, mode, message: `Node ${String(req.node_id)} set to ${mode}`, status: 'SET_NODE_MODE_STATUS_SUCCESS' };
      },
      GetNodeHealth: (req, who) => {
        const n = owned(req.node_id, who);
        // A draining node loses its streams between polls, so --wait ends.
        const reply = { node_id: req.node_id, operational_mode: n.mode, is_healthy: true, active_viewers: n.viewers, active_streams: n.streams, tenant_id: n.tenant_id };
        if (n.mode !== 'normal' && n.streams > 0) [n.streams, n.viewers] = [Math.max(0, n.streams - 1), Math.max(0, n.viewers - 10)];
        return reply;
      },
    };
  }
}

export async function startGrpcControlPlane(opts: GrpcControlPlaneOptions): Promise<GrpcControlPlane> {
  return new GrpcControlPlane(opts).start();
}
