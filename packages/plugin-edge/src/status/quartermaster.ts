import { isFrameworksError, type ChosenCredential } from '@frameworks/sdk';

/**
 * What Quartermaster knows about this node: best effort, never a reason for "degraded" (the edge
 * serves viewers whether or not the CLI can reach the control plane from where it runs).
 */
export interface QuartermasterView {
  status: 'ok' | 'not-registered' | 'unknown-node' | 'unreachable' | 'no-credentials' | 'unauthorized' | 'error';
  url: string;
  note: string;
  node?: QuartermasterNode;
  /** Edge nodes Quartermaster lists. */
  edge_nodes?: number;
}

export interface QuartermasterNode {
  id?: string;
  node_id: string;
  node_name?: string;
  cluster_id?: string;
  status?: string;
  health_score?: number;
  last_heartbeat?: string;
  external_ip?: string;
  region?: string;
}

interface RawNode {
  id?: string;
  node_id?: string;
  node_name?: string;
  cluster_id?: string;
  status?: string;
  health_score?: number;
  last_heartbeat?: string | null;
  external_ip?: string | null;
  region?: string | null;
}

/** The node Helmsman calls `nodeId` among QM's edge nodes (by node_id, else id or node_name). `nodes` may be null (contract §3.1 ⚠). */
export function matchNode(nodes: RawNode[] | null | undefined, nodeId: string): QuartermasterNode | undefined {
  const n = (nodes ?? []).find((x) => x.node_id === nodeId) ?? (nodes ?? []).find((x) => x.id === nodeId || x.node_name === nodeId);
  if (!n) return undefined;
  const out: QuartermasterNode = { node_id: n.node_id ?? nodeId };
  for (const k of ['id', 'node_name', 'cluster_id', 'status', 'last_heartbeat', 'external_ip', 'region'] as const) {
    const v = n[k];
    if (typeof v === 'string' && v) out[k] = v;
  }
  if (typeof n.health_score === 'number') out.health_score = n.health_score;
  return out;
}

export interface QuartermasterQuery {
  baseUrl: string;
  context: string;
  /** The context's credential, or why there is none. */
  credential: () => Promise<ChosenCredential | undefined>;
  nodeId?: string;
  timeoutMs?: number;
}

/** GET {quartermaster}/nodes?node_type=edge with the context's credential; every failure becomes a note. */
export async function quartermasterView(q: QuartermasterQuery): Promise<QuartermasterView> {
  const url = `${q.baseUrl.replace(/\/+$/, '')}/nodes?node_type=edge`;
  let credential: ChosenCredential | undefined;
  try {
    credential = await q.credential();
  } catch {
    credential = undefined;
  }
  if (!credential) return { status: 'no-credentials', url, note: `no credentials for context "${q.context}" (frameworks login): Quartermaster's view not checked` };
  const { createHttpClient } = await import('@frameworks/sdk/http');
  const http = await createHttpClient({ service: 'Quartermaster', baseUrl: q.baseUrl, context: q.context, credential, timeoutMs: q.timeoutMs ?? 4_000, retries: 0 });
  let body: { nodes?: RawNode[] | null; count?: number };
  try {
    body = await http.get('nodes', { searchParams: { node_type: 'edge' } });
  } catch (err) {
    const e = err as Error;
    const code = isFrameworksError(e) ? e.exitCode : 0;
    if (code === 3 || code === 5) return { status: 'unauthorized', url, note: `Quartermaster refused the context's credential (${e.message})` };
    if (code === 6) return { status: 'unreachable', url, note: `Quartermaster unreachable: ${e.message}` };
    return { status: 'error', url, note: `Quartermaster: ${e.message}` };
  }
  const edge_nodes = (body?.nodes ?? []).length;
  if (!q.nodeId) return { status: 'unknown-node', url, edge_nodes, note: `Quartermaster lists ${edge_nodes} edge node${edge_nodes === 1 ? '' : 's'}; this node's id is unknown (Helmsman did not answer)` };
  const node = matchNode(body?.nodes, q.nodeId);
  if (!node) return { status: 'not-registered', url, edge_nodes, note: `${q.nodeId} is not among Quartermaster's ${edge_nodes} edge node${edge_nodes === 1 ? '' : 's'} (not enrolled yet?)` };
  return {
    status: 'ok',
    url,
    edge_nodes,
    node,
    note: `${node.node_id}: ${node.status ?? 'no status'}${node.health_score !== undefined ? `, health ${node.health_score}` : ''}${node.last_heartbeat ? `, last heartbeat ${node.last_heartbeat}` : ''}`,
  };
}
