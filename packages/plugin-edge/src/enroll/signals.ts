/**
 * What Helmsman's logs and its `/node/mode` endpoint say about enrollment (contract §6). Pure: the
 * watcher in helmsman.ts feeds it what it reads from the container.
 */

/** Log messages (the `msg` field), MVP and HEAD. */
export const HELMSMAN_MESSAGES = {
  starting: 'Helmsman starting',
  registered: 'Helmsman registered',
  enrolled: 'Edge node enrolled via Quartermaster',
  enrollFailed: 'Edge enrollment failed; continuing without mapping',
  /** HEAD: Foghorn refuses the Register with a ControlError and closes; Helmsman retries. */
  controlError: 'Received control error from Foghorn',
} as const;

/** HEAD ControlError codes that no retry will fix (ENROLLMENT_UNAVAILABLE — QM down — may pass). */
const FATAL_CONTROL_ERRORS = ['ENROLLMENT_FAILED', 'ENROLLMENT_REQUIRED'];

/** Fields of one log line: logfmt (`level=info msg="…" node_id=…`) or a JSON object. */
export function parseLogFields(text: string): Record<string, string> {
  const t = text.trim();
  if (t.startsWith('{')) {
    try {
      const obj = JSON.parse(t) as Record<string, unknown>;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(obj)) if (v !== null && typeof v !== 'object') out[k] = String(v);
      if (!out.msg && out.message) out.msg = out.message;
      return out;
    } catch {
      // not JSON after all: try logfmt
    }
  }
  const out: Record<string, string> = {};
  const re = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t))) {
    const raw = m[2];
    out[m[1]] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
  return out;
}

export interface EnrollmentSignals {
  /** node_id of the "starting" line: the pre-enrollment id (NODE_ID, NODE_NAME or hostname). */
  preId?: string;
  registered: boolean;
  enrolled?: { nodeId: string; tenantId?: string; clusterId?: string };
  /** The last enrollment failure seen, with its reason. */
  failed?: { reason: string; fatal: boolean };
}

/** Fold log lines (oldest first) into what they say; a later success clears an earlier failure. */
export function scanHelmsmanLogs(lines: Iterable<string>): EnrollmentSignals {
  const s: EnrollmentSignals = { registered: false };
  for (const line of lines) {
    if (!line.includes('msg')) continue;
    const f = parseLogFields(line);
    switch (f.msg) {
      case HELMSMAN_MESSAGES.starting:
        if (f.node_id) s.preId = f.node_id;
        break;
      case HELMSMAN_MESSAGES.registered:
        s.registered = true;
        break;
      case HELMSMAN_MESSAGES.enrolled:
        if (f.node_id) {
          s.enrolled = { nodeId: f.node_id, ...(f.tenant_id ? { tenantId: f.tenant_id } : {}), ...(f.cluster_id ? { clusterId: f.cluster_id } : {}) };
          delete s.failed;
        }
        break;
      case HELMSMAN_MESSAGES.enrollFailed:
        if (!s.enrolled) s.failed = { reason: f.error || f.err || f.reason || 'no reason given', fatal: true };
        break;
      case HELMSMAN_MESSAGES.controlError: {
        if (s.enrolled) break;
        const code = f.code || f.error_code || '';
        const reason = [code, f.error || f.message_text || f.reason].filter(Boolean).join(': ') || 'control error';
        s.failed = { reason, fatal: FATAL_CONTROL_ERRORS.some((c) => reason.includes(c)) };
        break;
      }
    }
  }
  return s;
}

export interface NodeMode {
  mode: string;
  nodeId: string;
}

/** `GET /node/mode` → {"mode","node_id"}; undefined when the body is not that. */
export function parseNodeMode(body: string): NodeMode | undefined {
  try {
    const obj = JSON.parse(body) as { mode?: unknown; node_id?: unknown };
    if (typeof obj.node_id !== 'string') return undefined;
    return { mode: typeof obj.mode === 'string' ? obj.mode : '', nodeId: obj.node_id };
  } catch {
    return undefined;
  }
}

/**
 * A canonical node id, as Quartermaster assigns at enrollment: `edge-…` and not one of the ids the
 * node had before (NODE_ID, NODE_NAME — which `edge init` derives from the domain and may well
 * start with "edge-" — or the hostname).
 */
export function isCanonicalNodeId(id: string | undefined, preIds: Array<string | undefined>): boolean {
  if (!id || !/^edge-[A-Za-z0-9][A-Za-z0-9-]*$/.test(id)) return false;
  if (/^edge-\d{12}$/.test(id)) return true; // MVP format edge-YYMMDDhhmmss
  return !preIds.some((p) => p && p === id);
}
