/**
 * The SDK's control-plane REST clients (Quartermaster §3.1, Commodore developer tokens §4.2,
 * Foghorn drain §5.2) against the in-repo contract server over real HTTP.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CommodoreClient,
  ExitCode,
  FoghornClient,
  QuartermasterClient,
  isFrameworksError,
  type ChosenCredential,
  type FrameworksError,
  type RestClientOptions,
} from '@frameworks/sdk';
import { AUTH_ERRORS, startControlPlane, type ControlPlane } from '../support/control-plane.js';

const TENANT = '5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10';
const PROVIDER_TENANT = '11111111-2222-4333-8444-555555555555';
const DEAD = 'http://127.0.0.1:9'; // discard port: nothing listens

let cp: ControlPlane;

const bearer = (kind: ChosenCredential['kind'], token: string): ChosenCredential => ({ kind, token, source: 'credentials', header: `Bearer ${token}` });
const service = () => bearer('service', cp.serviceToken);
const userJwt = (tenant = TENANT, user = 'a1b2c3d4-0000-4000-8000-000000000001') =>
  bearer('jwt', cp.signJwt({ user_id: user, tenant_id: tenant, email: 'ops@example.com', role: 'owner' }));
const qm = (credential?: ChosenCredential, extra: Partial<RestClientOptions> = {}) =>
  new QuartermasterClient({ baseUrl: cp.urls.quartermaster, context: 'test', credential, timeoutMs: 3000, ...extra });

async function failure(p: Promise<unknown>): Promise<FrameworksError> {
  try {
    await p;
  } catch (err) {
    if (isFrameworksError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  cp = await startControlPlane({ drainViewersPerSecond: 40 });
  cp.addProviderTenant(PROVIDER_TENANT);
});
afterAll(() => cp.close());
afterEach(() => {
  cp.reset();
  cp.clearData();
});

describe('QuartermasterClient: bootstrap tokens', () => {
  it('creates (201), lists and revokes; ttl 30d is sent as 720h; times parsed', async () => {
    const client = qm(service());
    const created = await client.createBootstrapToken({ kind: 'edge_node', tenantId: TENANT, clusterId: 'central-1', ttl: '30d', metadata: { site: 'ams' } });
    const posts = cp.requestsTo('quartermaster', '/admin/bootstrap-tokens').filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0].body)).toEqual({ kind: 'edge_node', tenant_id: TENANT, cluster_id: 'central-1', metadata: { site: 'ams' }, ttl: '720h' });
    expect(posts[0].headers.authorization).toBe(`Bearer ${cp.serviceToken}`);
    expect(created.token).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(created).toMatchObject({ kind: 'edge_node', tenant_id: TENANT, cluster_id: 'central-1', metadata: { site: 'ams' } });
    expect(created.expected_ip).toBeUndefined();
    const days = (created.dates.expires_at!.getTime() - created.dates.created_at!.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(30, 3);
    // Wire strings stay as sent; the parsed companions are not serialised.
    expect(typeof created.expires_at).toBe('string');
    expect(JSON.parse(JSON.stringify(created))).not.toHaveProperty('dates');

    const second = await client.createBootstrapToken({ kind: 'service', expectedIp: '2001:db8::1' });
    expect(JSON.parse(cp.requestsTo('quartermaster', '/admin/bootstrap-tokens').at(-1)!.body)).toEqual({ kind: 'service', expected_ip: '2001:db8::1', ttl: '24h' });
    const list = await client.listBootstrapTokens();
    expect(list.map((t) => t.id)).toEqual([second.id, created.id]); // newest first
    expect(list[1].dates.created_at).toBeInstanceOf(Date);

    const revoked = await client.revokeBootstrapToken(created.id);
    expect(revoked).toEqual({ id: created.id, message: 'revoked' }); // the server says success:false; not keyed on
    expect((await client.listBootstrapTokens()).map((t) => t.id)).toEqual([second.id]);
  });

  it('empty list → []', async () => {
    expect(await qm(service()).listBootstrapTokens()).toEqual([]);
  });

  it('revoke of an unknown id → NOT_FOUND; a non-uuid id is refused before any request', async () => {
    const e = await failure(qm(service()).revokeBootstrapToken('0c7f5f8e-7d7a-4b1a-8f3e-3f2f6b2a1c11'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.exitCode).toBe(ExitCode.FAILED);
    expect(e.message).toContain('0c7f5f8e-7d7a-4b1a-8f3e-3f2f6b2a1c11');
    expect(cp.requestsTo('quartermaster')).toHaveLength(1); // a 404 is not retried
    const bad = await failure(qm(service()).revokeBootstrapToken('nope'));
    expect(bad.exitCode).toBe(ExitCode.USAGE);
    expect(cp.requestsTo('quartermaster')).toHaveLength(1);
  });

  it('provider rule: provider JWT allowed; non-provider JWT → 403 exit 5 with the server text', async () => {
    const ok = await qm(userJwt(PROVIDER_TENANT)).createBootstrapToken({ tenantId: TENANT });
    expect(ok.kind).toBe('edge_node');
    const e = await failure(qm(userJwt()).listBootstrapTokens());
    expect(e.exitCode).toBe(ExitCode.FORBIDDEN);
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toContain('forbidden');
    expect(e.suggestions.join(' ')).toMatch(/service-token/);
  });

  it('401 without a token or with an invalid one → exit 3 with the server text and a login hint', async () => {
    const none = await failure(qm(undefined).listBootstrapTokens());
    expect(none.exitCode).toBe(ExitCode.NOT_AUTHENTICATED);
    expect(none.message).toContain(AUTH_ERRORS.missing);
    expect(none.suggestions[0]).toContain('frameworks login --context test');
    const bad = await failure(qm(bearer('jwt', 'not-a-jwt')).createBootstrapToken({ kind: 'service' }));
    expect(bad.exitCode).toBe(ExitCode.NOT_AUTHENTICATED);
    expect(bad.message).toContain(AUTH_ERRORS.invalid);
  });

  it.each([
    [{ ttl: '3 weeks' }, 'INVALID_DURATION'],
    [{ ttl: '0h' }, 'INVALID_DURATION'],
    [{ tenantId: undefined }, 'TENANT_REQUIRED'],
    [{ tenantId: 'acme' }, 'INVALID_TENANT_ID'],
    [{ expectedIp: '10.0.0.300' }, 'INVALID_IP'],
    [{ kind: 'EDGE_NODE' }, 'INVALID_KIND'],
  ])('rejects %j before any request (%s)', async (input, code) => {
    const e = await failure(qm(service()).createBootstrapToken({ tenantId: TENANT, ...(input as object) }));
    expect(e.exitCode).toBe(ExitCode.USAGE);
    expect(e.code).toBe(code);
    expect(cp.requestsTo('quartermaster')).toHaveLength(0);
  });
});

describe('QuartermasterClient: services, nodes, clusters', () => {
  it('null lists → []', async () => {
    const client = qm(service());
    expect(await client.servicesHealth()).toEqual([]);
    expect(await client.servicesHealth({ serviceId: 'nope' })).toEqual([]);
    expect(await client.listNodes()).toEqual([]);
    expect(await client.listClusters()).toEqual([]);
    expect(await client.discover({ type: 'unknown' })).toEqual([]);
    // The server really sent null (not []) where the contract says so.
    const raw = await fetch(`${cp.urls.quartermaster}/nodes`, { headers: { authorization: `Bearer ${cp.serviceToken}` } });
    expect(await raw.json()).toEqual({ nodes: null, count: 0, filters: { cluster_id: '', node_type: '', region: '' } });
  });

  it('services health: fresh running rows only, per service id, fields parsed', async () => {
    cp.addCluster({ cluster_id: 'central-1' });
    cp.addServiceInstance({ service_id: 'quartermaster', cluster_id: 'central-1', host: '10.0.0.5', port: 18002 });
    cp.addServiceInstance({ service_id: 'decklog', cluster_id: 'central-1', protocol: 'grpc', port: 18006, health_status: 'unhealthy' });
    cp.addServiceInstance({ service_id: 'decklog', cluster_id: 'central-1', last_health_check_age_s: 600 }); // stale
    cp.addServiceInstance({ service_id: 'decklog', cluster_id: 'central-1', status: 'stopped' });
    const client = qm(service());
    const all = await client.servicesHealth();
    expect(all).toHaveLength(2);
    const q = all.find((i) => i.service_id === 'quartermaster')!;
    expect(q).toMatchObject({ cluster_id: 'central-1', protocol: 'http', host: '10.0.0.5', port: 18002, health_endpoint: '/health', status: 'healthy' });
    expect(Date.now() - q.dates.last_health_check!.getTime()).toBeLessThan(60_000);
    const decklog = await client.servicesHealth({ serviceId: 'decklog' });
    expect(decklog).toHaveLength(1);
    expect(decklog[0]).toMatchObject({ protocol: 'grpc', status: 'unhealthy' });
    expect(cp.requestsTo('quartermaster', '/services/decklog/health')).toHaveLength(1);
  });

  it('discovery: type and cluster_id sent as query; stopped instances included; type required', async () => {
    cp.addServiceInstance({ service_id: 'foghorn', cluster_id: 'central-1', port: 18008, version: 'v0.1.0' });
    cp.addServiceInstance({ service_id: 'foghorn', cluster_id: 'edge-2', status: 'stopped' });
    const client = qm(service());
    const found = await client.discover({ type: 'foghorn', clusterId: 'central-1' });
    expect(cp.requestsTo('quartermaster', '/service-discovery')[0].query).toBe('?type=foghorn&cluster_id=central-1');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ service_id: 'foghorn', port: 18008, version: 'v0.1.0', status: 'running', health_status: 'healthy' });
    expect(found[0].dates.created_at).toBeInstanceOf(Date);
    expect((await client.discover({ type: 'foghorn' })).map((i) => i.status).sort()).toEqual(['running', 'stopped']);
    expect((await failure(client.discover({ type: '' }))).exitCode).toBe(ExitCode.USAGE);
  });

  it('nodes: filters echoed, getNode via list + filter, unknown → NOT_FOUND', async () => {
    cp.addNode({ node_id: 'edge-ams-1', cluster_id: 'central-1', region: 'eu', external_ip: '203.0.113.7' });
    cp.addNode({ node_id: 'edge-nyc-1', cluster_id: 'central-1', region: 'us' });
    const client = qm(userJwt());
    const eu = await client.listNodes({ clusterId: 'central-1', region: 'eu' });
    expect(eu.map((n) => n.node_id)).toEqual(['edge-ams-1']);
    expect(cp.requestsTo('quartermaster', '/nodes')[0].query).toBe('?cluster_id=central-1&region=eu');
    const node = await client.getNode('edge-nyc-1');
    expect(node).toMatchObject({ node_type: 'edge', cluster_id: 'central-1', status: 'active', health_score: 1, tags: {} });
    expect(node.dates.last_heartbeat).toBeInstanceOf(Date);
    expect(cp.requestsTo('quartermaster').some((r) => r.path.startsWith('/nodes/'))).toBe(false);
    const e = await failure(client.getNode('edge-zzz'));
    expect(e.code).toBe('NOT_FOUND');
  });

  it('clusters: list ordered by name, get by id, unknown → NOT_FOUND', async () => {
    cp.addCluster({ cluster_id: 'c-b', cluster_name: 'Beta' });
    cp.addCluster({ cluster_id: 'c-a', cluster_name: 'Alpha', base_url: 'https://a.example.com' });
    const client = qm(service());
    expect((await client.listClusters()).map((c) => c.cluster_name)).toEqual(['Alpha', 'Beta']);
    const c = await client.getCluster('c-a');
    expect(c).toMatchObject({ cluster_id: 'c-a', base_url: 'https://a.example.com', deployment_model: '', is_active: true, current_viewer_count: 0 });
    expect(c.dates.updated_at).toBeInstanceOf(Date);
    const e = await failure(client.getCluster('c-z'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain('c-z');
  });
});

describe('HTTP behaviour: timeouts, retries, faults', () => {
  it('Quartermaster down (closed port) → exit 6', async () => {
    const e = await failure(new QuartermasterClient({ baseUrl: DEAD, credential: service(), retries: 0 }).listClusters());
    expect(e.exitCode).toBe(ExitCode.NETWORK);
    expect(e.code).toBe('UNREACHABLE');
  });

  it('latency beyond the per-call timeout → exit 6 TIMEOUT', async () => {
    cp.inject('quartermaster', { kind: 'delay', ms: 2000 });
    const started = Date.now();
    const e = await failure(qm(service(), { timeoutMs: 300, retries: 0 }).listClusters());
    expect(e.exitCode).toBe(ExitCode.NETWORK);
    expect(e.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a GET that 500s is retried and then succeeds (several attempts in the log)', async () => {
    cp.addCluster({ cluster_id: 'c-1' });
    cp.inject('quartermaster', { kind: 'status', code: 500 }, { path: '/clusters', times: 2 });
    const clusters = await qm(service()).listClusters();
    expect(clusters).toHaveLength(1);
    expect(cp.requestsTo('quartermaster', '/clusters')).toHaveLength(3);
  });

  it('a GET whose connection is reset is retried', async () => {
    cp.inject('quartermaster', { kind: 'reset' }, { path: '/nodes', times: 1 });
    expect(await qm(service()).listNodes()).toEqual([]);
    expect(cp.requestsTo('quartermaster', '/nodes')).toHaveLength(2);
  });

  it('a create POST that 500s is sent exactly once', async () => {
    cp.inject('quartermaster', { kind: 'status', code: 500, body: { error: 'failed to create token' } }, { path: '/admin/bootstrap-tokens' });
    const e = await failure(qm(service()).createBootstrapToken({ kind: 'service' }));
    expect(e.code).toBe('SERVER_ERROR');
    expect(e.message).toContain('failed to create token');
    expect(cp.requestsTo('quartermaster', '/admin/bootstrap-tokens')).toHaveLength(1);
  });

  it('a 503 on a POST → exit 6, still sent once', async () => {
    cp.inject('control', { kind: 'status', code: 503 }, { path: '/developer/tokens' });
    const client = new CommodoreClient({ baseUrl: cp.urls.control, credential: userJwt() });
    const e = await failure(client.createDeveloperToken({ name: 'ci' }));
    expect(e.exitCode).toBe(ExitCode.NETWORK);
    expect(cp.requestsTo('control', '/developer/tokens')).toHaveLength(1);
  });

  it('malformed JSON → a clear BAD_RESPONSE error', async () => {
    cp.inject('quartermaster', { kind: 'garbage' }, { path: '/clusters' });
    const e = await failure(qm(service()).listClusters());
    expect(e.code).toBe('BAD_RESPONSE');
    expect(e.message).toMatch(/not valid JSON/);
  });

  it('a reply of the wrong shape → BAD_RESPONSE', async () => {
    cp.inject('quartermaster', { kind: 'status', code: 200, body: { clusters: 'x' } }, { path: '/clusters' });
    expect((await failure(qm(service()).listClusters())).code).toBe('BAD_RESPONSE');
  });
});

describe('CommodoreClient: developer tokens on {control}/developer/tokens', () => {
  const commodore = (credential?: ChosenCredential) => new CommodoreClient({ baseUrl: cp.urls.control, context: 'test', credential });

  it('creates (201, token_value once), lists and revokes with a JWT', async () => {
    const jwt = userJwt();
    const client = commodore(jwt);
    const created = await client.createDeveloperToken({ name: 'ci', permissions: ['read'], expiresIn: '30d' });
    const post = cp.requestsTo('control', '/developer/tokens')[0];
    expect(post.method).toBe('POST');
    expect(post.headers.authorization).toBe(jwt.header);
    const sent = JSON.parse(post.body) as { token_name: string; permissions: string[]; expires_at: string };
    expect(sent.token_name).toBe('ci');
    expect(sent.permissions).toEqual(['read']);
    expect(sent.expires_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect((Date.parse(sent.expires_at) - Date.now()) / 86_400_000).toBeCloseTo(30, 2);
    expect(created.token_value).toMatch(/^fwk_[A-Za-z0-9]{40}$/);
    expect(created).toMatchObject({ token_name: 'ci', permissions: ['read'], expires_at: sent.expires_at });
    expect(created.dates.created_at).toBeInstanceOf(Date);

    const list = await client.listDeveloperTokens();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: created.id, status: 'active', last_used_at: null });
    expect(list[0].dates.last_used_at).toBeUndefined();
    expect(list[0].dates.expires_at!.toISOString()).toBe(new Date(sent.expires_at).toISOString());
    expect(await commodore(userJwt(TENANT, 'a1b2c3d4-0000-4000-8000-000000000002')).listDeveloperTokens()).toEqual([]); // only the caller's

    const revoked = await client.revokeDeveloperToken(created.id);
    expect(revoked).toMatchObject({ message: 'API token revoked successfully', token_id: created.id, token_name: 'ci' });
    expect(revoked.dates.revoked_at).toBeInstanceOf(Date);
    expect((await client.listDeveloperTokens())[0].status).toBe('revoked');
    const again = await failure(client.revokeDeveloperToken(created.id));
    expect(again.code).toBe('NOT_FOUND');
    expect(cp.requestsTo('gateway')).toHaveLength(0);
  });

  it('server defaults when no permissions or expiry are given', async () => {
    const created = await commodore(userJwt()).createDeveloperToken({ name: 'default' });
    expect(JSON.parse(cp.requestsTo('control', '/developer/tokens')[0].body)).toEqual({ token_name: 'default' });
    expect(created.permissions).toEqual(['read', 'write']);
  });

  it('requires a JWT (client-side, exit 3, no request); bad expiry is exit 2', async () => {
    for (const cred of [service(), undefined]) {
      const e = await failure(commodore(cred).createDeveloperToken({ name: 'ci' }));
      expect(e.exitCode).toBe(ExitCode.NOT_AUTHENTICATED);
    }
    expect((await failure(commodore(userJwt()).createDeveloperToken({ name: 'ci', expiresIn: 'soon' }))).exitCode).toBe(ExitCode.USAGE);
    expect((await failure(commodore(userJwt()).createDeveloperToken({ name: ' ' }))).exitCode).toBe(ExitCode.USAGE);
    expect(cp.requestsTo('control')).toHaveLength(0);
  });

  it('an invalid JWT → 401 exit 3 with the server text', async () => {
    const e = await failure(commodore(bearer('jwt', cp.signJwt({ user_id: 'u' }, { secret: 'other' }))).listDeveloperTokens());
    expect(e.exitCode).toBe(ExitCode.NOT_AUTHENTICATED);
    expect(e.message).toContain(AUTH_ERRORS.invalid);
  });

  it('the MVP list quirk {"tokens":null,"count":0} → []', async () => {
    const quirky = await startControlPlane({ developerTokenListQuirk: true });
    try {
      const jwt = bearer('jwt', quirky.signJwt({ user_id: 'u1', tenant_id: TENANT }));
      const client = new CommodoreClient({ baseUrl: quirky.urls.control, credential: jwt });
      await client.createDeveloperToken({ name: 'ci' });
      expect(await client.listDeveloperTokens()).toEqual([]);
    } finally {
      await quirky.close();
    }
  });
});

describe('FoghornClient: node mode and drain status', () => {
  const foghorn = () => new FoghornClient({ baseUrl: cp.urls['foghorn-http'] });

  it('sets draining, the viewer count falls and waitIdle returns', async () => {
    cp.setViewers('edge-ams-1', 20);
    const client = foghorn();
    expect(await client.drainStatus('edge-ams-1')).toEqual({ node_id: 'edge-ams-1', operational_mode: 'normal', active_viewers: 20 });
    const set = await client.setMode('edge-ams-1', 'DRAINING', 'ops');
    expect(set).toMatchObject({ node_id: 'edge-ams-1', operational_mode: 'draining' });
    const put = cp.requestsTo('foghorn-http', '/nodes/edge-ams-1/mode')[0];
    expect(put.method).toBe('PUT');
    expect(JSON.parse(put.body)).toEqual({ mode: 'draining', set_by: 'ops' });
    const polls: number[] = [];
    const idle = await client.waitIdle('edge-ams-1', { intervalMs: 100, timeoutMs: 10_000, onPoll: (s) => polls.push(s.active_viewers) });
    expect(idle).toEqual({ node_id: 'edge-ams-1', operational_mode: 'draining', active_viewers: 0 });
    expect(polls.length).toBeGreaterThan(1);
    expect(polls.at(-1)).toBe(0);
    for (let i = 1; i < polls.length; i++) expect(polls[i]).toBeLessThanOrEqual(polls[i - 1]);
    expect((await client.setMode('edge-ams-1', 'normal')).operational_mode).toBe('normal');
  });

  it('waitIdle gives up with DRAIN_TIMEOUT while viewers stay (mode normal)', async () => {
    cp.setViewers('edge-busy', 5);
    const e = await failure(foghorn().waitIdle('edge-busy', { intervalMs: 50, timeoutMs: 200 }));
    expect(e.code).toBe('DRAIN_TIMEOUT');
    expect(e.result).toMatchObject({ active_viewers: 5 });
  });

  it('unknown node → NOT_FOUND; setMode creates state; a bad mode is refused client-side', async () => {
    expect((await failure(foghorn().drainStatus('edge-new'))).code).toBe('NOT_FOUND');
    expect(await foghorn().setMode('edge-new', 'maintenance')).toEqual({ node_id: 'edge-new', operational_mode: 'maintenance', active_viewers: 0 });
    expect((await foghorn().drainStatus('edge-new')).operational_mode).toBe('maintenance');
    const before = cp.requestsTo('foghorn-http').length;
    expect((await failure(foghorn().setMode('edge-new', 'off'))).exitCode).toBe(ExitCode.USAGE);
    expect(cp.requestsTo('foghorn-http')).toHaveLength(before);
  });

  it('PUT is idempotent and retried on 502', async () => {
    cp.inject('foghorn-http', { kind: 'status', code: 502 }, { path: '/nodes/edge-x/mode', times: 1 });
    expect((await foghorn().setMode('edge-x', 'draining')).operational_mode).toBe('draining');
    expect(cp.requestsTo('foghorn-http', '/nodes/edge-x/mode')).toHaveLength(2);
  });
});

describe('contract server: raw replies (§3.1, §4.2, §5.2)', () => {
  const call = async (url: string, init: { method?: string; token?: string; body?: unknown } = {}) => {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
      ...(init.body ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const tokens = () => `${cp.urls.quartermaster}/admin/bootstrap-tokens`;

  it('bootstrap tokens: 400 texts, invalid ttl for a `d` unit, 403, 201, the revoke reply, 404', async () => {
    const svc = cp.serviceToken;
    expect(await call(tokens(), { method: 'POST', token: svc, body: '{' })).toEqual({ status: 400, body: { error: 'invalid request' } });
    expect(await call(tokens(), { method: 'POST', token: svc, body: { kind: 'x' } })).toEqual({ status: 400, body: { error: 'invalid kind' } });
    expect(await call(tokens(), { method: 'POST', token: svc, body: { kind: 'edge_node' } })).toEqual({
      status: 400,
      body: { error: 'tenant_id required for edge_node' },
    });
    expect(await call(tokens(), { method: 'POST', token: svc, body: { kind: 'service', ttl: '30d' } })).toEqual({ status: 400, body: { error: 'invalid ttl' } });
    expect(await call(tokens(), { method: 'POST', token: svc, body: { kind: 'service', expected_ip: 'x' } })).toEqual({
      status: 500,
      body: { error: 'failed to create token' },
    });
    expect(await call(tokens(), { token: userJwt().token })).toEqual({ status: 403, body: { error: 'forbidden' } });
    expect(await call(tokens())).toEqual({ status: 401, body: { error: AUTH_ERRORS.missing } });
    expect(await call(tokens(), { token: svc })).toEqual({ status: 200, body: { tokens: [], count: 0 } });
    const created = await call(tokens(), { method: 'POST', token: svc, body: { kind: 'service', ttl: '90m' } });
    expect(created.status).toBe(201);
    const t = (created.body as { token: Record<string, string> }).token;
    expect(Object.keys(t)).toEqual(['id', 'token', 'kind', 'expires_at', 'created_at']);
    expect((Date.parse(t.expires_at) - Date.parse(t.created_at)) / 60_000).toBeCloseTo(90, 3);
    expect(await call(`${tokens()}/${t.id}`, { method: 'DELETE', token: svc })).toEqual({ status: 200, body: { success: false, message: 'revoked' } });
    expect(await call(`${tokens()}/${t.id}`, { method: 'DELETE', token: svc })).toEqual({ status: 404, body: { error: 'not found' } });
    expect((await call(`${tokens()}/not-a-uuid`, { method: 'DELETE', token: svc })).status).toBe(500);
  });

  it('discovery 400 `type required`; health null; GET /nodes/{id} always 404; cluster 404', async () => {
    const qmUrl = cp.urls.quartermaster;
    const svc = cp.serviceToken;
    expect(await call(`${qmUrl}/service-discovery`, { token: svc })).toEqual({ status: 400, body: { error: 'type required' } });
    expect(await call(`${qmUrl}/service-discovery?type=nope`, { token: svc })).toEqual({ status: 200, body: { instances: [], count: 0 } });
    expect(await call(`${qmUrl}/services/health`, { token: svc })).toEqual({ status: 200, body: { instances: null, count: 0 } });
    expect(await call(`${qmUrl}/clusters`, { token: svc })).toEqual({ status: 200, body: { clusters: null, count: 0 } });
    cp.addNode({ node_id: 'edge-1', cluster_id: 'c' });
    expect(await call(`${qmUrl}/nodes/edge-1`, { token: svc })).toEqual({ status: 404, body: { error: 'Node not found' } });
    expect(await call(`${qmUrl}/clusters/x`, { token: svc })).toEqual({ status: 404, body: { error: 'Cluster not found' } });
  });

  it('non-provider tenants see only owned or granted clusters in health and discovery', async () => {
    cp.addCluster({ cluster_id: 'mine', owner_tenant_id: TENANT });
    cp.addCluster({ cluster_id: 'other' });
    cp.addServiceInstance({ service_id: 'foghorn', cluster_id: 'mine' });
    cp.addServiceInstance({ service_id: 'foghorn', cluster_id: 'other' });
    const mine = await qm(userJwt()).discover({ type: 'foghorn' });
    expect(mine.map((i) => i.cluster_id)).toEqual(['mine']);
    expect(await qm(userJwt(PROVIDER_TENANT)).discover({ type: 'foghorn' })).toHaveLength(2);
  });

  it('developer tokens: validator text for a missing name; 404 text on revoke', async () => {
    const jwt = userJwt().token;
    const missing = await call(`${cp.urls.control}/developer/tokens`, { method: 'POST', token: jwt, body: {} });
    expect(missing).toEqual({
      status: 400,
      body: { error: "Key: 'CreateAPITokenRequest.TokenName' Error:Field validation for 'TokenName' failed on the 'required' tag" },
    });
    expect(await call(`${cp.urls.control}/developer/tokens/x`, { method: 'DELETE', token: jwt })).toEqual({
      status: 404,
      body: { error: 'API token not found or already revoked' },
    });
    expect(await call(`${cp.urls.control}/developer/tokens`, { token: jwt })).toEqual({ status: 200, body: { tokens: null, count: 0 } });
  });

  it('Foghorn: no auth, 400 texts, 404 for an unknown node', async () => {
    const f = cp.urls['foghorn-http'];
    expect(await call(`${f}/nodes/n1/mode`, { method: 'PUT', body: '{' })).toEqual({ status: 400, body: { error: 'invalid request body' } });
    expect(await call(`${f}/nodes/n1/mode`, { method: 'PUT', body: { mode: 'off' } })).toEqual({ status: 400, body: { error: 'invalid mode: off' } });
    expect(await call(`${f}/nodes/n1/drain-status`)).toEqual({ status: 404, body: { error: 'node not found' } });
  });
});
