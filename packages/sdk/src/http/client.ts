import type { Got, OptionsInit } from 'got';
import { trace, traceEnabled } from '../log.js';
import type { ChosenCredential } from '../auth/policy.js';
import { mapHttpError } from './errors.js';
import { dialerAgents, tunnelFailure, warmTunnel } from '../net/agents.js';
import type { Dialer } from '../net/dialer.js';

export interface HttpClientOptions {
  /** Human name used in errors: "Gateway", "Quartermaster". */
  service: string;
  baseUrl: string;
  context?: string;
  credential?: ChosenCredential;
  /** Whole-request timeout per attempt, ms. */
  timeoutMs?: number;
  /** Retries for idempotent methods only; POST/PATCH are never retried. */
  retries?: number;
  /** Skip TLS verification (only when the user asked for it). */
  insecure?: boolean;
  userAgent?: string;
  /** How to reach the endpoint (a jump host for --via); default direct. */
  dialer?: Dialer;
}

export interface RequestOptions {
  searchParams?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
}

export interface HttpClient {
  get<T>(path: string, opts?: RequestOptions): Promise<T>;
  post<T>(path: string, body: unknown, opts?: RequestOptions): Promise<T>;
  put<T>(path: string, body: unknown, opts?: RequestOptions): Promise<T>;
  delete<T>(path: string, opts?: RequestOptions): Promise<T>;
  /** The underlying got instance for callers that need headers or the status. */
  readonly got: Got;
}

const IDEMPOTENT = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'] as const;

export function defaultUserAgent(): string {
  return `frameworks-cli node/${process.versions.node} (${process.platform}-${process.arch})`;
}

export async function createHttpClient(opts: HttpClientOptions): Promise<HttpClient> {
  const base = opts.baseUrl.replace(/\/+$/, '') + '/';
  // Through a jump host, the SSH connection is opened while got loads (a failure surfaces on the request).
  const [{ default: got }] = await Promise.all([import('got'), warmTunnel(opts.dialer, base)]);
  const errCtx = { service: opts.service, url: opts.baseUrl, context: opts.context };
  const agent = await dialerAgents(opts.dialer);
  const instance = got.extend({
    prefixUrl: base,
    timeout: { request: opts.timeoutMs ?? 15_000 },
    retry: {
      limit: opts.retries ?? 2,
      methods: [...IDEMPOTENT],
      statusCodes: [429, 500, 502, 503, 504],
      // 100 ms × 2^n with ±10 % jitter, capped at 5 s (the control plane's own clients, contract §8).
      calculateDelay: ({ attemptCount }: { attemptCount: number }) => Math.min(100 * 2 ** (attemptCount - 1), 5_000) * (0.9 + Math.random() * 0.2),
    },
    headers: {
      'user-agent': opts.userAgent ?? defaultUserAgent(),
      accept: 'application/json',
      ...(opts.credential ? { authorization: opts.credential.header } : {}),
    },
    https: { rejectUnauthorized: !opts.insecure },
    ...(agent ? { agent } : {}),
    responseType: 'json',
    hooks: {
      beforeRequest: [
        (options) => {
          if (traceEnabled()) trace(`→ ${options.method} ${String(options.url)}${opts.credential ? ` (auth: ${opts.credential.kind})` : ''}`);
        },
      ],
      afterResponse: [
        (response) => {
          if (traceEnabled()) trace(`← ${response.statusCode} ${response.requestUrl.toString()} ${response.timings?.phases.total ?? '?'} ms`);
          return response;
        },
      ],
      beforeRetry: [
        (error, retryCount) => {
          trace(`↻ retry ${retryCount} after ${error.code ?? error.response?.statusCode ?? error.message}`);
        },
      ],
    },
  } as OptionsInit);

  async function call<T>(method: string, path: string, body: unknown, ro: RequestOptions = {}): Promise<T> {
    const searchParams = ro.searchParams
      ? Object.fromEntries(Object.entries(ro.searchParams).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>
      : undefined;
    try {
      const res = (await instance(path.replace(/^\/+/, ''), {
        method: method as 'GET',
        ...(body === undefined ? {} : { json: body }),
        ...(searchParams ? { searchParams } : {}),
        ...(ro.timeoutMs ? { timeout: { request: ro.timeoutMs } } : {}),
      })) as { body: unknown };
      return res.body as T;
    } catch (err) {
      throw (await tunnelFailure(opts.dialer, err, base)) ?? mapHttpError(err, errCtx);
    }
  }

  return {
    get: (p, o) => call('GET', p, undefined, o),
    post: (p, b, o) => call('POST', p, b, o),
    put: (p, b, o) => call('PUT', p, b, o),
    delete: (p, o) => call('DELETE', p, undefined, o),
    got: instance,
  };
}
