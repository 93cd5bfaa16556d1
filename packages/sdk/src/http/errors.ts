import { ExitCode, FrameworksError } from '../errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'EPIPE', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'EPROTO',
]);
const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL)/;

export interface HttpErrorContext {
  /** Human name of the service, e.g. "Gateway". */
  service: string;
  /** Base URL that was called (no secrets in it). */
  url: string;
  /** Context name, for hints. */
  context?: string;
}

/** Pull the server's message out of a body: `{"error": "..."}` (contract §8), else the text. */
export function serverMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const e = (body as { error?: unknown; message?: unknown }).error ?? (body as { message?: unknown }).message;
    if (typeof e === 'string' && e) return e;
  }
  if (typeof body === 'string') {
    const text = body.trim();
    if (!text) return undefined;
    try {
      return serverMessage(JSON.parse(text));
    } catch {
      return text.length > 200 ? text.slice(0, 200) + '…' : text;
    }
  }
  return undefined;
}

/** Map a got error (or any network error) to the CLI's exit codes: 401→3, 403→5, network/timeout→6. */
export function mapHttpError(err: unknown, ctx: HttpErrorContext): FrameworksError {
  const e = err as { code?: string; name?: string; message?: string; response?: { statusCode: number; body: unknown } };
  const ctxFlag = ctx.context ? ` --context ${ctx.context}` : '';
  // A 2xx whose body is not JSON: got raises ParseError with the response attached.
  if (e.name === 'ParseError') {
    return new FrameworksError(`${ctx.service} at ${ctx.url} sent a reply that is not valid JSON.`, {
      code: 'BAD_RESPONSE', exitCode: ExitCode.FAILED, name: 'HttpError', cause: err,
      suggestions: [`Is ${ctx.url} really the ${ctx.service}? frameworks context show${ctxFlag}`],
    });
  }
  if (e.response && typeof e.response.statusCode === 'number') {
    const status = e.response.statusCode;
    const msg = serverMessage(e.response.body);
    const detail = msg ? `: ${msg}` : '';
    if (status === 401) {
      return new FrameworksError(`${ctx.service} rejected the credentials (HTTP 401${detail}).`, {
        code: 'UNAUTHORIZED', exitCode: ExitCode.NOT_AUTHENTICATED, name: 'AuthError', cause: err,
        suggestions: [`frameworks login${ctxFlag}`, `frameworks auth status${ctxFlag}`],
      });
    }
    if (status === 403) {
      return new FrameworksError(`${ctx.service} refused the request (HTTP 403${detail}).`, {
        code: 'FORBIDDEN', exitCode: ExitCode.FORBIDDEN, name: 'ForbiddenError', cause: err,
        suggestions: ['This needs a provider account or the service token: frameworks login --service-token-stdin'],
      });
    }
    if (status === 502 || status === 503 || status === 504) {
      return new FrameworksError(`${ctx.service} is unavailable (HTTP ${status}${detail}).`, {
        code: 'SERVICE_UNAVAILABLE', exitCode: ExitCode.NETWORK, name: 'NetworkError', cause: err,
        suggestions: [`frameworks context check${ctxFlag}`],
      });
    }
    return new FrameworksError(`${ctx.service} answered HTTP ${status}${detail}.`, {
      code: status === 404 ? 'NOT_FOUND' : status >= 500 ? 'SERVER_ERROR' : 'REQUEST_REJECTED',
      exitCode: status === 400 || status === 422 ? ExitCode.USAGE : ExitCode.FAILED,
      name: 'HttpError', cause: err,
      suggestions: status >= 500 ? [`frameworks context check${ctxFlag}`, 'Retry; if it persists, check the service logs'] : [],
    });
  }
  const code = e.code ?? '';
  if (e.name === 'TimeoutError' || code === 'ETIMEDOUT') {
    return new FrameworksError(`${ctx.service} at ${ctx.url} did not answer in time.`, {
      code: 'TIMEOUT', exitCode: ExitCode.NETWORK, name: 'NetworkError', cause: err,
      suggestions: [`frameworks context check${ctxFlag}`, 'Raise the limit with --timeout'],
    });
  }
  if (TLS_CODES.test(code)) {
    return new FrameworksError(`TLS verification failed for ${ctx.url}: ${e.message ?? code}.`, {
      code: 'TLS_ERROR', exitCode: ExitCode.NETWORK, name: 'NetworkError', cause: err,
      suggestions: ['Check the certificate, or set NODE_EXTRA_CA_CERTS to your CA bundle'],
    });
  }
  if (NETWORK_CODES.has(code) || e.name === 'RequestError' || e.name === 'ReadError') {
    return new FrameworksError(`Cannot reach ${ctx.service} at ${ctx.url} (${code || e.message}).`, {
      code: 'UNREACHABLE', exitCode: ExitCode.NETWORK, name: 'NetworkError', cause: err,
      suggestions: [`frameworks context check${ctxFlag}`, `frameworks context set-url <service> <url>${ctxFlag}`],
    });
  }
  return new FrameworksError(`${ctx.service} request failed: ${e.message ?? String(err)}`, {
    code: 'REQUEST_FAILED', exitCode: ExitCode.FAILED, cause: err,
  });
}
