import type { EdgeStack } from '../lib/stack.js';

/** Helmsman's loopback API inside its container (contract §5.2/§6.2): unauthenticated, never published. */
export const HELMSMAN_MODE_URL = 'http://127.0.0.1:18007/node/mode';

export interface NodeIdentity {
  node_id?: string;
  mode?: string;
  error?: string;
}

export function parseNodeMode(stdout: string): NodeIdentity {
  try {
    const j = JSON.parse(stdout) as { node_id?: unknown; mode?: unknown };
    const out: NodeIdentity = {};
    if (typeof j.node_id === 'string' && j.node_id) out.node_id = j.node_id;
    // "" means normal (contract §5.2)
    if (typeof j.mode === 'string') out.mode = j.mode || 'normal';
    return out.node_id || out.mode ? out : { error: 'unexpected answer from /node/mode' };
  } catch {
    return { error: `not JSON from /node/mode: ${stdout.trim().slice(0, 80) || '(empty)'}` };
  }
}

/** The node id and operational mode Helmsman reports (the canonical id once enrolled). Never throws. */
export async function nodeIdentity(stack: EdgeStack): Promise<NodeIdentity> {
  try {
    const r = await stack.project.exec('helmsman', ['wget', '-qO-', HELMSMAN_MODE_URL], { timeoutMs: 8_000 });
    if (r.code !== 0) return { error: `wget ${HELMSMAN_MODE_URL} in the helmsman container exited ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''}` };
    return parseNodeMode(r.stdout);
  } catch (err) {
    return { error: (err as Error).message };
  }
}
