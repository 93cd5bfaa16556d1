import type { ChosenCredential } from '../auth/policy.js';
import type { ResolvedContext } from '../config/resolve.js';
import type { Dialer } from '../net/dialer.js';
import { detectEra, type ApiEra } from './api-era.js';
import { CommodoreClient } from './commodore.js';
import { CommodoreGrpcClient, type CommodoreApi } from './commodore-grpc.js';
import { FoghornClient } from './foghorn.js';
import { FoghornGrpcClient, type FoghornApi } from './foghorn-grpc.js';
import { QuartermasterClient } from './quartermaster.js';
import { QuartermasterGrpcClient, type QuartermasterApi } from './quartermaster-grpc.js';

export interface ControlPlaneClientOptions {
  ctx: ResolvedContext;
  credential?: ChosenCredential;
  timeoutMs?: number;
  /** Default: direct. */
  dialer?: Dialer;
  env?: NodeJS.ProcessEnv;
  /** Commodore over gRPC with a service token: the user and tenant to act for. */
  userContext?: { userId?: string; tenantId?: string };
  /** Already decided (e.g. by detectEra before choosing a credential): no second look. */
  era?: ApiEra;
}

export interface Selected<C> {
  client: C;
  era: ApiEra;
  /** The endpoint value the calls go to (REST URL or gRPC address). */
  url: string;
}

/** The context's `grpc` settings and the caller's options, as every gRPC client takes them. */
function grpcOptions(o: ControlPlaneClientOptions, endpoint: string) {
  return {
    endpoint,
    context: o.ctx.name,
    ...(o.credential ? { credential: o.credential } : {}),
    ...(o.ctx.config.grpc ? { tls: o.ctx.config.grpc } : {}),
    ...(o.dialer ? { dialer: o.dialer } : {}),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  };
}

/** Quartermaster in the era the context speaks (`api: rest|grpc|auto`, default rest). */
export async function selectQuartermaster(o: ControlPlaneClientOptions): Promise<Selected<QuartermasterApi>> {
  const era = o.era ?? (await detectEra({ ctx: o.ctx, grpcKey: 'quartermaster-grpc', restKey: 'quartermaster', ...(o.dialer ? { dialer: o.dialer } : {}), ...(o.env ? { env: o.env } : {}) })).era;
  if (era === 'grpc') {
    const url = o.ctx.endpoints['quartermaster-grpc'].value;
    return { client: new QuartermasterGrpcClient(grpcOptions(o, url)), era, url };
  }
  const url = o.ctx.endpoints.quartermaster.value;
  return { client: new QuartermasterClient({ baseUrl: url, context: o.ctx.name, credential: o.credential, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.dialer ? { dialer: o.dialer } : {}) }), era, url };
}

export async function selectCommodore(o: ControlPlaneClientOptions): Promise<Selected<CommodoreApi>> {
  const era = o.era ?? (await detectEra({ ctx: o.ctx, grpcKey: 'control-grpc', restKey: 'control', ...(o.dialer ? { dialer: o.dialer } : {}), ...(o.env ? { env: o.env } : {}) })).era;
  if (era === 'grpc') {
    const url = o.ctx.endpoints['control-grpc'].value;
    const u = o.userContext;
    // x-user-id / x-tenant-id are read only for service-token callers (grpc-wire §4.1).
    const metadata = o.credential?.kind === 'service' && u?.userId && u.tenantId ? { 'x-user-id': u.userId, 'x-tenant-id': u.tenantId } : undefined;
    return { client: new CommodoreGrpcClient({ ...grpcOptions(o, url), ...(metadata ? { metadata } : {}) }), era, url };
  }
  const url = o.ctx.endpoints.control.value;
  return { client: new CommodoreClient({ baseUrl: url, context: o.ctx.name, credential: o.credential, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.dialer ? { dialer: o.dialer } : {}) }), era, url };
}

/**
 * Foghorn node modes: REST era on `foghorn-http` (no credential: those routes have no auth),
 * gRPC era on `foghorn-grpc` (NodeControlService; service token or JWT).
 */
export async function selectFoghorn(o: ControlPlaneClientOptions): Promise<Selected<FoghornApi>> {
  const era = o.era ?? (await detectEra({ ctx: o.ctx, grpcKey: 'foghorn-grpc', restKey: 'foghorn-http', ...(o.dialer ? { dialer: o.dialer } : {}), ...(o.env ? { env: o.env } : {}) })).era;
  if (era === 'grpc') {
    const url = o.ctx.endpoints['foghorn-grpc'].value;
    return { client: new FoghornGrpcClient(grpcOptions(o, url)), era, url };
  }
  const url = o.ctx.endpoints['foghorn-http'].value;
  return { client: new FoghornClient({ baseUrl: url, context: o.ctx.name, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.dialer ? { dialer: o.dialer } : {}) }), era, url };
}
