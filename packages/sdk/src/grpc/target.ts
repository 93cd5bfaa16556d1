import { usageError } from '../errors.js';

/** How the context reaches a gRPC API endpoint (issue 8: TLS by default, plaintext only when told). */
export interface GrpcTlsSettings {
  plaintext?: boolean;
  ca_file?: string;
  server_name?: string;
}

export interface GrpcApiTarget {
  host: string;
  port: number;
  tls: boolean;
  /** What made it plaintext/TLS, for error messages that name the setting to change. */
  why: 'grpc://' | 'grpcs://' | 'grpc.plaintext' | 'default';
}

/**
 * `grpcs://h:p` → TLS, `grpc://h:p` → plaintext, bare `h:p` → TLS unless the context sets
 * `grpc.plaintext: true`. An explicit scheme wins over the context setting.
 */
export function grpcApiTarget(endpoint: string, tls: GrpcTlsSettings = {}): GrpcApiTarget {
  let rest = endpoint;
  let why: GrpcApiTarget['why'] = tls.plaintext ? 'grpc.plaintext' : 'default';
  let secure = !tls.plaintext;
  if (endpoint.startsWith('grpcs://')) [rest, secure, why] = [endpoint.slice(8), true, 'grpcs://'];
  else if (endpoint.startsWith('grpc://')) [rest, secure, why] = [endpoint.slice(7), false, 'grpc://'];
  const m = /^(\[[^\]]+\]|[^:/]+):(\d{1,5})$/.exec(rest);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw usageError(`"${endpoint}" is not a gRPC address (host:port, grpc://host:port or grpcs://host:port).`, ['frameworks context show'], 'INVALID_URL');
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]), tls: secure, why };
}
