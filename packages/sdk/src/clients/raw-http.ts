import { trace } from '../log.js';
import { dialerAgents } from '../net/agents.js';
import type { Dialer } from '../net/dialer.js';

/**
 * Small HTTP(S) calls of the edge plugin that the typed clients do not cover: GET through
 * node:http(s), not fetch (fetch refuses the Fetch standard's "bad ports" outright, and an edge or a
 * context may well use one), a bounded body, one trace line. They never throw: an answer with
 * status 0 and an error says what went wrong.
 */
export interface RawAnswer {
  /** 0: no HTTP answer (see error). */
  status: number;
  body: string;
  /** The body as JSON, when it is JSON. */
  json?: unknown;
  error?: string;
  /** The system error code of a failed connection (ECONNREFUSED, …); not set for a timeout. */
  errorCode?: string;
  latencyMs: number;
}

export interface RawGetOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Body kept at most (default 4 MiB). */
  maxBody?: number;
  /** How to reach a control-plane URL (a jump host for --via); default direct. */
  dialer?: Dialer;
}

export interface EdgeGetOptions extends RawGetOptions {
  /** Where to dial (an address of the host), with SNI and Host = domain, as a browser would once DNS is in place. */
  address: string;
  port: number;
  domain: string;
  path: string;
  /** PEM roots to verify against; `verify: false` skips verification (the certificate check owns it). */
  ca?: string;
  verify?: boolean;
}

/** GET `url` (http or https). */
export async function rawGet(url: URL, o: RawGetOptions): Promise<RawAnswer> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const agents = await dialerAgents(o.dialer);
  const agent = agents ? (url.protocol === 'https:' ? agents.https : agents.http) : undefined;
  return send(`GET ${url.href}`, (cb) => request(url, { method: 'GET', headers: o.headers, timeout: o.timeoutMs, ...(agent ? { agent } : {}), ...(o.signal ? { signal: o.signal } : {}) }, cb), o);
}

/** GET https://<domain><path>, dialling `address`: the edge's own HTTPS, before or without DNS. */
export async function edgeHttpsGet(o: EdgeGetOptions): Promise<RawAnswer> {
  const { request } = await import('node:https');
  const host = o.port === 443 ? o.domain : `${o.domain}:${o.port}`;
  return send(`GET https://${host}${o.path} via ${o.address}:${o.port}`, (cb) =>
    request(
      {
        host: o.address,
        port: o.port,
        path: o.path,
        method: 'GET',
        servername: o.domain,
        headers: { host, accept: 'application/json', 'user-agent': 'frameworks-cli', ...o.headers },
        ...(o.ca ? { ca: o.ca } : {}),
        rejectUnauthorized: o.verify !== false,
        timeout: o.timeoutMs,
        agent: false,
        ...(o.signal ? { signal: o.signal } : {}),
      },
      cb,
    ),
  o);
}

/** HEAD `url` for its Date header (a reference clock), with when the request left and the answer came. */
export async function headDate(url: string, timeoutMs: number): Promise<{ date?: string; sentAt: number; receivedAt: number } | { error: string }> {
  const sentAt = Date.now();
  // Our own timer, cleared on every path: an AbortSignal.timeout() kept the CLI alive for its full span.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), timeoutMs);
  try {
    const res = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: controller.signal });
    const receivedAt = Date.now();
    const date = res.headers.get('date') ?? undefined;
    await res.body?.cancel().catch(() => undefined);
    trace(`HEAD ${url} → ${res.status} ${receivedAt - sentAt} ms`);
    return { ...(date ? { date } : {}), sentAt, receivedAt };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { error: `${new URL(url).host} unreachable${e.cause?.code ? ` (${e.cause.code})` : e.name === 'TimeoutError' ? ' (timeout)' : ''}` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The address `name` resolves to on this machine, or undefined (not in DNS yet). Lookups of one name at the same time
 * share one: a fleet of hosts serving one domain makes one lookup, not one each (concurrent lookups of a name the
 * resolver does not know can each wait out its 5 s timeout). A later call asks again (a wait for DNS sees it appear).
 */
export function resolveAddress(name: string): Promise<string | undefined> {
  let found = resolved.get(name);
  if (!found) {
    resolved.set(name, (found = lookupOnce(name)));
    void found.finally(() => resolved.delete(name));
  }
  return found;
}

const resolved = new Map<string, Promise<string | undefined>>();

async function lookupOnce(name: string): Promise<string | undefined> {
  const { lookup } = await import('node:dns/promises');
  try {
    return (await lookup(name)).address;
  } catch {
    return undefined;
  }
}

type Req = import('node:http').ClientRequest;
type Res = import('node:http').IncomingMessage;

function send(what: string, start: (cb: (res: Res) => void) => Req, o: RawGetOptions): Promise<RawAnswer> {
  const started = performance.now();
  const max = o.maxBody ?? 4 * 1024 * 1024;
  const ms = () => Math.round(performance.now() - started);
  return new Promise<RawAnswer>((resolve) => {
    const done = (a: Omit<RawAnswer, 'latencyMs'>) => {
      trace(`${what} → ${a.status || a.error} ${ms()} ms`);
      resolve({ ...a, latencyMs: ms() });
    };
    const req = start((res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < max) body += c;
      });
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        done({ status: res.statusCode ?? 0, body, ...(json === undefined ? {} : { json }) });
      });
      res.on('error', (err) => done({ status: res.statusCode ?? 0, body, error: err.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => done({ status: 0, body: '', error: err.message, ...(err.code && err.code !== 'TIMEOUT' ? { errorCode: err.code } : {}) }));
    req.end();
  });
}
