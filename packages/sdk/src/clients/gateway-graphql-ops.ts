import { ExitCode, FrameworksError, usageError } from '../errors.js';
import { parseDuration, MAX_GO_DURATION_MS } from '../duration.js';
import { checkIdentifier } from '../input/server-text.js';
import { registerSecret } from '../redact.js';
import { requireCredential, withDates } from './rest-util.js';
import { GraphqlClient, errorMembers, badGraphql, unionValue, type GraphqlClientOptions } from './graphql.js';
import { buildDeveloperTokenBody, type CreateDeveloperTokenInput, type DeveloperToken, type DeveloperTokenCreated, type DeveloperTokenRevoked } from './commodore.js';
import { buildBootstrapTokenBody, type BootstrapToken, type BootstrapTokenWire, type CreateBootstrapTokenInput, type RevokeBootstrapTokenResult } from './quartermaster.js';
import { normaliseMode, type DrainStatus } from './foghorn.js';

const SERVICE = 'Gateway';
const DAY_MS = 86_400_000;
/** Page size of connection walks (ConnectionInput.first: default 50, max 500 — contract §4.6). */
const PAGE = 500;
/** A list longer than this many pages is a server looping on its cursor, not a real list. */
const MAX_PAGES = 200;
/** Name sent with createBootstrapToken (`name` is required there; the HEAD CLI's default). */
export const GATEWAY_BOOTSTRAP_TOKEN_NAME = 'Bootstrap Token';

const DEV_TOKEN_FIELDS = 'id tokenName permissions status lastUsedAt expiresAt createdAt';
/*
 * Bootstrap-token fields: the contract names the GraphQL operations (§4.3, §4.6) but not this type's
 * fields; these are the HEAD proto's fields (§3.2) in GraphQL's camelCase, as every other Bridge type.
 */
const BOOTSTRAP_TOKEN_FIELDS = 'id name token kind tenantId clusterId expectedIp usageLimit usageCount expiresAt usedAt createdAt';
/*
 * Union members: the contract lists them for developer tokens and setNodeMode; the bootstrap-token
 * mutations are assumed to follow the developer-token pattern (create: value | ValidationError |
 * AuthError; revoke: DeleteSuccess | NotFoundError | AuthError).
 */

interface GqlDeveloperToken {
  id: string;
  tokenName: string;
  tokenValue?: string | null;
  permissions?: string[] | null;
  status?: string | null;
  lastUsedAt?: string | null;
  expiresAt?: string | null;
  createdAt: string;
}

interface GqlBootstrapToken {
  id: string;
  name?: string | null;
  token: string;
  kind?: string | null;
  tenantId?: string | null;
  clusterId?: string | null;
  expectedIp?: string | null;
  usageLimit?: number | null;
  usageCount?: number | null;
  expiresAt: string;
  usedAt?: string | null;
  createdAt: string;
}

interface Connection<T> {
  nodes?: T[] | null;
  pageInfo?: { endCursor?: string | null; hasNextPage?: boolean | null } | null;
}

/** What createBootstrapToken can carry through the Gateway (contract §4.3: name, type, expiresIn days, usageLimit). */
export interface GatewayBootstrapTokenInput {
  name: string;
  type: 'EDGE_NODE' | 'SERVICE';
  expiresIn: number;
}

/**
 * Validates a bootstrap-token create for the Gateway path (exit 2, nothing sent). The GraphQL input
 * has no tenant, cluster, expected IP or metadata, and its lifetime is whole days; a request that
 * needs any of those must go to Quartermaster directly. ⚠ Contract §4.3/§4.6/§9.4: the resolver
 * forwards the enum name (`EDGE_NODE`) as `kind` and never a tenant, which Quartermaster rejects
 * unless the Gateway maps it; see `explainKindCasing` for how that failure is reported.
 */
export function buildGatewayBootstrapInput(input: CreateBootstrapTokenInput, directUrl: string): GatewayBootstrapTokenInput {
  const kind = input.kind ?? 'edge_node';
  if (kind !== 'edge_node' && kind !== 'service') buildBootstrapTokenBody(input); // its INVALID_KIND error
  const carried = [
    input.tenantId ? '--tenant-id' : '',
    input.clusterId ? '--cluster-id' : '',
    input.expectedIp ? '--expected-ip' : '',
    input.metadata && Object.keys(input.metadata).length ? '--metadata' : '',
  ].filter(Boolean);
  if (kind === 'edge_node' || carried.length) {
    const what = kind === 'edge_node' ? 'an edge_node token needs a tenant' : `${carried.join(', ')} cannot be sent`;
    throw new FrameworksError(
      `Through the Gateway ${what}: its createBootstrapToken takes only a name, a kind and a lifetime in days. This needs Quartermaster directly (${directUrl}).`,
      {
        code: 'GATEWAY_INPUT_UNSUPPORTED', exitCode: ExitCode.USAGE, name: 'UsageError',
        suggestions: ['frameworks context set-url quartermaster <url-this-machine-reaches>', 'frameworks admin bootstrap-tokens create --kind service --ttl 1d'],
      },
    );
  }
  const ms = parseDuration(input.ttl ?? '24h', { flag: '--ttl', max: MAX_GO_DURATION_MS });
  if (ms % DAY_MS !== 0) throw usageError(`--ttl ${input.ttl}: through the Gateway a token lives whole days (GraphQL expiresIn is in days).`, ['e.g. --ttl 1d or --ttl 7d'], 'GATEWAY_WHOLE_DAYS');
  return { name: GATEWAY_BOOTSTRAP_TOKEN_NAME, type: 'SERVICE', expiresIn: ms / DAY_MS };
}

/** createDeveloperToken's input (contract §4.5): permissions as a comma list, the lifetime in whole days. */
export function buildGatewayDeveloperTokenInput(input: CreateDeveloperTokenInput, now = new Date()): { name: string; permissions?: string; expiresIn?: number } {
  const body = buildDeveloperTokenBody(input, now);
  let expiresIn: number | undefined;
  if (body.expires_at) {
    const ms = Date.parse(body.expires_at) - now.getTime();
    if (Math.round(ms) % DAY_MS !== 0) throw usageError('--expires: through the Gateway a token lives whole days (GraphQL expiresIn is in days).', ['e.g. --expires 30d'], 'GATEWAY_WHOLE_DAYS');
    expiresIn = Math.round(ms / DAY_MS);
  }
  return { name: body.token_name, ...(body.permissions ? { permissions: body.permissions.join(',') } : {}), ...(expiresIn ? { expiresIn } : {}) };
}

/**
 * What the Gateway (Bridge) offers of the control plane over GraphQL (contract §4.5, §4.6, §5.2):
 * developer tokens (a user JWT), bootstrap tokens (the service token) and node modes (either).
 * Results are mapped onto the shapes the direct clients return, so a command prints the same.
 */
export class GatewayGraphqlClient {
  private readonly gql: GraphqlClient;

  constructor(private readonly opts: GraphqlClientOptions & { directQuartermasterUrl?: string }) {
    this.gql = new GraphqlClient(opts);
  }

  get url(): string {
    return this.gql.url;
  }

  // ---------------------------------------------------------------- developer tokens (JWT)

  async listDeveloperTokens(): Promise<DeveloperToken[]> {
    requireCredential(this.opts.credential, 'jwt', 'Listing developer tokens', this.opts.context);
    const query = `query DeveloperTokens($page: ConnectionInput) {
  developerTokensConnection(page: $page) { nodes { ${DEV_TOKEN_FIELDS} } pageInfo { endCursor hasNextPage } totalCount }
}`;
    const nodes = await this.walk<GqlDeveloperToken>('developerTokensConnection', query, {});
    return nodes.map((t) =>
      withDates(SERVICE, {
        id: t.id,
        token_name: t.tokenName,
        permissions: t.permissions ?? null,
        status: t.status ?? 'active',
        last_used_at: t.lastUsedAt ?? null,
        expires_at: t.expiresAt ?? null,
        created_at: t.createdAt,
      }, ['last_used_at', 'expires_at', 'created_at'] as const),
    );
  }

  async createDeveloperToken(input: CreateDeveloperTokenInput, now = new Date()): Promise<DeveloperTokenCreated> {
    const gqlInput = buildGatewayDeveloperTokenInput(input, now);
    requireCredential(this.opts.credential, 'jwt', 'Creating a developer token', this.opts.context);
    const query = `mutation CreateDeveloperToken($input: CreateDeveloperTokenInput!) {
  createDeveloperToken(input: $input) {
    __typename
    ... on DeveloperToken { id tokenName tokenValue permissions status expiresAt createdAt }${errorMembers('ValidationError', 'RateLimitError', 'AuthError')}
  }
}`;
    const variables = { input: gqlInput };
    const data = await this.gql.request('createDeveloperToken', query, variables);
    const t = unionValue<GqlDeveloperToken>(data.createDeveloperToken, 'DeveloperToken', 'createDeveloperToken', { context: this.opts.context });
    if (typeof t.tokenValue !== 'string' || !t.tokenValue) throw badGraphql('no tokenValue in the createDeveloperToken reply');
    registerSecret(t.tokenValue);
    return withDates(SERVICE, {
      id: t.id,
      token_value: t.tokenValue,
      token_name: t.tokenName,
      permissions: t.permissions ?? [],
      expires_at: t.expiresAt ?? null,
      created_at: t.createdAt,
    }, ['expires_at', 'created_at'] as const);
  }

  async revokeDeveloperToken(id: string): Promise<DeveloperTokenRevoked> {
    if (!id?.trim()) throw usageError('Which token? Pass its id.', ['frameworks admin tokens list'], 'ID_REQUIRED');
    checkIdentifier(id, 'The token id');
    // The union's DeleteSuccess carries no name: take it from the list, as the direct reply has it.
    const name = (await this.listDeveloperTokens().catch(() => [])).find((t) => t.id === id)?.token_name ?? '';
    const query = `mutation RevokeDeveloperToken($id: ID!) {
  revokeDeveloperToken(id: $id) { __typename${errorMembers('NotFoundError', 'AuthError')} }
}`;
    const data = await this.gql.request('revokeDeveloperToken', query, { id });
    unionValue(data.revokeDeveloperToken, 'DeleteSuccess', `Developer token ${id}`, { notFound: ['frameworks admin tokens list'], context: this.opts.context });
    const revokedAt = new Date().toISOString();
    return withDates(SERVICE, { message: 'API token revoked successfully', token_id: id, token_name: name, revoked_at: revokedAt }, ['revoked_at'] as const);
  }

  // ---------------------------------------------------------------- bootstrap tokens (service token)

  async listBootstrapTokens(): Promise<BootstrapToken[]> {
    requireCredential(this.opts.credential, 'service', 'Listing bootstrap tokens through the Gateway', this.opts.context);
    const query = `query BootstrapTokens($page: ConnectionInput) {
  bootstrapTokensConnection(page: $page) { nodes { ${BOOTSTRAP_TOKEN_FIELDS} } pageInfo { endCursor hasNextPage } totalCount }
}`;
    const nodes = await this.walk<GqlBootstrapToken>('bootstrapTokensConnection', query, {});
    return nodes.map((t) => bootstrapToken(t)).sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  async createBootstrapToken(input: CreateBootstrapTokenInput): Promise<BootstrapToken> {
    const gqlInput = buildGatewayBootstrapInput(input, this.opts.directQuartermasterUrl ?? 'the quartermaster endpoint');
    requireCredential(this.opts.credential, 'service', 'Creating a bootstrap token through the Gateway', this.opts.context);
    const query = `mutation CreateBootstrapToken($input: CreateBootstrapTokenInput!) {
  createBootstrapToken(input: $input) {
    __typename
    ... on BootstrapToken { ${BOOTSTRAP_TOKEN_FIELDS} }${errorMembers('ValidationError', 'AuthError')}
  }
}`;
    let data: Record<string, unknown>;
    try {
      data = await this.gql.request('createBootstrapToken', query, { input: gqlInput });
    } catch (err) {
      throw explainKindCasing(err, this.opts.directQuartermasterUrl);
    }
    const t = unionValue<GqlBootstrapToken>(data.createBootstrapToken, 'BootstrapToken', 'createBootstrapToken', { context: this.opts.context });
    if (typeof t.token !== 'string' || !t.token) throw badGraphql('no token in the createBootstrapToken reply');
    registerSecret(t.token);
    return bootstrapToken(t);
  }

  async revokeBootstrapToken(id: string): Promise<RevokeBootstrapTokenResult> {
    checkIdentifier(id, 'The token id');
    requireCredential(this.opts.credential, 'service', 'Revoking a bootstrap token through the Gateway', this.opts.context);
    const query = `mutation RevokeBootstrapToken($id: ID!) {
  revokeBootstrapToken(id: $id) { __typename${errorMembers('NotFoundError', 'AuthError')} }
}`;
    const data = await this.gql.request('revokeBootstrapToken', query, { id });
    unionValue(data.revokeBootstrapToken, 'DeleteSuccess', `Bootstrap token ${id}`, { notFound: ['List tokens with: frameworks admin bootstrap-tokens list'], context: this.opts.context });
    return { id, message: 'revoked' };
  }

  // ---------------------------------------------------------------- node modes (JWT or service token)

  /**
   * `setNodeMode` (contract §5.2). The reply has the node's effective mode and its viewers
   * (routingImpactPreview), mapped onto Foghorn's drain-status shape. The mode before the change is
   * not in the reply, and no Gateway field reads a node's drain status.
   */
  async setMode(nodeId: string, mode: string, reason = 'frameworks-cli'): Promise<DrainStatus> {
    if (!nodeId?.trim()) throw usageError('A node id is required.', ['frameworks admin nodes list'], 'NODE_ID_REQUIRED');
    checkIdentifier(nodeId, 'The node id');
    const wanted = normaliseMode(mode);
    requireCredential(this.opts.credential, 'any', 'Setting a node mode through the Gateway', this.opts.context);
    const query = `mutation SetNodeMode($input: SetNodeModeInput!) {
  setNodeMode(input: $input) {
    __typename
    ... on InfrastructureNode { effectiveMode routingImpactPreview { activeStreams activeViewers } }${errorMembers('ValidationError', 'NotFoundError', 'AuthError')}
  }
}`;
    const data = await this.gql.request('setNodeMode', query, { input: { nodeId, mode: wanted.toUpperCase(), reason } });
    const node = unionValue<{ effectiveMode?: string | null; routingImpactPreview?: { activeViewers?: number | null } | null }>(
      data.setNodeMode, 'InfrastructureNode', `Node ${nodeId}`, { notFound: ['Check the node id: frameworks admin nodes list'], context: this.opts.context },
    );
    return {
      node_id: nodeId,
      operational_mode: (node.effectiveMode ?? wanted).toLowerCase(),
      active_viewers: node.routingImpactPreview?.activeViewers ?? 0,
    };
  }

  /** Every page of a connection (`first` 500, following `endCursor` while `hasNextPage`). */
  private async walk<T>(field: string, query: string, variables: Record<string, unknown>): Promise<T[]> {
    const out: T[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const data = await this.gql.request(field, query, { ...variables, page: { first: PAGE, ...(after ? { after } : {}) } });
      const conn = data[field] as Connection<T> | null | undefined;
      if (!conn || typeof conn !== 'object') throw badGraphql(`no ${field} in the reply`);
      out.push(...(conn.nodes ?? []));
      const next = conn.pageInfo?.hasNextPage ? conn.pageInfo.endCursor : undefined;
      if (!next || next === after) return out;
      after = next;
    }
    throw badGraphql(`${field} did not end after ${MAX_PAGES} pages`);
  }
}

function bootstrapToken(t: GqlBootstrapToken): BootstrapToken {
  const wire: BootstrapTokenWire = {
    id: t.id,
    token: t.token,
    // The GraphQL enum (EDGE_NODE) in the lower case Quartermaster and the direct client use.
    kind: (t.kind ?? '').toLowerCase(),
    ...(t.tenantId ? { tenant_id: t.tenantId } : {}),
    ...(t.clusterId ? { cluster_id: t.clusterId } : {}),
    ...(t.expectedIp ? { expected_ip: t.expectedIp } : {}),
    expires_at: t.expiresAt,
    ...(t.usedAt ? { used_at: t.usedAt } : {}),
    created_at: t.createdAt,
  };
  registerSecret(wire.token);
  return withDates(SERVICE, wire, ['expires_at', 'used_at', 'created_at'] as const);
}

/**
 * The Gateway bug the contract records (§9.4): its resolver passes `SERVICE`/`EDGE_NODE` through
 * as Quartermaster's `kind`, which answers `invalid kind`. Say so, and name the direct path.
 */
function explainKindCasing(err: unknown, directUrl?: string): unknown {
  if (!(err instanceof FrameworksError) || !/invalid kind/i.test(err.message)) return err;
  return new FrameworksError(
    'The Gateway could not create the bootstrap token (Quartermaster answered "invalid kind"): a known Gateway fault, it forwards the GraphQL enum '
      + `(SERVICE, EDGE_NODE) where Quartermaster expects lower case. Create it on Quartermaster directly${directUrl ? ` (${directUrl})` : ''}.`,
    { code: 'GATEWAY_KIND_CASING', exitCode: ExitCode.FAILED, name: 'GraphqlError', cause: err, suggestions: ['frameworks context set-url quartermaster <url-this-machine-reaches>'] },
  );
}
