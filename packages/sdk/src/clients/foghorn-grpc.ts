import { GrpcChannel, type GrpcClientOptions } from '../grpc/channel.js';
import { normaliseMode, pollUntilIdle, requireNodeId, type DrainStatus, type FoghornClient, type WaitIdleOptions } from './foghorn.js';

const SERVICE = 'Foghorn';
/** Contract §8: set-mode 15 s, health polls 5 s per call. */
const SET_MODE_TIMEOUT_MS = 15_000;
const POLL_TIMEOUT_MS = 5_000;
const NODE_HINT = 'Check the node id: frameworks admin nodes list';

export type FoghornApi = { [K in keyof FoghornClient]: FoghornClient[K] } & { close?(): void };

interface NodeHealth {
  node_id: string;
  operational_mode: string;
  active_viewers: number;
  active_streams: number;
}

/**
 * Node modes over Foghorn's internal gRPC listener (`foghorn.NodeControlService`, contract §5.2):
 * service token (any node) or JWT (nodes of its tenant). Drain status comes from GetNodeHealth;
 * the idle test counts streams, as the HEAD CLI does (`active_streams == 0`).
 */
export class FoghornGrpcClient implements FoghornApi {
  private readonly ch: GrpcChannel;

  constructor(opts: GrpcClientOptions) {
    this.ch = new GrpcChannel(SERVICE, 'foghorn-grpc', opts, POLL_TIMEOUT_MS);
  }

  close(): void {
    this.ch.close();
  }

  async setMode(nodeId: string, mode: string, setBy = 'frameworks-cli'): Promise<DrainStatus> {
    requireNodeId(nodeId);
    const request = { node_id: nodeId, mode: normaliseMode(mode), set_by: setBy };
    const reply = await this.ch.call<{ mode?: string }>({ path: '/foghorn.NodeControlService/SetNodeOperationalMode', request, timeoutMs: SET_MODE_TIMEOUT_MS, listHint: NODE_HINT });
    // The reply has no viewer counts: read them back (one more call) so both eras return the same shape.
    const health = await this.drainStatus(nodeId);
    return { ...health, operational_mode: reply.mode || health.operational_mode };
  }

  async drainStatus(nodeId: string): Promise<DrainStatus> {
    requireNodeId(nodeId);
    const h = await this.ch.call<NodeHealth>({ path: '/foghorn.NodeControlService/GetNodeHealth', request: { node_id: nodeId }, timeoutMs: POLL_TIMEOUT_MS, listHint: NODE_HINT });
    return { node_id: h.node_id || nodeId, operational_mode: h.operational_mode || 'normal', active_viewers: h.active_viewers ?? 0, active_streams: h.active_streams ?? 0 };
  }

  /** Polls GetNodeHealth until no stream is active (contract §5.2: the idle test uses streams). */
  async waitIdle(nodeId: string, opts: WaitIdleOptions = {}): Promise<DrainStatus> {
    return pollUntilIdle(() => this.drainStatus(nodeId), nodeId, opts, (s) => s.active_streams ?? 0, 'active stream(s)');
  }
}
