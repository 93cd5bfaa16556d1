import { ExitCode, FrameworksError } from '../errors.js';
import { createHttpClient, type HttpClientOptions } from '../http/client.js';
import { mapHttpError, serverMessage } from '../http/errors.js';
import { registerSecret } from '../redact.js';
import { jwtExpiry } from '../auth/jwt.js';
import { checkIdentifier } from '../input/server-text.js';

/** User object of the login reply (contract §4.1); only these fields are meaningful at MVP. */
export interface GatewayUser {
  id?: string;
  tenant_id?: string;
  email?: string;
  role?: string;
  [key: string]: unknown;
}

export interface LoginResult {
  token: string;
  expiresAt?: Date;
  user: GatewayUser;
}

interface LoginReply {
  token?: string;
  user?: GatewayUser;
  expires_at?: string;
}

/** Gateway (Bridge) REST client: `POST {gateway}/auth/login`. */
export class GatewayClient {
  constructor(private readonly opts: Omit<HttpClientOptions, 'service' | 'credential'>) {}

  async login(email: string, password: string): Promise<LoginResult> {
    registerSecret(password);
    checkIdentifier(email, '--email', 254);
    const http = await createHttpClient({ ...this.opts, service: 'Gateway', retries: 0, timeoutMs: this.opts.timeoutMs ?? 10_000 });
    let res;
    try {
      res = await http.got.post('auth/login', { json: { email, password }, throwHttpErrors: true });
    } catch (err) {
      const status = (err as { response?: { statusCode?: number; body?: unknown } }).response?.statusCode;
      if (status === 401 || status === 403) {
        const msg = serverMessage((err as { response: { body: unknown } }).response.body) ?? 'Invalid credentials';
        throw new FrameworksError(`Login failed: ${msg}.`, {
          code: 'LOGIN_FAILED',
          exitCode: ExitCode.NOT_AUTHENTICATED,
          name: 'AuthError',
          suggestions: /verify/i.test(msg)
            ? ['Open the verification email, then run frameworks login again']
            : ['Check the email and password, then run: frameworks login --email <you@example.com>'],
        });
      }
      throw mapHttpError(err, { service: 'Gateway', url: this.opts.baseUrl, context: this.opts.context });
    }
    const body = (res.body ?? {}) as LoginReply;
    // MVP returns the JWT in the body; HEAD's Bridge sets it as the access_token cookie instead.
    const token = body.token ?? cookieValue(res.headers['set-cookie'], 'access_token');
    if (!token) {
      throw new FrameworksError('The Gateway accepted the login but returned no token.', {
        code: 'LOGIN_NO_TOKEN',
        exitCode: ExitCode.FAILED,
        suggestions: ['Check that the gateway URL points at the FrameWorks Gateway: frameworks context show'],
      });
    }
    registerSecret(token);
    return { token, expiresAt: jwtExpiry(token, body.expires_at), user: body.user ?? {} };
  }
}

function cookieValue(header: string[] | undefined, name: string): string | undefined {
  for (const c of header ?? []) {
    const m = new RegExp(`^${name}=([^;]+)`).exec(c);
    if (m) return decodeURIComponent(m[1]);
  }
  return undefined;
}
