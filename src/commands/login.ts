import { Flags } from '@oclif/core';
import { FrameworksCommand, viaFlags } from '@frameworks/cli-kit';
import {
  BridgeAuthClient,
  GatewayClient,
  assertEndpoint,
  authError,
  decodeJwt,
  jwtExpiry,
  mask,
  parseDuration,
  readStdinSecret,
  registerSecret,
  usageError,
  type JwtCredential,
} from '@frameworks/sdk';

const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;

export default class Login extends FrameworksCommand<typeof Login> {
  static override summary = 'Store credentials for a context: a JWT from the Gateway, and/or a service token.';
  static override description = `--email logs in at POST {gateway}/auth/login (password prompted, masked, or --password-stdin) and stores the JWT with its expiry; the JWT is taken from the reply body (seed-era Gateway) or its access_token cookie (today's Bridge), whichever the reply carries.
--device logs in with today's device-code flow: open the URL shown, type the code, and the CLI stores the JWT once you approve (it waits --device-timeout, 5 min by default).
--token validates a token at GET {gateway}/auth/token/validate before storing it.
--jwt stores a JWT you already have; --service-token(-stdin) stores the provider SERVICE_TOKEN.
With no flag, FRAMEWORKS_JWT and FRAMEWORKS_SERVICE_TOKEN / SERVICE_TOKEN found in the environment are stored.
Secrets go to ~/.frameworks/credentials.yaml (0600) and are never printed whole.`;
  static override examples = [
    { description: 'Log in with your email; the password is asked for, masked', command: '<%= config.bin %> login --email ops@example.com' },
    { description: 'Log in in a browser with a device code', command: '<%= config.bin %> login --device' },
    {
      description: 'Log in from a script, the password read from stdin',
      command: 'printf %s "$PASSWORD" | <%= config.bin %> login --email ops@example.com --password-stdin',
    },
    {
      description: 'Store the service token of the prod context, read from a file',
      command: '<%= config.bin %> login --service-token-stdin < service-token.txt --context prod',
    },
    { description: 'Store the service token found in the environment', command: 'SERVICE_TOKEN="$(cat service-token.txt)" <%= config.bin %> login' },
  ];
  static override flags = {
    ...viaFlags,
    email: Flags.string({ description: 'Account email; the password is prompted (masked) or read with --password-stdin.' }),
    'password-stdin': Flags.boolean({ description: 'Read the password from stdin.', dependsOn: ['email'] }),
    jwt: Flags.string({ description: 'Store this JWT (e.g. from the web app) instead of logging in.', exclusive: ['email'] }),
    device: Flags.boolean({ description: "Log in in a browser with today's device-code flow (the Gateway's /auth/device/*).", exclusive: ['email', 'jwt', 'token'] }),
    'device-timeout': Flags.string({ description: 'With --device: how long to wait for the approval.', default: '5m' }),
    token: Flags.string({ description: 'Validate this token at the Gateway (GET /auth/token/validate), then store it.', exclusive: ['email', 'jwt'] }),
    'service-token': Flags.string({ description: 'Store this service token (visible in shell history: prefer --service-token-stdin).', exclusive: ['service-token-stdin'] }),
    'service-token-stdin': Flags.boolean({ description: 'Read the service token from stdin.', exclusive: ['password-stdin'] }),
    'gateway-url': Flags.string({ description: 'Gateway URL for this login (default: the context\'s gateway).' }),
    timeout: Flags.string({ description: 'Login request timeout.', default: '10s' }),
  };
  static override mutating = true;

  async run() {
    const f = this.flags;
    if (f['gateway-url']) assertEndpoint('gateway', f['gateway-url']);
    const timeoutMs = parseDuration(f.timeout); // validate before anything is read or sent
    const ctx = await this.context({ gateway: f['gateway-url'] });
    this.auditTargets = [ctx.name];
    const sources: string[] = [];

    const tokenExample = 'printf %s "$SERVICE_TOKEN" | frameworks login --service-token-stdin';
    let serviceToken =
      f['service-token'] ??
      (f['service-token-stdin'] ? await readStdinSecret({ flag: '--service-token-stdin', what: 'service token', example: tokenExample }) : undefined);
    let jwt: JwtCredential | undefined;

    let email = f.email;
    const deviceWaitMs = f.device ? parseDuration(f['device-timeout'], '--device-timeout') : 0;
    if (f.device) {
      jwt = await this.deviceLogin(ctx.endpoints.gateway.value, ctx.name, timeoutMs, deviceWaitMs);
      sources.push('device login');
    } else if (f.token !== undefined) {
      jwt = await this.validatedToken(ctx.endpoints.gateway.value, ctx.name, timeoutMs, f.token.trim());
      sources.push('--token');
    } else if (!email && !f.jwt && !serviceToken) {
      // No flag: take what the environment provides (CI); otherwise ask on a terminal.
      const envJwt = process.env.FRAMEWORKS_JWT?.trim();
      const envSvcVar = ['FRAMEWORKS_SERVICE_TOKEN', 'SERVICE_TOKEN'].find((k) => process.env[k]?.trim());
      if (envJwt) {
        jwt = jwtFromToken(envJwt);
        sources.push('FRAMEWORKS_JWT');
      }
      if (envSvcVar) {
        serviceToken = process.env[envSvcVar]!.trim();
        sources.push(envSvcVar);
      }
      if (!jwt && !serviceToken) {
        if (!this.interactive) {
          throw usageError('Nothing to log in with.', [
            'frameworks login --email <you@example.com> --password-stdin < password-file',
            'frameworks login --service-token-stdin < token-file',
            'or export FRAMEWORKS_SERVICE_TOKEN / FRAMEWORKS_JWT',
          ], 'NO_CREDENTIALS_GIVEN');
        }
        const { promptInput } = await import('@frameworks/cli-kit/prompts');
        email = (await promptInput(this.promptContext, 'Email', '--email')).trim();
      }
    }

    if (email) {
      if (!EMAIL.test(email)) throw usageError(`"${email}" is not an email address.`, ['e.g. --email ops@example.com'], 'INVALID_EMAIL');
      const example = 'printf %s "$PASSWORD" | frameworks login --email you@example.com --password-stdin';
      const password = f['password-stdin'] ? await readStdinSecret({ flag: '--password-stdin', what: 'password', example }) : await this.askPassword();
      if (!password) throw usageError('The password is empty.', ['Type it at the prompt, or pipe it into --password-stdin'], 'EMPTY_PASSWORD');
      const gateway = new GatewayClient({ baseUrl: ctx.endpoints.gateway.value, context: ctx.name, timeoutMs, dialer: await this.dialer() });
      this.info(`Logging in to ${ctx.endpoints.gateway.value} as ${email}…`);
      const res = await gateway.login(email, password);
      jwt = {
        token: res.token,
        expires_at: res.expiresAt?.toISOString(),
        email: res.user.email ?? email,
        user_id: res.user.id,
        tenant_id: res.user.tenant_id,
        role: res.user.role,
        obtained_at: new Date().toISOString(),
      };
      sources.push('gateway login');
    } else if (f.jwt) {
      jwt = jwtFromToken(f.jwt.trim());
      sources.push('--jwt');
    }
    if (f['service-token'] !== undefined || f['service-token-stdin']) sources.push(f['service-token-stdin'] ? 'stdin' : '--service-token');
    if (serviceToken !== undefined) {
      if (!serviceToken) throw usageError('The service token is empty.', ['Pipe the token into --service-token-stdin'], 'EMPTY_TOKEN');
      registerSecret(serviceToken);
    }

    await this.credentialStore().update(ctx.name, (c) => {
      if (jwt) c.jwt = jwt;
      if (serviceToken) c.service_token = serviceToken;
    });
    if (f.token) this.warning('A token given as a flag can end up in shell history.', 'SECRET_ON_COMMAND_LINE');
    if (f['service-token']) this.warning('A token given as a flag can end up in shell history; prefer --service-token-stdin.', 'SECRET_ON_COMMAND_LINE');
    if (jwt) this.success(`Stored JWT for context "${ctx.name}"${jwt.email ? ` (${jwt.email})` : ''}${jwt.expires_at ? `, expires ${jwt.expires_at}` : ''}.`);
    if (serviceToken) this.success(`Stored service token for context "${ctx.name}" (${mask(serviceToken)}).`);
    this.next('frameworks auth status');
    return {
      context: ctx.name,
      sources,
      jwt: jwt ? { token: mask(jwt.token), email: jwt.email ?? null, tenant_id: jwt.tenant_id ?? null, role: jwt.role ?? null, expires_at: jwt.expires_at ?? null } : null,
      service_token: serviceToken ? mask(serviceToken) : null,
    };
  }

  /** Today's device-code flow (contract §4.4); the URL and code on stderr, then the wait, bounded. */
  private async deviceLogin(gateway: string, context: string, timeoutMs: number, waitMs: number): Promise<JwtCredential> {
    const client = new BridgeAuthClient({ baseUrl: gateway, context, timeoutMs, dialer: await this.dialer() });
    let lastNote = 0;
    const res = await client.deviceLogin({
      waitMs,
      signal: this.interrupted,
      onCode: (code) => {
        this.info(`Open ${code.verification_uri_complete ?? code.verification_uri} and confirm the code ${code.user_code}.`);
        this.info(`Waiting for the approval (at most ${Math.round(Math.min(waitMs / 1000, code.expires_in || Infinity))} s)…`);
      },
      onPending: (left) => {
        // One progress line every 30 s is enough on a terminal; none under --json.
        if (Date.now() - lastNote < 30_000) return;
        lastNote = Date.now();
        this.info(`  still waiting, ${left} s left`);
      },
    });
    const claims = decodeJwt(res.token);
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      token: res.token,
      expires_at: res.expiresAt?.toISOString(),
      email: str(res.user.email) ?? str(claims?.email),
      user_id: str(res.user.id) ?? str(claims?.user_id),
      tenant_id: str(res.user.tenant_id) ?? str(claims?.tenant_id),
      role: str(res.user.role) ?? str(claims?.role),
      obtained_at: new Date().toISOString(),
    };
  }

  /** `login --token`: the Gateway says whether it is valid before anything is stored. */
  private async validatedToken(gateway: string, context: string, timeoutMs: number, token: string): Promise<JwtCredential> {
    if (!token) throw usageError('The token is empty.', ['frameworks login --token <token>'], 'EMPTY_TOKEN');
    registerSecret(token);
    const v = await new BridgeAuthClient({ baseUrl: gateway, context, timeoutMs, dialer: await this.dialer() }).validateToken(token);
    // A JWT keeps its claims and expiry; a developer API token (fw_…) is stored as it is (Bridge takes it as Bearer).
    const base: JwtCredential = decodeJwt(token) ? jwtFromToken(token) : { token, obtained_at: new Date().toISOString() };
    return { ...base, user_id: base.user_id ?? v.user_id, tenant_id: base.tenant_id ?? v.tenant_id };
  }

  private async askPassword(): Promise<string> {
    const { promptPassword } = await import('@frameworks/cli-kit/prompts');
    return promptPassword(this.promptContext, 'Password', '--password-stdin (and pipe the password in)');
  }
}

function jwtFromToken(token: string): JwtCredential {
  const claims = decodeJwt(token);
  if (!claims) throw usageError('That is not a JWT (expected three base64url parts separated by dots).', ['Use --service-token-stdin for a service token'], 'INVALID_JWT');
  registerSecret(token);
  const expires = jwtExpiry(token);
  if (expires && expires.getTime() <= Date.now()) {
    throw authError(`That JWT expired at ${expires.toISOString()}; storing it would not log you in.`, ['frameworks login --email <you@example.com>'], 'JWT_EXPIRED');
  }
  return {
    token,
    expires_at: jwtExpiry(token)?.toISOString(),
    email: typeof claims.email === 'string' ? claims.email : undefined,
    user_id: typeof claims.user_id === 'string' ? claims.user_id : undefined,
    tenant_id: typeof claims.tenant_id === 'string' ? claims.tenant_id : undefined,
    role: typeof claims.role === 'string' ? claims.role : undefined,
    obtained_at: new Date().toISOString(),
  };
}
