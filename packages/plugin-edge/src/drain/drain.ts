import {
  ExitCode,
  FrameworksError,
  GatewayGraphqlClient,
  detectEra,
  gatewaySettings,
  isFrameworksError,
  routeControlCall,
  selectFoghorn,
  type ChosenCredential,
  type Dialer,
  type DrainStatus,
  type FoghornApi,
  type OperationalMode,
  type ResolvedContext,
} from '@frameworks/sdk';

/** Who the audit trail of Foghorn (`set_by`) names. */
export const SET_BY = 'frameworks-cli';

/**
 * Foghorn node control in the era the context speaks (`api`): REST on `foghorn-http`, whose routes
 * have no auth middleware (no credential is sent), or gRPC `NodeControlService` on `foghorn-grpc`,
 * which takes the service token or a JWT (asked for only then).
 */
export async function foghornFor(ctx: ResolvedContext, credential: () => Promise<ChosenCredential | undefined>, dialer?: Dialer): Promise<{ client: FoghornApi; url: string }> {
  const { era } = await detectEra({ ctx, grpcKey: 'foghorn-grpc', restKey: 'foghorn-http', ...(dialer ? { dialer } : {}) });
  const sel = await selectFoghorn({ ctx, era, ...(dialer ? { dialer } : {}), ...(era === 'grpc' ? { credential: await credential() } : {}) });
  return { client: sel.client, url: sel.url };
}

/** Where a node-mode change may go: Foghorn directly (either era), or the Gateway's `setNodeMode` (contract §5.2). */
export interface NodeModeRoute {
  ctx: ResolvedContext;
  /** A JWT or the service token, for gRPC Foghorn and the Gateway (Foghorn's HTTP routes take none): asked only when used. */
  credential: () => Promise<ChosenCredential | undefined>;
  dialer?: Dialer;
}

export interface NodeModeChange {
  /** The mode before; null through the Gateway (its reply does not say). */
  before: string | null;
  /** Viewers before the change; null through the Gateway. */
  viewersBefore: number | null;
  set: DrainStatus;
  /** Where the change went: the Foghorn endpoint, or the Gateway's GraphQL URL. */
  url: string;
}

/** The Foghorn endpoint the context names for its era, without asking anything (auto: the REST one). */
export function directFoghorn(ctx: ResolvedContext): { key: 'foghorn-grpc' | 'foghorn-http'; url: string } {
  const key = ctx.config.api === 'grpc' ? 'foghorn-grpc' : 'foghorn-http';
  return { key, url: ctx.endpoints[key].value };
}

/**
 * Reads the node's status, then sets `mode` — on Foghorn directly, or (gateway-only context, or
 * Foghorn unreachable with the fallback allowed) with one `setNodeMode` on the Gateway. `needsStatus`
 * names what only the direct path can do (a drain-status read), so gateway-only refuses it.
 */
export async function changeNodeMode(r: NodeModeRoute, operation: string, nodeId: string, mode: OperationalMode, needsStatus?: string): Promise<NodeModeChange> {
  const direct = directFoghorn(r.ctx);
  const gatewayUrl = r.ctx.endpoints.gateway.value;
  const graphql = `${gatewayUrl.replace(/\/+$/, '')}/graphql`;
  const routed = await routeControlCall<NodeModeChange>({
    operation,
    settings: gatewaySettings(r.ctx.config),
    direct: {
      service: 'Foghorn', key: direct.key, url: direct.url,
      run: async () => {
        const { client, url } = await foghornFor(r.ctx, r.credential, r.dialer);
        const before = await client.drainStatus(nodeId);
        return { before: before.operational_mode, viewersBefore: before.active_viewers, set: await client.setMode(nodeId, mode, SET_BY), url };
      },
    },
    gateway: needsStatus
      ? { unsupported: needsStatus }
      : {
          url: graphql,
          run: async () => {
            const gw = new GatewayGraphqlClient({ baseUrl: gatewayUrl, context: r.ctx.name, credential: await r.credential(), timeoutMs: 15_000, ...(r.dialer ? { dialer: r.dialer } : {}) });
            return { before: null, viewersBefore: null, set: await gw.setMode(nodeId, mode, SET_BY), url: graphql };
          },
        },
    mutation: true,
  });
  return routed.value;
}

/** Foghorn's drain status (either era); no Gateway field reads it, so gateway-only refuses naming Foghorn. */
export async function readDrainStatus(r: NodeModeRoute, operation: string, nodeId: string): Promise<DrainStatus & { url: string }> {
  const direct = directFoghorn(r.ctx);
  const routed = await routeControlCall<DrainStatus & { url: string }>({
    operation,
    settings: gatewaySettings(r.ctx.config),
    direct: {
      service: 'Foghorn', key: direct.key, url: direct.url,
      run: async () => {
        const { client, url } = await foghornFor(r.ctx, r.credential, r.dialer);
        return { ...(await client.drainStatus(nodeId)), url };
      },
    },
    gateway: { unsupported: "no Gateway field reads a node's drain status (setNodeMode only sets it)" },
  });
  return routed.value;
}

/** What a drain around an operation did; part of the result, also when the operation failed. */
export interface DrainReport {
  node_id: string;
  /** The mode before the drain (what is restored afterwards). */
  mode_before: string;
  viewers_at_drain: number;
  /** How long until active_viewers was 0; null when it never got there. */
  idle_after_ms: number | null;
  /** The mode was set back to mode_before (normal, for a node that was not draining before). */
  restored: boolean;
  mode_after: string | null;
  undrain_error: string | null;
}

export interface DrainAroundOptions {
  idleTimeoutMs: number;
  intervalMs: number;
  /** Progress lines ("edge-1: 12 viewer(s) left"). */
  progress?: (text: string) => void;
  /** The command that undrains by hand, for the hint when restoring fails. */
  undrainHint: string;
  /** Ctrl-C: stop waiting for viewers at once (nothing updated; the node goes back). */
  signal?: AbortSignal;
}

/**
 * drain → wait until idle (active_viewers 0) → `work` → put the node back in the mode it had,
 * whatever `work` did (try/finally). Errors keep their code and exit code; their result gains `drain`.
 * A node Foghorn does not know fails first (NOT_FOUND, exit 1) with nothing changed.
 */
export async function drainAround<T extends object>(client: FoghornApi, nodeId: string, o: DrainAroundOptions, work: () => Promise<T>): Promise<T & { drain: DrainReport }> {
  const before = await client.drainStatus(nodeId);
  const report: DrainReport = {
    node_id: nodeId,
    mode_before: before.operational_mode,
    viewers_at_drain: before.active_viewers,
    idle_after_ms: null,
    restored: false,
    mode_after: null,
    undrain_error: null,
  };
  let value: T | undefined;
  let failure: unknown;
  try {
    const set = await client.setMode(nodeId, 'draining', SET_BY);
    report.viewers_at_drain = set.active_viewers;
    o.progress?.(`${nodeId}: draining (was ${before.operational_mode}), ${set.active_viewers} viewer(s)`);
    const started = Date.now();
    await waitIdle(client, nodeId, o).catch((err: unknown) => {
      if (o.signal?.aborted) {
        const back = `Not updated; ${nodeId} goes back to ${before.operational_mode}.`;
        throw new FrameworksError(`Interrupted while waiting for the viewers of ${nodeId} to leave. ${back}`, {
          code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, name: 'InterruptedError',
        });
      }
      throw isFrameworksError(err) && err.code === 'DRAIN_TIMEOUT'
        ? new FrameworksError(`${err.message} Not updated; ${nodeId} goes back to ${before.operational_mode}.`, {
            code: 'DRAIN_TIMEOUT', exitCode: ExitCode.FAILED, name: 'TimeoutError', cause: err, result: { status: err.result },
            suggestions: ['Allow more time with --idle-timeout (e.g. --idle-timeout 30m)'],
          })
        : err;
    });
    report.idle_after_ms = Date.now() - started;
    o.progress?.(`${nodeId}: idle after ${(report.idle_after_ms / 1000).toFixed(1)}s`);
    value = await work();
  } catch (err) {
    failure = err;
  } finally {
    try {
      const back = await client.setMode(nodeId, before.operational_mode, SET_BY);
      report.restored = true;
      report.mode_after = back.operational_mode;
      o.progress?.(`${nodeId}: back to ${back.operational_mode}`);
    } catch (err) {
      report.undrain_error = (err as Error).message;
    }
  }
  const undrainHint = report.undrain_error ? [`${o.undrainHint}   # the node is still draining: ${report.undrain_error}`] : [];
  if (failure !== undefined) {
    const e = isFrameworksError(failure)
      ? failure
      : new FrameworksError((failure as Error).message ?? String(failure), { code: 'FAILED', exitCode: ExitCode.FAILED, cause: failure });
    const prior = e.result && typeof e.result === 'object' && !Array.isArray(e.result) ? (e.result as Record<string, unknown>) : e.result === undefined ? {} : { value: e.result };
    throw new FrameworksError(report.undrain_error ? `${e.message} Restoring ${nodeId} failed too: ${report.undrain_error}` : e.message, {
      code: e.code,
      exitCode: e.exitCode,
      name: e.name,
      cause: e.cause ?? e,
      suggestions: [...undrainHint, ...e.suggestions],
      result: { ...prior, drain: report },
    });
  }
  if (report.undrain_error) {
    throw new FrameworksError(`Done, but ${nodeId} could not be set back to ${before.operational_mode}: ${report.undrain_error}`, {
      code: 'UNDRAIN_FAILED', exitCode: ExitCode.FAILED, suggestions: undrainHint, result: { ...value!, drain: report },
    });
  }
  return { ...value!, drain: report };
}

/** Polls drain-status until active_viewers is 0, with a progress line whenever the count changes. */
export function waitIdle(
  client: FoghornApi,
  nodeId: string,
  o: Pick<DrainAroundOptions, 'idleTimeoutMs' | 'intervalMs' | 'progress' | 'signal'>,
): Promise<DrainStatus> {
  let last = -1;
  const started = Date.now();
  return client.waitIdle(nodeId, {
    timeoutMs: o.idleTimeoutMs,
    intervalMs: o.intervalMs,
    ...(o.signal ? { signal: o.signal } : {}),
    onPoll: (s) => {
      if (s.active_viewers !== last && s.active_viewers > 0) o.progress?.(`${nodeId}: ${s.active_viewers} viewer(s) left (${s.operational_mode}, ${Math.round((Date.now() - started) / 1000)}s)`);
      last = s.active_viewers;
    },
  });
}
