import type { ResolvedContext, ContextCredentials, ValueSource } from '@frameworks/sdk';
import { collectCredentials, isExpired, mask, SERVICE_KEYS, endpointEnvVar } from '@frameworks/sdk';
import { localDate, relativeTime } from '@frameworks/cli-kit';

export function sourceLabel(source: ValueSource, key?: string): string {
  switch (source) {
    case 'flag':
      return 'flag';
    case 'env':
      return key ? `env ${key}` : 'env';
    case 'config':
      return 'config';
    default:
      return 'default';
  }
}

export function endpointsView(ctx: ResolvedContext) {
  return SERVICE_KEYS.map((key) => ({
    service: key,
    url: ctx.endpoints[key].value,
    source: ctx.endpoints[key].source,
    ...(ctx.endpoints[key].source === 'env' ? { env: endpointEnvVar(key) } : {}),
  }));
}

/** What credentials a context has, with secrets masked: safe for any output. */
export function credentialsView(stored: ContextCredentials, now = new Date()) {
  const creds = collectCredentials(stored);
  return {
    jwt: creds.jwt
      ? {
          token: mask(creds.jwt.token),
          source: creds.jwt.source,
          ...(creds.jwt.envVar ? { env: creds.jwt.envVar } : {}),
          email: creds.jwt.email,
          tenant_id: creds.jwt.tenantId,
          role: creds.jwt.role,
          expires_at: creds.jwt.expiresAt?.toISOString(),
          expired: isExpired(creds.jwt.expiresAt, now),
        }
      : null,
    service_token: creds.serviceToken
      ? { token: mask(creds.serviceToken.token), source: creds.serviceToken.source, ...(creds.serviceToken.envVar ? { env: creds.serviceToken.envVar } : {}) }
      : null,
  };
}

export function describeExpiry(expiresAt: string | undefined, now = new Date()): string {
  if (!expiresAt) return 'no expiry recorded';
  const when = `${relativeTime(expiresAt, now.getTime())} (${localDate(expiresAt)})`;
  return new Date(expiresAt).getTime() <= now.getTime() ? `expired ${when}` : `expires ${when}`;
}
