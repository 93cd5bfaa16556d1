export interface JwtClaims {
  exp?: number;
  iat?: number;
  user_id?: string;
  tenant_id?: string;
  email?: string;
  role?: string;
  [key: string]: unknown;
}

/** Decode (not verify: the CLI has no key) a JWT's claims. Undefined when it is not a JWT. */
export function decodeJwt(token: string): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' ? (claims as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

export function looksLikeJwt(token: string): boolean {
  return decodeJwt(token) !== undefined;
}

/** Expiry of a JWT: the stored expires_at (from the login reply) or the `exp` claim. */
export function jwtExpiry(token: string, storedExpiresAt?: string): Date | undefined {
  if (storedExpiresAt) {
    const d = new Date(storedExpiresAt);
    if (!Number.isNaN(d.getTime())) return d;
  }
  const exp = decodeJwt(token)?.exp;
  return typeof exp === 'number' ? new Date(exp * 1000) : undefined;
}
