import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, FrameworksError } from '../errors.js';
import { createHttpClient, type HttpClient } from '../http/client.js';
import { mapHttpError, serverMessage } from '../http/errors.js';
import { jwtExpiry } from '../auth/jwt.js';
import { registerSecret } from '../redact.js';
import { trace } from '../log.js';
import type { Dialer } from '../net/dialer.js';
import type { GatewayUser, LoginResult } from './gateway.js';

const SERVICE = 'Gateway';
/** Contract §4.4: `client_id` "cli", scope "account"; poll every `interval` s (default 5), `slow_down` adds 5 s. */
const CLIENT_ID = 'cli';
const DEFAULT_INTERVAL_S = 5;
const SLOW_DOWN_S = 5;

export interface BridgeAuthOptions {
  /** The context's gateway (Bridge) URL. */
  baseUrl: string;
  context?: string;
  /** Per request (contract §4.4: 15 s). */
  timeoutMs?: number;
  insecure?: boolean;
  dialer?: Dialer;
}

/** 200 reply of `POST /auth/device/start`. */
export interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

export interface DeviceLoginOptions {
  /** The longest this login waits for the approval (the HEAD CLI's --timeout, 5 min); the code's expires_in may end it sooner. */
  waitMs: number;
  /** Told once: where to go and which code to type. */
  onCode: (code: DeviceCode) => void;
  /** Each poll that is still pending: seconds left. */
  onPending?: (secondsLeft: number) => void;
  signal?: AbortSignal;
}

export interface DeviceLoginResult extends LoginResult {
  refreshToken?: string;
}

export interface TokenValidation {
  valid: boolean;
  auth_type?: string;
  user_id?: string;
  tenant_id?: string;
}

interface PollReply {
  access_token?: string;
  refresh_token?: string;
  expires_at?: string;
  user?: GatewayUser;
  error?: string;
}

/** Today's Bridge login routes (contract §4.4): the device-code flow and token validation. */
export class BridgeAuthClient {
  private http?: Promise<HttpClient>;

  constructor(private readonly opts: BridgeAuthOptions) {}

  private client(): Promise<HttpClient> {
    return (this.http ??= createHttpClient({ ...this.opts, service: SERVICE, retries: 0, timeoutMs: this.opts.timeoutMs ?? 15_000 }));
  }

  private async post(path: string, json: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const http = await this.client();
    try {
      const res = await http.got.post(path, { json, headers, throwHttpErrors: false, retry: { limit: 0 } });
      return { status: res.statusCode, body: res.body };
    } catch (err) {
      throw mapHttpError(err, { service: SERVICE, url: this.opts.baseUrl, context: this.opts.context });
    }
  }

  /** `POST /auth/device/start`, then poll `/auth/device/poll` until approved, denied, expired or `waitMs` is up. */
  async deviceLogin(o: DeviceLoginOptions): Promise<DeviceLoginResult> {
    const start = await this.post('auth/device/start', { client_id: CLIENT_ID, scope: 'account' });
    if (start.status !== 200) throw this.httpError(start);
    const code = start.body as Partial<DeviceCode>;
    if (!code || typeof code.device_code !== 'string' || typeof code.user_code !== 'string' || typeof code.verification_uri !== 'string') {
      throw new FrameworksError('The Gateway started no device login (no device_code, user_code or verification_uri in its reply).', {
        code: 'BAD_RESPONSE', exitCode: ExitCode.FAILED, name: 'HttpError',
      });
    }
    registerSecret(code.device_code);
    o.onCode(code as DeviceCode);
    const expiresMs = typeof code.expires_in === 'number' && code.expires_in > 0 ? code.expires_in * 1000 : o.waitMs;
    const deadline = Date.now() + Math.min(o.waitMs, expiresMs);
    let intervalS = typeof code.interval === 'number' && code.interval > 0 ? code.interval : DEFAULT_INTERVAL_S;
    for (;;) {
      const poll = await this.post('auth/device/poll', { device_code: code.device_code, client_id: CLIENT_ID });
      const reply = (poll.body ?? {}) as PollReply;
      if (poll.status === 200) return this.loggedIn(reply);
      const err = typeof reply.error === 'string' ? reply.error : '';
      if (poll.status === 429 || err === 'slow_down') {
        intervalS += SLOW_DOWN_S;
        trace(`device login: slow_down, polling every ${intervalS} s`);
      } else if (err === 'access_denied' || poll.status === 403) {
        throw new FrameworksError('The device login was denied in the browser.', {
          code: 'DEVICE_ACCESS_DENIED', exitCode: ExitCode.NOT_AUTHENTICATED, name: 'AuthError', suggestions: ['frameworks login --device'],
        });
      } else if (err === 'expired_token' || poll.status === 410) {
        throw expired(`The device code ${code.user_code} expired before it was approved.`);
      } else if (!(poll.status === 400 && err === 'authorization_pending')) {
        throw this.httpError(poll);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw expired(`Nobody approved the device code ${code.user_code} within ${Math.round(Math.min(o.waitMs, expiresMs) / 1000)} s.`);
      o.onPending?.(Math.ceil(left / 1000));
      await sleep(Math.min(intervalS * 1000, left), undefined, { signal: o.signal });
    }
  }

  /** `GET /auth/token/validate` with the token as Bearer: 200 `{valid: true, …}` or it is not valid (exit 3). */
  async validateToken(token: string): Promise<TokenValidation> {
    registerSecret(token);
    const http = await this.client();
    let res;
    try {
      res = await http.got.get('auth/token/validate', { headers: { authorization: `Bearer ${token}` }, throwHttpErrors: false });
    } catch (err) {
      throw mapHttpError(err, { service: SERVICE, url: this.opts.baseUrl, context: this.opts.context });
    }
    const body = (res.body ?? {}) as unknown as TokenValidation;
    if (res.statusCode >= 500) throw this.httpError({ status: res.statusCode, body: res.body });
    if (res.statusCode < 200 || res.statusCode >= 300 || body.valid !== true) {
      const why = serverMessage(res.body);
      throw new FrameworksError(`The Gateway does not accept that token (HTTP ${res.statusCode}${why ? `: ${why}` : ''}); nothing was stored.`, {
        code: 'TOKEN_INVALID', exitCode: ExitCode.NOT_AUTHENTICATED, name: 'AuthError',
        suggestions: ['frameworks login --device', 'frameworks login --email <you@example.com>'],
      });
    }
    return body;
  }

  private loggedIn(reply: PollReply): DeviceLoginResult {
    if (typeof reply.access_token !== 'string' || !reply.access_token) {
      throw new FrameworksError('The Gateway approved the device login but sent no access_token.', { code: 'LOGIN_NO_TOKEN', exitCode: ExitCode.FAILED });
    }
    registerSecret(reply.access_token);
    registerSecret(reply.refresh_token);
    return {
      token: reply.access_token,
      expiresAt: jwtExpiry(reply.access_token, reply.expires_at),
      user: reply.user ?? {},
      ...(reply.refresh_token ? { refreshToken: reply.refresh_token } : {}),
    };
  }

  private httpError(r: { status: number; body: unknown }): FrameworksError {
    return mapHttpError({ response: { statusCode: r.status, body: r.body } }, { service: SERVICE, url: this.opts.baseUrl, context: this.opts.context });
  }
}

function expired(message: string): FrameworksError {
  return new FrameworksError(message, {
    code: 'DEVICE_CODE_EXPIRED', exitCode: ExitCode.NOT_AUTHENTICATED, name: 'AuthError', suggestions: ['frameworks login --device   # a new code'],
  });
}
