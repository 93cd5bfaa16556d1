import { ExitCode, FrameworksError } from '../errors.js';

/** gRPC status numbers (grpc/status.h) the CLI maps; the rest fall back to exit 1. */
const STATUS_NAMES: Record<number, string> = {
  1: 'CANCELLED', 2: 'UNKNOWN', 3: 'INVALID_ARGUMENT', 4: 'DEADLINE_EXCEEDED', 5: 'NOT_FOUND', 6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED', 8: 'RESOURCE_EXHAUSTED', 9: 'FAILED_PRECONDITION', 10: 'ABORTED', 11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED', 13: 'INTERNAL', 14: 'UNAVAILABLE', 15: 'DATA_LOSS', 16: 'UNAUTHENTICATED',
};

export interface GrpcCallError {
  code?: number;
  details?: string;
  message?: string;
}

export interface GrpcErrorContext {
  service: string;
  /** `quartermaster-grpc` … */
  endpointKey: string;
  address: string;
  context?: string;
  timeoutMs: number;
  /** Runnable command that lists what exists, for NOT_FOUND. */
  listHint?: string;
  /** Set by the caller when a TLS/plaintext mismatch was detected. */
  mismatch?: 'server-tls' | 'server-plaintext';
}

export function grpcStatusName(code: number | undefined): string {
  return code === undefined ? 'UNKNOWN' : (STATUS_NAMES[code] ?? `STATUS_${code}`);
}

/**
 * gRPC status → FrameworksError (issue 8): UNAUTHENTICATED 3, PERMISSION_DENIED 5, NOT_FOUND 1,
 * INVALID_ARGUMENT 2, UNAVAILABLE/DEADLINE_EXCEEDED 6; the server's message is kept.
 */
export function fromGrpcError(err: GrpcCallError, c: GrpcErrorContext): FrameworksError {
  const status = grpcStatusName(err.code);
  const said = (err.details ?? err.message ?? '').trim();
  const ctxFlag = c.context ? ` --context ${c.context}` : '';
  const where = `${c.service} (${c.endpointKey} ${c.address})`;
  const opts = ({ code }: { code: string }, exitCode: number, name: string, suggestions: string[]) => ({ code, exitCode, name, suggestions, cause: err, result: { grpc_status: status } });
  if (c.mismatch === 'server-tls') {
    return new FrameworksError(`${where} speaks TLS, but the context says plaintext (grpc.plaintext: true or a grpc:// endpoint).`, opts({ code: 'GRPC_TLS_MISMATCH' }, ExitCode.NETWORK, 'NetworkError', [
      `frameworks context set-url ${c.endpointKey} grpcs://${c.address}${ctxFlag}`,
      `frameworks context show${ctxFlag}   # grpc.plaintext: true in ~/.frameworks/config.yaml makes it plaintext`,
    ]));
  }
  if (c.mismatch === 'server-plaintext') {
    return new FrameworksError(`${where} speaks plaintext gRPC, but the context expects TLS (the default for gRPC APIs).`, opts({ code: 'GRPC_TLS_MISMATCH' }, ExitCode.NETWORK, 'NetworkError', [
      `frameworks context set-url ${c.endpointKey} grpc://${c.address}${ctxFlag}`,
      `frameworks context show${ctxFlag}   # or set grpc.plaintext: true for the context in ~/.frameworks/config.yaml (test setups only)`,
    ]));
  }
  switch (status) {
    case 'UNAUTHENTICATED':
      return new FrameworksError(`${c.service} refused the credential: ${said || 'unauthenticated'}.`, opts({ code: 'NOT_AUTHENTICATED' }, ExitCode.NOT_AUTHENTICATED, 'AuthError', [
        `frameworks login${ctxFlag} --service-token-stdin < token-file`,
        `frameworks auth status${ctxFlag}`,
      ]));
    case 'PERMISSION_DENIED':
      return new FrameworksError(`${c.service} denied the call: ${said || 'permission denied'}.`, opts({ code: 'FORBIDDEN' }, ExitCode.FORBIDDEN, 'ForbiddenError', [
        `frameworks auth status${ctxFlag}`,
      ]));
    case 'NOT_FOUND':
      return new FrameworksError(`${c.service}: ${said || 'not found'}.`, opts({ code: 'NOT_FOUND' }, ExitCode.FAILED, 'NotFoundError', c.listHint ? [c.listHint] : []));
    case 'INVALID_ARGUMENT':
      return new FrameworksError(`${c.service} rejected the request: ${said || 'invalid argument'}.`, opts({ code: 'INVALID_ARGUMENT' }, ExitCode.USAGE, 'UsageError', [
        c.listHint ?? 'Check the values with --help',
      ]));
    case 'DEADLINE_EXCEEDED':
      return new FrameworksError(`${where} did not answer within ${c.timeoutMs} ms.`, opts({ code: 'TIMEOUT' }, ExitCode.NETWORK, 'NetworkError', [
        'Allow more time with --timeout 30s',
        `frameworks context check${ctxFlag}`,
      ]));
    case 'UNAVAILABLE':
      return new FrameworksError(`${where} is unavailable: ${said || 'no connection'}.`, opts({ code: 'UNREACHABLE' }, ExitCode.NETWORK, 'NetworkError', [
        `frameworks context check${ctxFlag}`,
        `frameworks context set-url ${c.endpointKey} <host:port>${ctxFlag}`,
      ]));
    case 'UNIMPLEMENTED':
      return new FrameworksError(`${where} does not serve this call (${said || 'unimplemented'}): is this the right endpoint?`, opts({ code: 'GRPC_UNIMPLEMENTED' }, ExitCode.FAILED, 'GrpcError', [
        `frameworks context set-url ${c.endpointKey} <host:port>${ctxFlag}`,
      ]));
    default:
      return new FrameworksError(`${c.service} failed: ${status}${said ? ` ${said}` : ''}.`, opts({ code: 'GRPC_ERROR' }, ExitCode.FAILED, 'GrpcError', [`frameworks context check${ctxFlag}`]));
  }
}
