import { grpcTarget } from '../config/endpoints.js';
import { trace } from '../log.js';
import { friendlyNetworkError, type ProbeResult } from '../http/health.js';
import { tunnelFailure } from '../net/agents.js';
import type { Dialer } from '../net/dialer.js';

/**
 * grpc.health.v1.Health/Check (contract §7). The two messages have one field each, so they are
 * encoded here rather than loading a .proto at run time:
 *   HealthCheckRequest  { string service = 1; }         → tag 0x0a, length, bytes
 *   HealthCheckResponse { ServingStatus status = 1; }   → tag 0x08, varint
 */
export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

export function encodeCheckRequest(service = ''): Buffer {
  const bytes = Buffer.from(service, 'utf8');
  if (bytes.length === 0) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from([0x0a]), encodeVarint(bytes.length), bytes]);
}

export function decodeCheckResponse(buf: Buffer): { status: number } {
  let i = 0;
  let status = 0;
  while (i < buf.length) {
    const [tag, n1] = readVarint(buf, i);
    i = n1;
    const field = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) {
      const [v, n2] = readVarint(buf, i);
      i = n2;
      if (field === 1) status = v;
    } else if (wire === 2) {
      const [len, n2] = readVarint(buf, i);
      i = n2 + len;
    } else {
      break; // unknown wire type: stop rather than misread
    }
  }
  return { status };
}

export function encodeVarint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

function readVarint(buf: Buffer, at: number): [number, number] {
  let result = 0;
  let shift = 0;
  let i = at;
  while (i < buf.length) {
    const b = buf[i++];
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  return [result >>> 0, i];
}

/** Probe `grpc.health.v1.Health/Check` with an empty service name, as the control plane expects. */
export async function probeGrpcHealth(
  endpoint: string,
  timeoutMs: number,
  insecure = false,
  opts: { acceptUnimplemented?: boolean; dialer?: Dialer } = {},
): Promise<ProbeResult> {
  const grpc = await import('@grpc/grpc-js');
  const { address, tls } = grpcTarget(endpoint);
  const url = `${tls ? 'grpcs' : 'grpc'}://${address}`;
  const creds = tls
    ? grpc.credentials.createSsl(null, null, null, insecure ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {})
    : grpc.credentials.createInsecure();
  // Through a jump host: dial the forwarded port, keep the endpoint's name for :authority and TLS.
  let dial = address;
  const named: Record<string, string> = {};
  if (opts.dialer?.tunnelled) {
    const { hostname, port } = new URL(`grpc://${address}`);
    const name = hostname.replace(/^\[(.*)\]$/, '$1');
    const to = await opts.dialer.forward(name, Number(port) || 443);
    dial = `${to.host}:${to.port}`;
    named['grpc.default_authority'] = address;
    if (tls) named['grpc.ssl_target_name_override'] = name;
  }
  const client = new grpc.Client(dial, creds, { 'grpc.max_reconnect_backoff_ms': 500, 'grpc.enable_retries': 0, ...named });
  const started = performance.now();
  try {
    const status = await new Promise<number>((resolve, reject) => {
      client.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (req: Buffer) => req,
        (res: Buffer) => decodeCheckResponse(res),
        encodeCheckRequest(''),
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, res) => (err ? reject(err) : resolve(res!.status)),
      );
    });
    const latencyMs = Math.round(performance.now() - started);
    const health = SERVING_STATUS[status] ?? `STATUS_${status}`;
    trace(`grpc health ${url} → ${health} ${latencyMs} ms`);
    return { ok: status === 1, health, latencyMs, url, ...(status === 1 ? {} : { error: `status ${health}` }) };
  } catch (err) {
    const e = err as { code?: number; details?: string; message?: string };
    const latencyMs = Math.round(performance.now() - started);
    const code = e.code !== undefined ? grpc.status[e.code] : undefined;
    const lost = await tunnelFailure(opts.dialer, err, `http://${address}`);
    if (lost) throw lost;
    if (code === 'UNIMPLEMENTED' && opts.acceptUnimplemented) {
      return { ok: true, health: 'REACHABLE (no health service)', latencyMs, url };
    }
    return {
      ok: false,
      latencyMs,
      url,
      errorCode: code === 'DEADLINE_EXCEEDED' ? 'TIMEOUT' : code,
      error:
        code === 'DEADLINE_EXCEEDED'
          ? `no answer within ${timeoutMs} ms`
          : code === 'UNAVAILABLE'
            ? `unavailable (${friendlyNetworkError(/\b(E[A-Z_]+)\b/.exec(e.details ?? '')?.[1], undefined)})`
            : `${code ?? 'error'}: ${e.details ?? e.message ?? ''}`.trim(),
    };
  } finally {
    client.close();
  }
}
