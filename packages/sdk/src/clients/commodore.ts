import { usageError } from '../errors.js';
import { checkIdentifier, checkName } from '../input/server-text.js';
import { parseDuration } from '../duration.js';
import { registerSecret } from '../redact.js';
import { badReply, lazyHttp, listOf, notFoundAs, parseRfc3339, requireCredential, withDates, type Dates, type RestClientOptions } from './rest-util.js';

const SERVICE = 'Commodore';

/** 201 reply of `POST /developer/tokens` (contract §4.2). `token_value` is shown once. */
export interface DeveloperTokenCreatedWire {
  id: string;
  token_value: string;
  token_name: string;
  permissions: string[];
  /** Null when the token never expires (today's Commodore without an expiry, through the Gateway). */
  expires_at: string | null;
  created_at: string;
  message?: string;
}
export type DeveloperTokenCreated = DeveloperTokenCreatedWire & { readonly dates: Dates<'expires_at' | 'created_at'> };

export interface DeveloperTokenWire {
  id: string;
  token_name: string;
  permissions: string[] | null;
  status: 'active' | 'revoked' | 'expired' | string;
  last_used_at: string | null;
  expires_at: string | null;
  created_at: string;
}
export type DeveloperToken = DeveloperTokenWire & { readonly dates: Dates<'last_used_at' | 'expires_at' | 'created_at'> };

export interface DeveloperTokenRevokedWire {
  message: string;
  token_id: string;
  token_name: string;
  revoked_at: string;
}
export type DeveloperTokenRevoked = DeveloperTokenRevokedWire & { readonly dates: Dates<'revoked_at'> };

export interface CreateDeveloperTokenInput {
  name: string;
  /** Default on the server: read, write. */
  permissions?: string[];
  /** Lifetime from now (`30d`, `720h`); converted to an absolute RFC3339 `expires_at`. */
  expiresIn?: string;
  /** Absolute expiry; wins over expiresIn. */
  expiresAt?: Date | string;
}

export interface CreateDeveloperTokenBody {
  token_name: string;
  permissions?: string[];
  expires_at?: string;
}

/** Validates and builds the create body (exit 2 on bad input), computing `expires_at` from a duration. */
export function buildDeveloperTokenBody(input: CreateDeveloperTokenInput, now = new Date()): CreateDeveloperTokenBody {
  const name = input.name?.trim();
  if (!name) throw usageError('A developer token needs a name.', ['e.g. --name ci'], 'NAME_REQUIRED');
  checkName(name, '--name');
  const permissions = input.permissions?.map((p) => p.trim()).filter(Boolean);
  for (const p of permissions ?? []) checkIdentifier(p, 'A --perms entry');
  let expiresAt: string | undefined;
  if (input.expiresAt !== undefined) {
    const d = input.expiresAt instanceof Date ? input.expiresAt : parseRfc3339(input.expiresAt);
    if (!d || Number.isNaN(d.getTime())) throw usageError(`--expires-at: "${String(input.expiresAt)}" is not an RFC3339 time.`, ['e.g. 2026-01-31T00:00:00Z'], 'INVALID_TIME');
    expiresAt = d.toISOString();
  } else if (input.expiresIn !== undefined) {
    // An expiry date, never a timer: any length a date can hold.
    const ms = parseDuration(input.expiresIn, { flag: '--expires', max: 100 * 365 * 86_400_000 });
    expiresAt = new Date(now.getTime() + ms).toISOString();
  }
  if (expiresAt && Date.parse(expiresAt) <= now.getTime()) {
    throw usageError(`The expiry ${expiresAt} is in the past.`, ['e.g. --expires 30d'], 'INVALID_TIME');
  }
  return { token_name: name, ...(permissions?.length ? { permissions } : {}), ...(expiresAt ? { expires_at: expiresAt } : {}) };
}

/**
 * Commodore developer API tokens on the real MVP route `{control}/developer/tokens` (contract §4.2),
 * not the gateway path the Go CLI built. A user JWT is required and checked before any request.
 */
export class CommodoreClient {
  private readonly http;

  constructor(private readonly opts: RestClientOptions) {
    this.http = lazyHttp(SERVICE, opts);
  }

  private requireJwt(what: string): void {
    requireCredential(this.opts.credential, 'jwt', what, this.opts.context);
  }

  /** Sent once (never retried): a retried create could mint a second token. */
  async createDeveloperToken(input: CreateDeveloperTokenInput): Promise<DeveloperTokenCreated> {
    const body = buildDeveloperTokenBody(input);
    this.requireJwt('Creating a developer token');
    const http = await this.http();
    const reply = await http.post<DeveloperTokenCreatedWire>('/developer/tokens', body);
    if (!reply || typeof reply.token_value !== 'string') throw badReply(SERVICE, 'no token_value in the create reply');
    registerSecret(reply.token_value);
    return withDates(SERVICE, reply, ['expires_at', 'created_at'] as const);
  }

  /** The caller's tokens; `null` → []. (At MVP the server's list is usually empty, contract §9.11.) */
  async listDeveloperTokens(): Promise<DeveloperToken[]> {
    this.requireJwt('Listing developer tokens');
    const http = await this.http();
    return listOf<DeveloperTokenWire>(SERVICE, await http.get('/developer/tokens'), 'tokens').map((t) =>
      withDates(SERVICE, t, ['last_used_at', 'expires_at', 'created_at'] as const),
    );
  }

  async revokeDeveloperToken(id: string): Promise<DeveloperTokenRevoked> {
    if (!id?.trim()) throw usageError('Which token? Pass its id.', ['frameworks admin tokens list'], 'ID_REQUIRED');
    checkIdentifier(id, 'The token id');
    this.requireJwt('Revoking a developer token');
    const http = await this.http();
    const reply = await notFoundAs(
      http.delete<DeveloperTokenRevokedWire>(`/developer/tokens/${encodeURIComponent(id)}`),
      `Developer token ${id} not found or already revoked.`,
    );
    if (!reply || typeof reply !== 'object') throw badReply(SERVICE, 'empty revoke reply');
    return withDates(SERVICE, reply, ['revoked_at'] as const);
  }
}
