import { authError } from '../errors.js';
import type { ContextCredentials } from '../config/schema.js';
import { registerSecret } from '../redact.js';
import { decodeJwt, jwtExpiry } from './jwt.js';

/** What a command accepts; declared on the command class. */
export type AuthPolicy = 'none' | 'jwt' | 'service' | 'jwt-or-service';

export type CredentialSource = 'env' | 'credentials';

export interface AvailableCredentials {
  jwt?: { token: string; source: CredentialSource; envVar?: string; expiresAt?: Date; email?: string; tenantId?: string; role?: string };
  serviceToken?: { token: string; source: CredentialSource; envVar?: string };
}

export interface ChosenCredential {
  kind: 'jwt' | 'service';
  token: string;
  source: CredentialSource;
  envVar?: string;
  /** `Authorization` header value. */
  header: string;
}

const SERVICE_ENV = ['FRAMEWORKS_SERVICE_TOKEN', 'SERVICE_TOKEN'] as const;

/** Environment credentials win over stored ones (precedence env > file). */
export function collectCredentials(stored: ContextCredentials, env: NodeJS.ProcessEnv = process.env): AvailableCredentials {
  const out: AvailableCredentials = {};
  const envJwt = env.FRAMEWORKS_JWT?.trim();
  if (envJwt) {
    const claims = decodeJwt(envJwt);
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    out.jwt = {
      token: envJwt,
      source: 'env',
      envVar: 'FRAMEWORKS_JWT',
      expiresAt: jwtExpiry(envJwt),
      email: str(claims?.email),
      tenantId: str(claims?.tenant_id),
      role: str(claims?.role),
    };
  } else if (stored.jwt?.token) {
    out.jwt = {
      token: stored.jwt.token,
      source: 'credentials',
      expiresAt: jwtExpiry(stored.jwt.token, stored.jwt.expires_at),
      email: stored.jwt.email,
      tenantId: stored.jwt.tenant_id,
      role: stored.jwt.role,
    };
  }
  const envVar = SERVICE_ENV.find((k) => env[k]?.trim());
  if (envVar) out.serviceToken = { token: env[envVar]!.trim(), source: 'env', envVar };
  else if (stored.service_token) out.serviceToken = { token: stored.service_token, source: 'credentials' };
  registerSecret(out.jwt?.token);
  registerSecret(out.serviceToken?.token);
  return out;
}

export function isExpired(expiresAt: Date | undefined, now = new Date()): boolean {
  return expiresAt !== undefined && expiresAt.getTime() <= now.getTime();
}

/**
 * Prefer the JWT; fall back to the service token where the policy allows it; otherwise
 * refuse with exit 3 and the command that fixes it. `warn` receives a note when a
 * fallback happened because the JWT expired.
 */
export function chooseCredential(
  policy: AuthPolicy,
  creds: AvailableCredentials,
  context: string,
  warn: (message: string) => void = () => undefined,
  now = new Date(),
): ChosenCredential | undefined {
  if (policy === 'none') return undefined;
  const loginHint = `frameworks login --context ${context}`;
  const jwt = creds.jwt;
  const jwtExpired = jwt !== undefined && isExpired(jwt.expiresAt, now);
  if ((policy === 'jwt' || policy === 'jwt-or-service') && jwt && !jwtExpired) {
    return { kind: 'jwt', token: jwt.token, source: jwt.source, envVar: jwt.envVar, header: `Bearer ${jwt.token}` };
  }
  const svc = creds.serviceToken;
  if ((policy === 'service' || policy === 'jwt-or-service') && svc) {
    if (jwtExpired) warn(`The JWT for context "${context}" expired at ${jwt!.expiresAt!.toISOString()}; using the service token instead.`);
    return { kind: 'service', token: svc.token, source: svc.source, envVar: svc.envVar, header: `Bearer ${svc.token}` };
  }
  if (jwtExpired && policy !== 'service') {
    const where = jwt!.source === 'env' ? ` (from ${jwt!.envVar})` : '';
    throw authError(`The JWT for context "${context}"${where} expired at ${jwt!.expiresAt!.toISOString()}.`, [
      jwt!.source === 'env' ? `unset ${jwt!.envVar}, or set it to a fresh token` : loginHint + ' --email <you@example.com>',
    ], 'JWT_EXPIRED');
  }
  const needs =
    policy === 'jwt' ? 'a JWT (user login)' : policy === 'service' ? 'a service token (SERVICE_TOKEN)' : 'a JWT or a service token';
  const suggestions =
    policy === 'service'
      ? [`${loginHint} --service-token-stdin < token-file`, 'or export FRAMEWORKS_SERVICE_TOKEN=…']
      : policy === 'jwt'
        ? [`${loginHint} --email <you@example.com>`]
        : [`${loginHint} --email <you@example.com>`, `${loginHint} --service-token-stdin < token-file`];
  throw authError(`This command needs ${needs}, and context "${context}" has none.`, suggestions);
}
