/**
 * Today's Gateway (Bridge) for the test control plane: its GraphQL API for developer tokens,
 * bootstrap tokens and node modes (contract §4.5, §4.6, §5.2: unions, connections, the service
 * token for bootstrap tokens, a user JWT for developer tokens, `{"errors":[…]}` for transport
 * failures) and, in `head` login mode, the device-code flow and token validation of §4.4.
 * Data is shared with the stand-in Quartermaster, Commodore and Foghorn of control-plane.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ControlPlane, JwtClaims, Reply, StoredDeveloperToken } from './control-plane.js';
import { GraphqlError, parse, project, resolveArgs, validate, type Field, type Schema } from './mini-graphql.ts';

export interface DeviceFlowScript {
  /** Who approves (must be a user of the control plane). */
  email: string;
  /** Polls answered `authorization_pending` before the outcome. */
  pending?: number;
  /** Polls answered 429 `slow_down` first (before the pending ones). */
  slowDown?: number;
  outcome?: 'approve' | 'deny' | 'expire';
  /** `interval` of the start reply, seconds (contract default 5; tests use 1). */
  interval?: number;
  expiresIn?: number;
}

export interface BridgeControls {
  /** The next device-code flow (start → polls). */
  deviceFlow(script: DeviceFlowScript): void;
  /** The next n GraphQL mutations answer RateLimitError where the union has it. */
  rateLimitNext(n: number): void;
  /**
   * The contract's ⚠ (§4.3, §9.4): createBootstrapToken forwards the enum name (`SERVICE`) as kind
   * and Quartermaster refuses it. Off by default: the stand-in maps the enum to lower case.
   */
  setKindCasingBug(on: boolean): void;
  /** Device polls seen so far. */
  readonly devicePolls: number;
}

/** Bridge's schema, field for field where the contract names fields (§4.5, §4.6, §5.2). */
export const BRIDGE_SCHEMA: Schema = {
  objects: {
    Query: { developerTokensConnection: 'DeveloperTokenConnection!', bootstrapTokensConnection: 'BootstrapTokenConnection!' },
    Mutation: {
      createDeveloperToken: 'CreateDeveloperTokenResult!',
      revokeDeveloperToken: 'RevokeDeveloperTokenResult!',
      createBootstrapToken: 'CreateBootstrapTokenResult!',
      revokeBootstrapToken: 'RevokeBootstrapTokenResult!',
      setNodeMode: 'SetNodeModeResult!',
    },
    PageInfo: { startCursor: 'String', endCursor: 'String', hasNextPage: 'Boolean!', hasPreviousPage: 'Boolean!' },
    DeveloperTokenConnection: { edges: '[DeveloperTokenEdge!]!', nodes: '[DeveloperToken!]!', pageInfo: 'PageInfo!', totalCount: 'Int!' },
    DeveloperTokenEdge: { cursor: 'String!', node: 'DeveloperToken!' },
    BootstrapTokenConnection: { edges: '[BootstrapTokenEdge!]!', nodes: '[BootstrapToken!]!', pageInfo: 'PageInfo!', totalCount: 'Int!' },
    BootstrapTokenEdge: { cursor: 'String!', node: 'BootstrapToken!' },
    DeveloperToken: {
      id: 'ID!', tokenName: 'String!', tokenValue: 'String', permissions: '[String!]!', status: 'String!',
      lastUsedAt: 'Time', expiresAt: 'Time', createdAt: 'Time!',
    },
    BootstrapToken: {
      id: 'ID!', name: 'String!', token: 'String!', kind: 'BootstrapTokenType!', tenantId: 'String', clusterId: 'String', expectedIp: 'String',
      usageLimit: 'Int', usageCount: 'Int!', expiresAt: 'Time!', usedAt: 'Time', createdAt: 'Time!',
    },
    InfrastructureNode: {
      id: 'ID!', nodeId: 'String!', nodeName: 'String!', clusterId: 'String!', nodeType: 'String!', status: 'String!',
      effectiveMode: 'NodeOperationalMode!', routingImpactPreview: 'RoutingImpactPreview',
    },
    RoutingImpactPreview: { activeStreams: 'Int!', activeViewers: 'Int!' },
    ValidationError: { message: 'String!', field: 'String', code: 'String' },
    AuthError: { message: 'String!', code: 'String' },
    NotFoundError: { message: 'String!', code: 'String', resourceType: 'String', resourceId: 'String' },
    RateLimitError: { message: 'String!', retryAfter: 'Int' },
    DeleteSuccess: { success: 'Boolean!', deletedId: 'ID' },
  },
  unions: {
    CreateDeveloperTokenResult: ['DeveloperToken', 'ValidationError', 'RateLimitError', 'AuthError'],
    RevokeDeveloperTokenResult: ['DeleteSuccess', 'NotFoundError', 'AuthError'],
    CreateBootstrapTokenResult: ['BootstrapToken', 'ValidationError', 'AuthError'],
    RevokeBootstrapTokenResult: ['DeleteSuccess', 'NotFoundError', 'AuthError'],
    SetNodeModeResult: ['InfrastructureNode', 'ValidationError', 'NotFoundError', 'AuthError'],
  },
  enums: { NodeOperationalMode: ['NORMAL', 'DRAINING', 'MAINTENANCE'], BootstrapTokenType: ['EDGE_NODE', 'SERVICE'] },
};

type Caller = { kind: 'jwt' | 'service' | 'api_token'; claims: JwtClaims } | undefined;

/** Errors that stop a query field (gqlgen puts them in `errors[]`, data null). */
class FieldError extends Error {
  readonly code?: string;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

export interface BridgeInternals {
  foghornNode(nodeId: string): { mode: string; viewers: number } | undefined;
  setFoghornMode(nodeId: string, mode: string): { mode: string; viewers: number };
}

export function installBridge(cp: ControlPlane, internals: BridgeInternals): BridgeControls {
  let device: DeviceFlowScript | undefined;
  let deviceCode: string | undefined;
  let polls = 0;
  let rateLimited = 0;
  let kindCasingBug = false;
  const bootstrapTokens = cp.bootstrapTokens as Array<Record<string, unknown>>;
  const developerTokens = cp.developerTokens as StoredDeveloperToken[];

  const caller = (headers: IncomingHttpHeaders): Caller | 'invalid' => {
    const header = headers.authorization;
    if (!header) return undefined;
    const m = /^Bearer (\S+)$/.exec(header);
    if (!m) return 'invalid';
    const auth = cp.authenticate({ headers });
    if (auth.ok) return { kind: auth.kind, claims: auth.claims };
    const api = developerTokens.find((t) => t.active && t.token_value === m[1]);
    if (api) return { kind: 'api_token', claims: { user_id: api.user_id } };
    return 'invalid';
  };

  const now = () => new Date().toISOString();
  const connection = <T extends { id: string }>(items: T[], page: { first?: number; after?: string } | undefined) => {
    const first = page?.first ?? 50;
    if (first < 0 || first > 500) throw new FieldError('page.first must be between 0 and 500');
    const start = page?.after ? Number(Buffer.from(page.after, 'base64').toString().replace(/^i:/, '')) + 1 : 0;
    const slice = items.slice(start, start + first);
    const cursor = (i: number) => Buffer.from(`i:${start + i}`).toString('base64');
    return {
      edges: slice.map((node, i) => ({ cursor: cursor(i), node })),
      nodes: slice,
      pageInfo: {
        startCursor: slice.length ? cursor(0) : null,
        endCursor: slice.length ? cursor(slice.length - 1) : null,
        hasNextPage: start + first < items.length,
        hasPreviousPage: start > 0,
      },
      totalCount: items.length,
    };
  };
  const devToken = (t: StoredDeveloperToken) => ({
    id: t.id, tokenName: t.token_name, tokenValue: null, permissions: t.permissions,
    status: !t.active ? 'revoked' : t.expires_at && Date.parse(t.expires_at) <= Date.now() ? 'expired' : 'active',
    lastUsedAt: null, expiresAt: t.expires_at, createdAt: t.created_at,
  });
  const bootToken = (t: Record<string, unknown>, full: boolean) => ({
    id: String(t.id), name: t.name ?? '', token: full ? t.token : `${String(t.token).slice(0, 12)}...`, kind: String(t.kind).toUpperCase(),
    tenantId: t.tenant_id ?? null, clusterId: t.cluster_id ?? null, expectedIp: t.expected_ip ?? null,
    usageLimit: t.usage_limit ?? null, usageCount: t.usage_count ?? 0, expiresAt: t.expires_at, usedAt: t.used_at ?? null, createdAt: t.created_at,
  });
  const authError = (message: string) => ({ __typename: 'AuthError', message, code: 'UNAUTHENTICATED' });
  const validation = (message: string, field: string) => ({ __typename: 'ValidationError', message, field, code: 'INVALID_INPUT' });
  const notFound = (message: string, type: string, id: string) => ({ __typename: 'NotFoundError', message, code: 'NOT_FOUND', resourceType: type, resourceId: id });

  const resolvers: Record<string, (args: Record<string, unknown>, who: Caller) => unknown> = {
    developerTokensConnection(args, who) {
      if (!who || who.kind === 'service') throw new FieldError('authentication required: user JWT', 'UNAUTHENTICATED');
      const mine = developerTokens.filter((t) => t.user_id === String(who.claims.user_id ?? '')).map(devToken);
      return connection(mine, args.page as never);
    },
    bootstrapTokensConnection(args, who) {
      if (who?.kind !== 'service') throw new FieldError('unauthorized: service token required', 'UNAUTHENTICATED');
      const kind = typeof args.kind === 'string' ? args.kind.toLowerCase() : undefined;
      return connection(bootstrapTokens.filter((t) => !kind || t.kind === kind).map((t) => bootToken(t, false)), args.page as never);
    },
    createDeveloperToken(args, who) {
      if (!who || who.kind === 'service') return authError('user authentication required');
      if (rateLimited > 0) {
        rateLimited--;
        return { __typename: 'RateLimitError', message: 'rate limit exceeded', retryAfter: 30 };
      }
      const input = (args.input ?? {}) as { name?: string; permissions?: string; expiresIn?: number };
      if (!input.name?.trim()) return validation('name is required', 'name');
      if (input.expiresIn !== undefined && input.expiresIn !== null && (input.expiresIn < 1 || input.expiresIn > 3650)) {
        return validation('expiresIn must be between 1 and 3650 days', 'expiresIn');
      }
      const token: StoredDeveloperToken = {
        id: randomUUID(), user_id: String(who.claims.user_id ?? ''), token_value: `fw_${randomBytes(32).toString('hex')}`, token_name: input.name,
        permissions: input.permissions ? input.permissions.split(',').map((p) => p.trim()).filter(Boolean) : ['read'],
        // HEAD: no expiry unless one is asked for (contract §4.5).
        expires_at: input.expiresIn ? new Date(Date.now() + input.expiresIn * 86_400_000).toISOString() : null,
        created_at: now(), active: true,
      };
      developerTokens.push(token);
      return { __typename: 'DeveloperToken', ...devToken(token), tokenValue: token.token_value };
    },
    revokeDeveloperToken(args, who) {
      if (!who || who.kind === 'service') return authError('user authentication required');
      const t = developerTokens.find((x) => x.id === args.id && x.active && x.user_id === String(who.claims.user_id ?? ''));
      if (!t) return notFound('API token not found or already revoked', 'DeveloperToken', String(args.id));
      t.active = false;
      return { __typename: 'DeleteSuccess', success: true, deletedId: t.id };
    },
    createBootstrapToken(args, who) {
      if (who?.kind !== 'service') return authError('service token required');
      const input = (args.input ?? {}) as { name?: string; type?: string; expiresIn?: number; usageLimit?: number };
      if (!input.name?.trim()) return validation('name is required', 'name');
      if (input.type !== 'EDGE_NODE' && input.type !== 'SERVICE') return validation('type must be EDGE_NODE or SERVICE', 'type');
      // What Quartermaster then receives: the enum as kind (the bug) or lower case; never a tenant.
      const kind = kindCasingBug ? input.type : input.type.toLowerCase();
      if (kind !== 'edge_node' && kind !== 'service') throw new FieldError('failed to create bootstrap token: invalid kind');
      if (kind === 'edge_node') throw new FieldError('failed to create bootstrap token: tenant_id required for edge_node');
      const days = input.expiresIn ?? 1;
      const token = {
        id: randomUUID(), name: input.name, token: `bt_${randomBytes(32).toString('hex')}`, kind,
        ...(input.usageLimit ? { usage_limit: input.usageLimit } : {}), usage_count: 0,
        expires_at: new Date(Date.now() + days * 86_400_000).toISOString(), created_at: now(),
      };
      bootstrapTokens.unshift(token);
      return { __typename: 'BootstrapToken', ...bootToken(token, true) };
    },
    revokeBootstrapToken(args, who) {
      if (who?.kind !== 'service') return authError('service token required');
      const i = bootstrapTokens.findIndex((t) => t.id === args.id);
      if (i < 0) return notFound('token not found', 'BootstrapToken', String(args.id));
      bootstrapTokens.splice(i, 1);
      return { __typename: 'DeleteSuccess', success: true, deletedId: String(args.id) };
    },
    setNodeMode(args, who) {
      if (!who) return authError('authentication required');
      const input = (args.input ?? {}) as { nodeId?: string; mode?: string; reason?: string };
      if (!input.nodeId?.trim()) return validation('nodeId is required', 'nodeId');
      // Foghorn's gRPC path: service token any node; a JWT only nodes of a provider tenant here.
      if (who.kind !== 'service' && !cp.isProviderTenant(String(who.claims.tenant_id ?? ''))) return authError('node is not owned by this tenant');
      const state = internals.foghornNode(input.nodeId);
      if (!state) return notFound('node not found', 'InfrastructureNode', input.nodeId);
      const next = internals.setFoghornMode(input.nodeId, String(input.mode).toLowerCase());
      return {
        __typename: 'InfrastructureNode', id: input.nodeId, nodeId: input.nodeId, nodeName: input.nodeId, clusterId: '', nodeType: 'edge', status: 'active',
        effectiveMode: next.mode.toUpperCase(), routingImpactPreview: { activeStreams: next.viewers > 0 ? 1 : 0, activeViewers: next.viewers },
      };
    },
  };

  const graphql = (headers: IncomingHttpHeaders, raw: string): Reply => {
    const who = caller(headers);
    if (who === 'invalid') return { status: 401, json: { error: 'invalid token' } };
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return { status: 400, json: { errors: [{ message: 'json request body could not be decoded' }], data: null } };
    }
    if (typeof body.query !== 'string') return { status: 422, json: { errors: [{ message: 'no operation provided' }], data: null } };
    const variables = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<string, unknown>;
    let op;
    try {
      const ops = parse(body.query);
      op = ops.find((o) => !body.operationName || o.name === body.operationName) ?? ops[0];
    } catch (err) {
      const e = err as GraphqlError;
      return { status: 422, json: { errors: [gqlError(e.message, e.line, e.column, 'GRAPHQL_PARSE_FAILED')], data: null } };
    }
    const root = op.kind === 'mutation' ? 'Mutation' : 'Query';
    const errors: GraphqlError[] = [];
    validate(BRIDGE_SCHEMA, root, op.selections, errors);
    for (const v of op.variables) {
      if (v.required && (variables[v.name] === undefined || variables[v.name] === null)) errors.push(new GraphqlError(`must be defined`));
    }
    if (errors.length) return { status: 422, json: { errors: errors.map((e) => gqlError(e.message, e.line, e.column, 'GRAPHQL_VALIDATION_FAILED')), data: null } };
    const data: Record<string, unknown> = {};
    const fieldErrors: unknown[] = [];
    for (const sel of op.selections as Field[]) {
      const key = sel.alias ?? sel.name;
      if (sel.name === '__typename') {
        data[key] = root;
        continue;
      }
      try {
        const args = resolveArgs(sel.args, variables);
        const input = args.input as { mode?: unknown } | undefined;
        if (sel.name === 'setNodeMode' && input && !BRIDGE_SCHEMA.enums.NodeOperationalMode.includes(String(input.mode))) {
          throw new FieldError(`Value "${String(input.mode)}" does not exist in "NodeOperationalMode" enum.`);
        }
        const value = resolvers[sel.name](args, who);
        data[key] = project(BRIDGE_SCHEMA, baseOf(BRIDGE_SCHEMA.objects[root][sel.name]), value, sel.selections ?? []);
      } catch (err) {
        if (!(err instanceof FieldError)) throw err;
        fieldErrors.push({ message: err.message, path: [key], ...(err.code ? { extensions: { code: err.code } } : {}) });
        data[key] = null;
      }
    }
    // A non-null root field that failed nulls the whole data (GraphQL's null propagation).
    return { status: 200, json: fieldErrors.length ? { errors: fieldErrors, data: null } : { data } };
  };

  for (const path of ['/graphql', '/graphql/']) cp.route('gateway', 'POST', path, (ctx) => graphql(ctx.req.headers, ctx.body));

  if (cp.loginMode === 'head') {
    for (const slash of ['', '/']) {
      cp.route('gateway', 'POST', `/auth/device/start${slash}`, (ctx) => {
        const body = JSON.parse(ctx.body || '{}') as { client_id?: string; scope?: string };
        if (body.client_id !== 'cli' || body.scope !== 'account') return { status: 400, json: { error: 'invalid client or scope' } };
        if (!device) return { status: 500, json: { error: 'device authorization failed' } };
        deviceCode = randomBytes(16).toString('hex');
        polls = 0;
        const userCode = `${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}`.toUpperCase();
        const uri = `${cp.urls.gateway}/device`;
        return {
          status: 200,
          json: {
            device_code: deviceCode, user_code: userCode, verification_uri: uri, verification_uri_complete: `${uri}?user_code=${userCode}`,
            expires_in: device.expiresIn ?? 600, interval: device.interval ?? 1,
          },
        };
      });
      cp.route('gateway', 'POST', `/auth/device/poll${slash}`, (ctx) => {
        const body = JSON.parse(ctx.body || '{}') as { device_code?: string; client_id?: string };
        if (!device || !deviceCode || body.device_code !== deviceCode || body.client_id !== 'cli') {
          return { status: 400, json: { error: 'invalid_grant', error_code: 'INVALID_GRANT' } };
        }
        polls++;
        const slow = device.slowDown ?? 0;
        if (polls <= slow) return { status: 429, json: { error: 'slow_down', error_code: 'SLOW_DOWN' } };
        if (polls <= slow + (device.pending ?? 0)) return { status: 400, json: { error: 'authorization_pending', error_code: 'AUTHORIZATION_PENDING' } };
        if (device.outcome === 'deny') return { status: 403, json: { error: 'access_denied', error_code: 'ACCESS_DENIED' } };
        if (device.outcome === 'expire') return { status: 410, json: { error: 'expired_token', error_code: 'EXPIRED_TOKEN' } };
        const user = cp.findUser(device.email);
        if (!user) return { status: 403, json: { error: 'access_denied', error_code: 'ACCESS_DENIED' } };
        const token = cp.signJwt({ user_id: user.id, tenant_id: user.tenant_id, email: user.email, role: user.role, roles: [user.role] });
        deviceCode = undefined;
        return {
          status: 200,
          json: {
            access_token: token, refresh_token: `rt_${randomBytes(32).toString('hex')}`, token_type: 'Bearer',
            expires_at: new Date(Date.now() + cp.jwtTtlSeconds * 1000).toISOString(),
            user: { id: user.id, tenant_id: user.tenant_id, email: user.email, role: user.role },
          },
        };
      });
      cp.route('gateway', 'GET', `/auth/token/validate${slash}`, (ctx) => {
        const who = caller(ctx.req.headers);
        if (!who || who === 'invalid') return { status: 401, json: { error: 'invalid token' } };
        return { status: 200, json: { valid: true, auth_type: who.kind, user_id: who.claims.user_id ?? '', tenant_id: who.claims.tenant_id ?? '' } };
      });
    }
  }

  return {
    deviceFlow: (script) => {
      device = script;
      polls = 0;
    },
    rateLimitNext: (n) => {
      rateLimited = n;
    },
    setKindCasingBug: (on) => {
      kindCasingBug = on;
    },
    get devicePolls() {
      return polls;
    },
  };
}

const baseOf = (ref: string) => ref.replace(/[[\]!]/g, '');

function gqlError(message: string, line: number | undefined, column: number | undefined, code: string): Record<string, unknown> {
  return { message, ...(line ? { locations: [{ line, column }] } : {}), extensions: { code } };
}
