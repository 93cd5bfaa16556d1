import { usageError } from '../errors.js';
import { checkIdentifier } from '../input/server-text.js';
import { registerSecret } from '../redact.js';
import { GrpcChannel, type GrpcClientOptions } from '../grpc/channel.js';
import { dateToTimestamp, plain } from '../grpc/convert.js';
import { badReply, requireCredential, withDates } from './rest-util.js';
import {
  buildDeveloperTokenBody,
  type CommodoreClient,
  type CreateDeveloperTokenInput,
  type DeveloperToken,
  type DeveloperTokenCreated,
  type DeveloperTokenCreatedWire,
  type DeveloperTokenRevoked,
  type DeveloperTokenRevokedWire,
  type DeveloperTokenWire,
} from './commodore.js';

const SERVICE = 'Commodore';
const ADMIN_TIMEOUT_MS = 15_000;
const PAGE = 500;
const MAX_PAGES = 200;

export type CommodoreApi = { [K in keyof CommodoreClient]: CommodoreClient[K] } & { close?(): void };

type Msg = Record<string, unknown>;

/**
 * Developer tokens over gRPC (`commodore.DeveloperService`, contract §4.5). Commodore needs a user
 * and a tenant: the user's JWT carries both; a service token must come with x-user-id and
 * x-tenant-id (GrpcClientOptions.metadata), else the server answers "missing user context".
 * HEAD facts kept: values start with `fw_`, no expiry unless asked, permissions default `read`.
 */
export class CommodoreGrpcClient implements CommodoreApi {
  private readonly ch: GrpcChannel;

  constructor(private readonly opts: GrpcClientOptions) {
    this.ch = new GrpcChannel(SERVICE, 'control-grpc', opts, ADMIN_TIMEOUT_MS);
  }

  close(): void {
    this.ch.close();
  }

  private requireUser(what: string): void {
    const md = this.opts.metadata ?? {};
    if (this.opts.credential?.kind === 'service' && md['x-user-id'] && md['x-tenant-id']) return;
    requireCredential(this.opts.credential, 'jwt', what, this.opts.context);
  }

  async createDeveloperToken(input: CreateDeveloperTokenInput): Promise<DeveloperTokenCreated> {
    const body = buildDeveloperTokenBody(input);
    this.requireUser('Creating a developer token');
    const request: Msg = {
      token_name: body.token_name,
      permissions: body.permissions ?? [],
      ...(body.expires_at ? { expires_at: dateToTimestamp(new Date(body.expires_at)) } : {}),
    };
    const reply = await this.ch.call<Msg>({ path: '/commodore.DeveloperService/CreateAPIToken', request });
    if (typeof reply.token_value !== 'string' || !reply.token_value) throw badReply(SERVICE, 'no token_value in the create reply');
    registerSecret(reply.token_value);
    return withDates(SERVICE, plain<DeveloperTokenCreatedWire>(reply, ['expires_at', 'created_at']), ['expires_at', 'created_at'] as const);
  }

  async listDeveloperTokens(): Promise<DeveloperToken[]> {
    this.requireUser('Listing developer tokens');
    const out: Msg[] = [];
    let after: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const reply = await this.ch.call<{ tokens?: Msg[]; pagination?: { has_next_page?: boolean; end_cursor?: string } | null }>({
        path: '/commodore.DeveloperService/ListAPITokens',
        request: { pagination: { first: PAGE, ...(after ? { after } : {}) } },
      });
      out.push(...(reply.tokens ?? []));
      if (!reply.pagination?.has_next_page || !reply.pagination.end_cursor || reply.pagination.end_cursor === after) break;
      after = reply.pagination.end_cursor;
    }
    const times = ['last_used_at', 'expires_at', 'created_at'] as const;
    // The REST list sends explicit nulls for absent times (contract §8); keep that shape.
    return out.map((t) => withDates(SERVICE, withNulls(plain<DeveloperTokenWire>(t, times)), times));
  }

  async revokeDeveloperToken(id: string): Promise<DeveloperTokenRevoked> {
    if (!id?.trim()) throw usageError('Which token? Pass its id.', ['frameworks admin tokens list'], 'ID_REQUIRED');
    checkIdentifier(id, 'The token id');
    this.requireUser('Revoking a developer token');
    const reply = await this.ch.call<Msg>({ path: '/commodore.DeveloperService/RevokeAPIToken', request: { token_id: id }, listHint: 'frameworks admin tokens list' });
    return withDates(SERVICE, plain<DeveloperTokenRevokedWire>(reply, ['revoked_at']), ['revoked_at'] as const);
  }
}

function withNulls(t: DeveloperTokenWire): DeveloperTokenWire {
  return { ...t, last_used_at: t.last_used_at ?? null, expires_at: t.expires_at ?? null };
}
