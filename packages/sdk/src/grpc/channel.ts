import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Client, Metadata } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { configError } from '../errors.js';
import type { ChosenCredential } from '../auth/policy.js';
import { trace } from '../log.js';
import { directDialer, type Dialer } from '../net/dialer.js';
import { probeTls } from '../clients/tls-probe.js';
import { fromGrpcError, grpcStatusName, type GrpcCallError } from './errors.js';
import { loadProtos, protoFileOf } from './proto.js';
import { grpcApiTarget, type GrpcTlsSettings } from './target.js';

/** What every gRPC API client takes (the gRPC twin of RestClientOptions). */
export interface GrpcClientOptions {
  /** The context's endpoint value: `host:port`, `grpc://host:port` or `grpcs://host:port`. */
  endpoint: string;
  /** Context name, for the hints of errors. */
  context?: string;
  /** Sent as `authorization: Bearer …` (grpc-wire §4.1). */
  credential?: ChosenCredential;
  /** The context's `grpc` settings: plaintext, ca_file, server_name. */
  tls?: GrpcTlsSettings;
  /** Default directDialer; a jump host forwards the address and the name stays for TLS. */
  dialer?: Dialer;
  /** Per-call deadline; each client has the contract's default (§8). */
  timeoutMs?: number;
  /** Extra metadata (x-user-id, x-tenant-id for service-token callers of Commodore). */
  metadata?: Record<string, string>;
}

export interface CallSpec {
  /** Full method path, `/quartermaster.NodeService/ListNodes`. */
  path: string;
  request: Record<string, unknown>;
  timeoutMs?: number;
  listHint?: string;
}

/**
 * One lazily opened channel per client object (one TCP/TLS connection for all calls of a run).
 * @grpc/grpc-js and the protos load on the first call only.
 */
export class GrpcChannel {
  private client?: Promise<{ client: Client; grpc: typeof import('@grpc/grpc-js') }>;
  readonly target;

  constructor(
    readonly service: string,
    readonly endpointKey: string,
    private readonly opts: GrpcClientOptions,
    private readonly defaultTimeoutMs: number,
  ) {
    this.target = grpcApiTarget(opts.endpoint, opts.tls);
  }

  get address(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  private open() {
    return (this.client ??= (async () => {
      const grpc = await import('@grpc/grpc-js');
      const dialer = this.opts.dialer ?? directDialer;
      const local = await dialer.forward(this.target.host, this.target.port);
      const moved = local.host !== this.target.host || local.port !== this.target.port;
      const name = this.opts.tls?.server_name ?? this.target.host;
      const options: Record<string, string | number> = { 'grpc.max_reconnect_backoff_ms': 1000, 'grpc.enable_retries': 0 };
      let creds;
      if (this.target.tls) {
        let ca: Buffer | null = null;
        if (this.opts.tls?.ca_file) {
          ca = await readFile(this.opts.tls.ca_file).catch((err: NodeJS.ErrnoException) => {
            throw configError(`grpc.ca_file ${this.opts.tls!.ca_file} cannot be read (${err.code ?? err.message}).`, ['Fix grpc.ca_file in ~/.frameworks/config.yaml'], 'CA_UNREADABLE', err);
          });
        }
        // The certificate must name the endpoint (or grpc.server_name), never the local address a
        // jump host's forward gives; an IP name is checked too (it cannot be sent as SNI).
        const { checkServerIdentity } = await import('node:tls');
        creds = grpc.credentials.createSsl(ca, null, null, { checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert) });
        if (isIP(local.host) || isIP(name)) quietIpServername();
        if (moved || this.opts.tls?.server_name) {
          if (!isIP(name)) options['grpc.ssl_target_name_override'] = name;
          options['grpc.default_authority'] = name;
        }
      } else {
        creds = grpc.credentials.createInsecure();
        if (moved) options['grpc.default_authority'] = this.address;
      }
      const addr = local.host.includes(':') ? `[${local.host}]:${local.port}` : `${local.host}:${local.port}`;
      return { client: new grpc.Client(addr, creds, options), grpc };
    })());
  }

  async call<R>(spec: CallSpec): Promise<R> {
    // The channel (grpc-js) and the message types (proto-loader) load side by side.
    const [defs] = await Promise.all([loadProtos([protoFileOf(spec.path)]), this.open()]);
    const [, pkgService, method] = /^\/([^/]+)\/([^/]+)$/.exec(spec.path) ?? [];
    const def = (defs[pkgService] as Record<string, MethodDefinition<object, object>> | undefined)?.[method];
    if (!def) throw new Error(`no such gRPC method in the shipped protos: ${spec.path}`);
    return this.rawCall(spec.path, spec.request, def.responseDeserialize as (b: Buffer) => R, spec.timeoutMs, def.requestSerialize as (v: unknown) => Buffer, spec.listHint);
  }

  /** One unary call with hand-made or proto-made codecs; errors mapped to FrameworksError. */
  async rawCall<Q, R>(path: string, request: Q, decode: (b: Buffer) => R, callTimeoutMs?: number, encode: (v: Q) => Buffer = (v) => v as Buffer, listHint?: string): Promise<R> {
    const { client, grpc } = await this.open();
    const spec = { path, listHint };
    const md: Metadata = new grpc.Metadata();
    if (this.opts.credential) md.set('authorization', `Bearer ${this.opts.credential.token}`);
    for (const [k, v] of Object.entries(this.opts.metadata ?? {})) md.set(k, v);
    const timeoutMs = callTimeoutMs ?? this.opts.timeoutMs ?? this.defaultTimeoutMs;
    const started = performance.now();
    try {
      const reply = await new Promise<R>((resolve, reject) => {
        client.makeUnaryRequest(
          spec.path,
          encode,
          decode,
          request,
          md,
          { deadline: Date.now() + timeoutMs },
          (err, res) => (err ? reject(err) : resolve(res as R)),
        );
      });
      trace(`grpc ${this.address}${spec.path} → OK ${Math.round(performance.now() - started)} ms`);
      return reply;
    } catch (err) {
      const e = err as GrpcCallError;
      trace(`grpc ${this.address}${spec.path} → ${grpcStatusName(e.code)} ${e.details ?? ''}`);
      const mismatch = grpcStatusName(e.code) === 'UNAVAILABLE' ? await this.tlsMismatch(e) : undefined;
      throw fromGrpcError(e, {
        service: this.service, endpointKey: this.endpointKey, address: this.address, context: this.opts.context, timeoutMs,
        ...(spec.listHint ? { listHint: spec.listHint } : {}), ...(mismatch ? { mismatch } : {}),
      });
    }
  }

  /**
   * An UNAVAILABLE may be a TLS/plaintext disagreement: a TLS client at a plaintext server fails its
   * handshake with a record-layer error; a plaintext client at a TLS server is dropped, which a TLS
   * handshake of our own then tells apart from a dead port.
   */
  private async tlsMismatch(e: GrpcCallError): Promise<'server-tls' | 'server-plaintext' | undefined> {
    const text = `${e.details ?? ''} ${e.message ?? ''}`;
    if (this.target.tls) {
      return /wrong version number|WRONG_VERSION_NUMBER|packet length too long|http request|unknown protocol|record layer/i.test(text) ? 'server-plaintext' : undefined;
    }
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(text)) return undefined;
    const local = await (this.opts.dialer ?? directDialer).forward(this.target.host, this.target.port);
    const probe = await probeTls({ host: local.host, port: local.port, servername: isIP(this.target.host) ? 'localhost' : this.target.host, timeoutMs: 2000 });
    return probe.protocol || probe.certificate ? 'server-tls' : undefined;
  }

  close(): void {
    void this.client?.then(({ client }) => client.close()).catch(() => undefined);
  }
}

let quieted = false;
/**
 * grpc-js hands an IP target to TLS as SNI, and Node then prints DEP0123 on stderr, a warning the user
 * can do nothing about (the certificate is still checked against the IP). Only that code is dropped.
 */
function quietIpServername(): void {
  if (quieted) return;
  quieted = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' && rest[0] ? (rest[0] as { code?: string }).code : rest[1];
    if (code === 'DEP0123') return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * grpc.health.v1.Health/Check through a channel (TLS settings and dialer as the API calls use).
 * Any gRPC answer, even NOT_SERVING or UNIMPLEMENTED, proves the endpoint speaks gRPC.
 */
export async function probeGrpcApi(ch: GrpcChannel, timeoutMs: number): Promise<{ grpc: boolean; ok: boolean; health?: string; error?: string; code?: string; latencyMs: number }> {
  const { encodeCheckRequest, decodeCheckResponse, SERVING_STATUS } = await import('../clients/grpc-health.js');
  const started = performance.now();
  try {
    const reply = await ch.rawCall('/grpc.health.v1.Health/Check', encodeCheckRequest(''), decodeCheckResponse, timeoutMs);
    const health = SERVING_STATUS[reply.status] ?? `STATUS_${reply.status}`;
    return { grpc: true, ok: reply.status === 1, health, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    const e = err as { code?: string; message?: string; result?: { grpc_status?: string } };
    const status = e.result?.grpc_status;
    const answered = status !== undefined && !['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'UNKNOWN', 'CANCELLED'].includes(status) && e.code !== 'GRPC_TLS_MISMATCH';
    return { grpc: answered, ok: status === 'UNIMPLEMENTED', ...(status === 'UNIMPLEMENTED' ? { health: 'REACHABLE (no health service)' } : {}), error: e.message, code: e.code, latencyMs: Math.round(performance.now() - started) };
  }
}
