import { ExitCode, FrameworksError, usageError } from '../errors.js';
import { checkIdentifier } from '../input/server-text.js';
import { badReply, lazyHttp, type RestClientOptions } from './rest-util.js';

const SERVICE = 'Foghorn';

export type OperationalMode = 'normal' | 'draining' | 'maintenance';
export const OPERATIONAL_MODES: readonly OperationalMode[] = ['normal', 'draining', 'maintenance'];

/** Reply of both `PUT /nodes/{id}/mode` and `GET /nodes/{id}/drain-status` (contract §5.2). */
export interface DrainStatus {
  node_id: string;
  operational_mode: OperationalMode | string;
  active_viewers: number;
  /** gRPC era (GetNodeHealth): stream instances with connections; the idle test there. */
  active_streams?: number;
}

export interface WaitIdleOptions {
  /** Give up after this long (default 4 h, as the HEAD CLI's --wait). */
  timeoutMs?: number;
  /** Time between polls (default 15 s). */
  intervalMs?: number;
  onPoll?: (status: DrainStatus) => void;
  signal?: AbortSignal;
}

/** Per-call limits of the HEAD CLI (contract §8): set-mode 15 s, health polls 5 s. */
const SET_MODE_TIMEOUT_MS = 15_000;
const POLL_TIMEOUT_MS = 5_000;

export function normaliseMode(mode: string): OperationalMode {
  const m = mode.trim().toLowerCase();
  if (!(OPERATIONAL_MODES as readonly string[]).includes(m)) {
    throw usageError(`"${mode}" is not an operational mode.`, [`Use one of: ${OPERATIONAL_MODES.join(', ')}`], 'INVALID_MODE');
  }
  return m as OperationalMode;
}

/**
 * Foghorn HTTP node control (HEAD, contract §5.2). The routes have no auth middleware; a credential,
 * when given, is sent anyway. PUT and GET are idempotent and therefore retried.
 */
export class FoghornClient {
  private readonly http;

  constructor(private readonly opts: RestClientOptions) {
    this.http = lazyHttp(SERVICE, opts);
  }

  async setMode(nodeId: string, mode: string, setBy = 'frameworks-cli'): Promise<DrainStatus> {
    requireNodeId(nodeId);
    const body = { mode: normaliseMode(mode), set_by: setBy };
    const http = await this.http();
    const reply = await http.put<DrainStatus>(`/nodes/${encodeURIComponent(nodeId)}/mode`, body, { timeoutMs: this.opts.timeoutMs ?? SET_MODE_TIMEOUT_MS });
    return checkStatus(reply);
  }

  async drainStatus(nodeId: string): Promise<DrainStatus> {
    requireNodeId(nodeId);
    const http = await this.http();
    try {
      return checkStatus(await http.get<DrainStatus>(`/nodes/${encodeURIComponent(nodeId)}/drain-status`, { timeoutMs: this.opts.timeoutMs ?? POLL_TIMEOUT_MS }));
    } catch (err) {
      if (err instanceof FrameworksError && err.code === 'NOT_FOUND') {
        throw new FrameworksError(`Foghorn does not know node ${nodeId}.`, {
          code: 'NOT_FOUND', exitCode: ExitCode.FAILED, name: 'NotFoundError', cause: err,
          suggestions: ['Check the node id: frameworks admin nodes list'],
        });
      }
      throw err;
    }
  }

  /**
   * Polls drain-status until `active_viewers` is 0 (HTTP exposes viewers only, contract §5.2 / §9.8).
   * On timeout: DRAIN_TIMEOUT (exit 1) with the last status as the error's result.
   */
  async waitIdle(nodeId: string, opts: WaitIdleOptions = {}): Promise<DrainStatus> {
    return pollUntilIdle(() => this.drainStatus(nodeId), nodeId, opts, (s) => s.active_viewers, 'viewer(s)');
  }
}

/**
 * Polls `read` until `busy(status)` is 0, every intervalMs (default 15 s) for at most timeoutMs (default 4 h,
 * as the HEAD CLI's --wait). On timeout: DRAIN_TIMEOUT (exit 1) with the last status as the error's result.
 * Shared by both eras: HTTP counts viewers, gRPC counts active streams (contract §5.2).
 */
export async function pollUntilIdle(
  read: () => Promise<DrainStatus>, nodeId: string, opts: WaitIdleOptions, busy: (s: DrainStatus) => number, unit: string,
): Promise<DrainStatus> {
  const timeoutMs = opts.timeoutMs ?? 4 * 3_600_000;
  const intervalMs = opts.intervalMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    opts.signal?.throwIfAborted();
    const status = await read();
    opts.onPoll?.(status);
    if (busy(status) <= 0) return status;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new FrameworksError(`Node ${nodeId} still has ${busy(status)} ${unit} after ${Math.round(timeoutMs / 1000)} s.`, {
        code: 'DRAIN_TIMEOUT', exitCode: ExitCode.FAILED, name: 'TimeoutError', result: status,
        suggestions: ['Wait longer (--wait), or put the node in maintenance to cut remaining viewers'],
      });
    }
    await sleep(Math.min(intervalMs, left), opts.signal);
  }
}

export function requireNodeId(nodeId: string): void {
  if (!nodeId?.trim()) throw usageError('A node id is required.', ['frameworks admin nodes list'], 'NODE_ID_REQUIRED');
  checkIdentifier(nodeId, 'The node id');
}

function checkStatus(reply: unknown): DrainStatus {
  const r = reply as Partial<DrainStatus> | undefined;
  if (!r || typeof r.node_id !== 'string' || typeof r.active_viewers !== 'number') {
    throw badReply(SERVICE, 'expected {"node_id","operational_mode","active_viewers"}');
  }
  return { node_id: r.node_id, operational_mode: r.operational_mode || 'normal', active_viewers: r.active_viewers };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
