import { rawGet, type Dialer } from '@frameworks/sdk';
import { sleep } from '../pipeline/stages.js';

/**
 * Best-effort confirmation from Quartermaster (contract §3.1, MVP REST): the node is in
 * `GET /nodes?node_type=edge` and the bootstrap token has `used_at` in `GET /admin/bootstrap-tokens`.
 * Never fails enrollment: an unreachable, HEAD (no REST) or refusing Quartermaster is "skipped".
 * A tiny local client on purpose; a typed SDK client comes with the admin commands.
 */

export type QuartermasterAccess = { url: string; authorization: string; context: string; dialer?: Dialer } | { skip: string };

export interface QuartermasterCheck {
  status: 'ok' | 'warn' | 'skipped';
  detail: string;
  node_listed: boolean | null;
  /** used_at of our token (null: listed but unused; undefined: not checked or not visible). */
  token_used_at?: string | null;
  cluster_id?: string;
}

interface Answer {
  status: number;
  body?: unknown;
  error?: string;
}

/** One GET through the SDK (node:http(s): fetch refuses the Fetch standard's "bad ports", a context may use one). */
async function get(base: string, path: string, authorization: string, timeoutMs: number, signal?: AbortSignal, dialer?: Dialer): Promise<Answer> {
  const a = await rawGet(new URL(`${base.replace(/\/+$/, '')}${path}`), { headers: { authorization, accept: 'application/json' }, timeoutMs, ...(signal ? { signal } : {}), ...(dialer ? { dialer } : {}) });
  if (a.status === 0) return { status: 0, error: a.errorCode ?? a.error ?? 'no answer' };
  return { status: a.status, body: a.json };
}

/** Why an answer means "cannot check" (skipped), or undefined when it is usable. */
export function unusable(a: Answer): string | undefined {
  if (a.status === 0) return `unreachable: ${a.error}`;
  if (a.status === 401) return 'credentials refused (401)';
  if (a.status === 403) return 'forbidden (403): needs a provider or service credential';
  if (a.status === 404) return 'no REST API here (404): a HEAD Quartermaster speaks gRPC';
  if (a.status >= 500) return `unavailable (HTTP ${a.status})`;
  if (a.status !== 200) return `HTTP ${a.status}`;
  return undefined;
}

interface NodeRow {
  node_id?: string;
  cluster_id?: string;
  node_type?: string;
}
interface TokenRow {
  token?: string;
  used_at?: string;
}

/** Look for `nodeId` (and our token), retrying within `budgetMs` while the node is not listed yet. */
export async function checkQuartermaster(
  access: QuartermasterAccess,
  o: { nodeId: string; token?: string; budgetMs: number; intervalMs?: number; signal?: AbortSignal; onWait?: (text: string) => void },
): Promise<QuartermasterCheck> {
  if ('skip' in access) return { status: 'skipped', detail: access.skip, node_listed: null };
  const deadline = Date.now() + o.budgetMs;
  const per = () => Math.max(500, Math.min(3000, deadline - Date.now()));
  for (;;) {
    const nodes = await get(access.url, '/nodes?node_type=edge', access.authorization, per(), o.signal, access.dialer);
    const why = unusable(nodes);
    if (why) return { status: 'skipped', detail: `Quartermaster ${access.url}: ${why}`, node_listed: null };
    const rows = ((nodes.body as { nodes?: NodeRow[] | null } | undefined)?.nodes ?? []) as NodeRow[];
    const node = rows.find((n) => n.node_id === o.nodeId);
    let tokenUsedAt: string | null | undefined;
    let tokenNote = '';
    if (o.token) {
      const tokens = await get(access.url, '/admin/bootstrap-tokens', access.authorization, per(), o.signal, access.dialer);
      const tWhy = unusable(tokens);
      if (tWhy) tokenNote = `token not checked (${tWhy})`;
      else {
        const list = ((tokens.body as { tokens?: TokenRow[] | null } | undefined)?.tokens ?? []) as TokenRow[];
        // Compared, never printed: the list carries every token's full value.
        const mine = list.find((t) => t.token === o.token);
        tokenUsedAt = mine ? (mine.used_at ?? null) : undefined;
        tokenNote = mine ? (mine.used_at ? `token used at ${mine.used_at}` : 'token not marked used') : 'token not in the list';
      }
    }
    if (node) {
      return {
        status: 'ok',
        detail: [`node ${o.nodeId} listed${node.cluster_id ? ` in cluster ${node.cluster_id}` : ''}`, tokenNote].filter(Boolean).join('; '),
        node_listed: true,
        ...(tokenUsedAt !== undefined ? { token_used_at: tokenUsedAt } : {}),
        ...(node.cluster_id ? { cluster_id: node.cluster_id } : {}),
      };
    }
    if (Date.now() + (o.intervalMs ?? 1000) >= deadline || o.signal?.aborted) {
      return {
        status: 'warn',
        detail: [`node ${o.nodeId} not listed by Quartermaster (${rows.length} edge nodes)`, tokenNote].filter(Boolean).join('; '),
        node_listed: false,
        ...(tokenUsedAt !== undefined ? { token_used_at: tokenUsedAt } : {}),
      };
    }
    // Said while polling: what is awaited (the stage adds the time left to its bound).
    o.onWait?.(`waiting for Quartermaster ${access.url} to list node ${o.nodeId}`);
    await sleep(o.intervalMs ?? 1000, o.signal);
  }
}
