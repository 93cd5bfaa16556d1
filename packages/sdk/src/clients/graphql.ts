import { ExitCode, FrameworksError } from '../errors.js';
import type { ChosenCredential } from '../auth/policy.js';
import type { Dialer } from '../net/dialer.js';
import { createHttpClient, type HttpClient } from '../http/client.js';
import { mapHttpError } from '../http/errors.js';
import { trace } from '../log.js';

const SERVICE = 'Gateway';
/** The HEAD CLI's Bridge GraphQL client waits 75 s (contract §4.6); commands pass their own --timeout. */
export const GRAPHQL_TIMEOUT_MS = 75_000;

export interface GraphqlClientOptions {
  /** The context's `gateway` URL; requests go to `{gateway}/graphql`. */
  baseUrl: string;
  context?: string;
  credential?: ChosenCredential;
  timeoutMs?: number;
  insecure?: boolean;
  /** How the call reaches the Gateway (direct or through a jump host); passed on to the HTTP client. */
  dialer?: Dialer;
}

const MEMBER_FIELDS = { ValidationError: 'message field', AuthError: 'message', NotFoundError: 'message', RateLimitError: 'message' } as const;

/**
 * Inline fragments for the error members of one union (contract §4.5, §4.6, §5.2). Only the members
 * the union has: GraphQL rejects a fragment on a type that can never be a member.
 */
export function errorMembers(...members: Array<keyof typeof MEMBER_FIELDS>): string {
  return members.map((m) => `\n    ... on ${m} { ${MEMBER_FIELDS[m]} }`).join('');
}

interface GraphqlReply {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }>;
}

/**
 * Bridge GraphQL (`POST {gateway}/graphql`, body `{query, variables}`). Transport-level failures
 * (`{"errors":[{message}]}`, HTTP 200 or gqlgen's 422) become one clear error; HTTP 401/403/5xx and
 * network failures map like every REST call (exit 3/5/6). Union results are turned into the CLI's
 * errors by `unionValue`. A mutation is sent once, never retried.
 */
export class GraphqlClient {
  private http?: Promise<HttpClient>;
  readonly url: string;

  constructor(private readonly opts: GraphqlClientOptions) {
    this.url = `${opts.baseUrl.replace(/\/+$/, '')}/graphql`;
  }

  private client(): Promise<HttpClient> {
    const timeoutMs = this.opts.timeoutMs ?? GRAPHQL_TIMEOUT_MS;
    return (this.http ??= createHttpClient({ ...this.opts, timeoutMs, service: SERVICE, retries: 0 }));
  }

  async request<T extends Record<string, unknown>>(operation: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const http = await this.client();
    const timeoutMs = this.opts.timeoutMs ?? GRAPHQL_TIMEOUT_MS;
    trace(`GraphQL ${operation} at ${this.url}`);
    let res: { statusCode: number; body: unknown };
    try {
      res = (await http.got.post('graphql', { json: { query, variables }, throwHttpErrors: false, retry: { limit: 0 } })) as typeof res;
    } catch (err) {
      const mapped = mapHttpError(err, { service: SERVICE, url: this.url, context: this.opts.context });
      if (mapped.code === 'TIMEOUT') {
        throw new FrameworksError(`The Gateway did not answer ${operation} within ${Math.round(timeoutMs / 1000)} s (${this.url}).`, {
          code: 'TIMEOUT', exitCode: ExitCode.NETWORK, name: 'NetworkError', cause: err,
          suggestions: [`frameworks context check${this.opts.context ? ` --context ${this.opts.context}` : ''}`, 'Raise the limit with --timeout'],
        });
      }
      throw mapped;
    }
    const body = (res.body ?? {}) as GraphqlReply;
    if (Array.isArray(body.errors) && body.errors.length) throw this.transportError(operation, body.errors);
    if (res.statusCode >= 400) {
      throw mapHttpError({ response: { statusCode: res.statusCode, body: res.body } }, { service: SERVICE, url: this.url, context: this.opts.context });
    }
    if (!body.data || typeof body.data !== 'object') throw badGraphql(`no data in the ${operation} reply`);
    return body.data as T;
  }

  private transportError(operation: string, errors: NonNullable<GraphqlReply['errors']>): FrameworksError {
    const messages = errors.map((e) => (typeof e.message === 'string' ? e.message : 'unknown error'));
    const text = messages.join('; ');
    const ctxFlag = this.opts.context ? ` --context ${this.opts.context}` : '';
    const authLike = errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') || /unauthori[sz]ed|authentication required|service token required/i.test(text);
    if (authLike) {
      return new FrameworksError(`The Gateway refused ${operation} — ${text}.`, {
        code: 'GATEWAY_AUTH', exitCode: ExitCode.NOT_AUTHENTICATED, name: 'AuthError',
        suggestions: [`frameworks auth status${ctxFlag}`, `frameworks login${ctxFlag}`],
      });
    }
    return new FrameworksError(`The Gateway's GraphQL API failed (${operation}) — ${text}.`, {
      code: 'GRAPHQL_ERROR', exitCode: ExitCode.FAILED, name: 'GraphqlError',
      suggestions: [`Is ${this.opts.baseUrl} today's Gateway (Bridge)? frameworks context show${ctxFlag}`],
    });
  }
}

/**
 * The member of a union result the caller wanted, or the CLI's error for the error members:
 * ValidationError → exit 2 naming its field, AuthError → exit 3, NotFoundError → exit 1,
 * RateLimitError → exit 1 with "retry later". Anything else is a bad reply.
 */
export function unionValue<T>(value: unknown, want: string, operation: string, hints: { notFound?: string[]; context?: string } = {}): T {
  const v = value as { __typename?: unknown; message?: unknown; field?: unknown } | null | undefined;
  const type = typeof v?.__typename === 'string' ? v.__typename : undefined;
  if (type === want) return v as T;
  const message = typeof v?.message === 'string' && v.message ? v.message : undefined;
  const ctxFlag = hints.context ? ` --context ${hints.context}` : '';
  switch (type) {
    case 'ValidationError': {
      const field = typeof v?.field === 'string' && v.field ? v.field : undefined;
      throw new FrameworksError(`The Gateway rejected ${operation}${field ? `: field "${field}"` : ''}: ${message ?? 'invalid input'}.`, {
        code: 'GATEWAY_VALIDATION', exitCode: ExitCode.USAGE, name: 'ValidationError',
        suggestions: [field ? `Fix the value given for ${field} and run the command again` : 'Check the values given and run the command again'],
      });
    }
    case 'AuthError':
      throw new FrameworksError(`The Gateway refused ${operation}: ${message ?? 'not authorised'}.`, {
        code: 'GATEWAY_AUTH', exitCode: ExitCode.NOT_AUTHENTICATED, name: 'AuthError',
        suggestions: [`frameworks auth status${ctxFlag}`, `frameworks login${ctxFlag}`],
      });
    case 'NotFoundError':
      throw new FrameworksError(`${operation}: ${message ?? 'not found'}.`, { code: 'NOT_FOUND', exitCode: ExitCode.FAILED, name: 'NotFoundError', suggestions: hints.notFound ?? [] });
    case 'RateLimitError':
      throw new FrameworksError(`The Gateway is rate-limiting ${operation}: ${message ?? 'too many requests'}. Nothing was changed; retry later.`, {
        code: 'RATE_LIMITED', exitCode: ExitCode.FAILED, name: 'RateLimitError', suggestions: ['Wait a minute, then run the command again'],
      });
    default:
      throw badGraphql(`${operation} answered ${type ?? 'nothing'} instead of ${want}`);
  }
}

export function badGraphql(what: string): FrameworksError {
  return new FrameworksError(`The Gateway sent an unexpected GraphQL reply (${what}).`, { code: 'BAD_RESPONSE', exitCode: ExitCode.FAILED, name: 'GraphqlError' });
}
