/**
 * Today's control plane over gRPC (issue 8): the same admin, services, drain and context-check commands
 * in a context with `api: grpc` and `api: auto`, against real gRPC servers (test/support/grpc-control-plane.ts,
 * plaintext and TLS) and the REST-era stand-in. Errors: gRPC status → exit code, TLS ↔ plaintext mismatch.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { startControlPlane, verifyJwt, type ControlPlane } from '../support/control-plane.js';
import { GRPC_AUTH_ERRORS, startGrpcControlPlane, type GrpcControlPlane } from '../support/grpc-control-plane.js';

const TENANT = '5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10';
const OTHER_TENANT = '11111111-2222-4333-8444-555555555555';
const USER_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const DEAD_GRPC = '127.0.0.1:9';
const DEAD_HTTP = 'http://127.0.0.1:9';

let rest: ControlPlane;
let plain: GrpcControlPlane;
let tls: GrpcControlPlane;
let sb: CliSandbox;

const svc = () => ({ FRAMEWORKS_SERVICE_TOKEN: rest.serviceToken });
const jwt = (tenant = TENANT) => ({ FRAMEWORKS_JWT: rest.signJwt({ user_id: USER_ID, tenant_id: tenant, email: 'ops@example.com', role: 'owner' }) });
const run = (ctx: string, args: string[], env: Record<string, string> = svc()) => sb.run([...args, '--context', ctx], { env });

function grpcEndpoints(g: GrpcControlPlane | undefined, scheme = '') {
  const a = (k: 'quartermaster' | 'commodore' | 'foghorn') => (g ? `${scheme}${g.addresses[k]}` : DEAD_GRPC);
  return { 'quartermaster-grpc': a('quartermaster'), 'control-grpc': a('commodore'), 'foghorn-grpc': a('foghorn') };
}

function seed(g: GrpcControlPlane): void {
  g.nodes.push(
    { node_id: 'edge-ams-1', cluster_id: 'central-1', region: 'eu-west', external_ip: '203.0.113.7', owner_tenant_id: TENANT, tags: { rack: 'r12' } },
    { node_id: 'edge-nyc-1', cluster_id: 'central-2', region: 'us-east', owner_tenant_id: OTHER_TENANT },
  );
  g.clusters.push({ cluster_id: 'central-1', cluster_name: 'Central One', owner_tenant_id: TENANT }, { cluster_id: 'central-2', owner_tenant_id: OTHER_TENANT });
  g.instances.push({ service_id: 'foghorn', cluster_id: 'central-1', host: 'fh.example.com', port: 18008 }, { service_id: 'decklog', cluster_id: 'central-1', health_status: 'unhealthy', port: 18006 });
  g.foghorn.set('edge-ams-1', { mode: 'normal', viewers: 30, streams: 2, tenant_id: TENANT });
  g.foghorn.set('edge-nyc-1', { mode: 'normal', viewers: 0, streams: 0, tenant_id: OTHER_TENANT });
}

beforeAll(async () => {
  rest = await startControlPlane();
  const keys = { verifyJwt: (t: string) => verifyJwt(t, rest.jwtSecret), serviceToken: rest.serviceToken };
  [plain, tls] = await Promise.all([startGrpcControlPlane(keys), startGrpcControlPlane({ ...keys, tls: true })]);
  sb = new CliSandbox('fw-grpc-');
  const restEndpoints = { quartermaster: rest.urls.quartermaster, control: rest.urls.control, 'foghorn-http': rest.urls['foghorn-http'], gateway: rest.urls.gateway };
  const deadRest = { quartermaster: DEAD_HTTP, control: DEAD_HTTP, 'foghorn-http': DEAD_HTTP };
  const contexts = {
    g: { api: 'grpc', grpc: { plaintext: true }, endpoints: { ...restEndpoints, ...grpcEndpoints(plain) } },
    tls: { api: 'grpc', grpc: { ca_file: tls.caFile }, endpoints: { ...restEndpoints, ...grpcEndpoints(tls) } },
    'tls-as-plain': { api: 'grpc', grpc: { plaintext: true }, endpoints: grpcEndpoints(tls) },
    'plain-as-tls': { api: 'grpc', endpoints: grpcEndpoints(plain) },
    'auto-rest': { api: 'auto', grpc: { plaintext: true }, endpoints: { ...restEndpoints, ...grpcEndpoints(undefined) } },
    'auto-grpc': { api: 'auto', grpc: { plaintext: true }, endpoints: { ...deadRest, ...grpcEndpoints(plain) } },
    'auto-grpcs': { api: 'auto', endpoints: { ...deadRest, ...grpcEndpoints(plain, 'grpc://') } },
  };
  mkdirSync(sb.frameworksHome, { recursive: true });
  // YAML is a superset of JSON: written directly until `context set <ctx> api grpc` lands.
  writeFileSync(join(sb.frameworksHome, 'config.yaml'), JSON.stringify({ version: 1, current: 'g', contexts }), { mode: 0o600 });
});
afterAll(async () => {
  await Promise.all([rest?.close(), plain?.close(), tls?.close()]);
  sb?.cleanup();
});
afterEach(() => {
  for (const g of [plain, tls]) {
    g.reset();
    seed(g);
  }
  rest.reset();
  rest.clearData();
});
beforeAll(() => {
  for (const g of [plain, tls]) seed(g);
});

describe('api: grpc — Quartermaster', () => {
  it('admin nodes list / show (text and --json): gRPC reply in the REST shape, timestamps as RFC 3339, the service token in `authorization`', async () => {
    const text = await run('g', ['admin', 'nodes', 'list']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/edge-ams-1\s.*central-1\s+edge\s+eu-west\s+203\.0\.113\.7\s+active/);
    expect(text.stdout).toContain('edge-nyc-1');
    const json = await run('g', ['admin', 'nodes', 'list', '--cluster-id', 'central-1', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const { nodes, count } = json.json!.result as { nodes: Array<Record<string, unknown>>; count: number };
    expect(count).toBe(1);
    expect(nodes[0]).toMatchObject({ node_id: 'edge-ams-1', cluster_id: 'central-1', tags: { rack: 'r12' }, metadata: {}, owner_tenant_id: TENANT });
    expect(String(nodes[0].created_at)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const calls = plain.callsTo('ListNodes');
    expect(calls.at(-1)!.metadata.authorization).toBe(`Bearer ${rest.serviceToken}`);
    expect(calls.at(-1)!.request).toMatchObject({ cluster_id: 'central-1', pagination: { first: 500 } });
    expect(rest.requestsTo('quartermaster', '/nodes')).toHaveLength(0);

    const show = await run('g', ['admin', 'nodes', 'show', 'edge-ams-1', '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.stringify(show.json!.result)).toContain('"node_id":"edge-ams-1"');
  });

  it('a JWT narrows nodes and clusters to its tenant (tenant scoping on the server)', async () => {
    const r = await run('g', ['admin', 'nodes', 'list', '--json'], jwt(OTHER_TENANT));
    expect(r.code, r.stderr).toBe(0);
    expect((r.json!.result as { nodes: Array<{ node_id: string }> }).nodes.map((n) => n.node_id)).toEqual(['edge-nyc-1']);
    const c = await run('g', ['admin', 'clusters', 'list', '--json'], jwt(TENANT));
    expect((c.json!.result as { clusters: Array<{ cluster_id: string; visibility: string }> }).clusters).toEqual([
      expect.objectContaining({ cluster_id: 'central-1', visibility: 'CLUSTER_VISIBILITY_PUBLIC' }),
    ]);
  });

  it('admin clusters list / show, text and --json', async () => {
    const list = await run('g', ['admin', 'clusters', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('Central One');
    const show = await run('g', ['admin', 'clusters', 'show', 'central-1']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('central-1');
    const json = await run('g', ['admin', 'clusters', 'show', 'central-1', '--json']);
    expect(json.json!.result).toMatchObject({ cluster: { cluster_id: 'central-1', pricing_model: 'CLUSTER_PRICING_METERED' } });
  });

  it('admin bootstrap-tokens create (bt_ value once) / list (prefix only) / revoke', async () => {
    const create = await run('g', ['admin', 'bootstrap-tokens', 'create', '--tenant-id', TENANT, '--cluster-id', 'central-1', '--ttl', '2d', '--metadata', 'site=ams', '--json']);
    expect(create.code, create.stderr).toBe(0);
    const stored = plain.bootstrapTokens[0] as { id: string; token: string };
    expect(stored.token).toMatch(/^bt_[0-9a-f]{64}$/);
    expect(create.json!.result).toMatchObject({ token: { id: stored.id, token: stored.token, kind: 'edge_node', tenant_id: TENANT, metadata: { site: 'ams' } } });
    expect(plain.callsTo('CreateBootstrapToken')[0].request).toMatchObject({ kind: 'edge_node', ttl: '48h', tenant_id: TENANT, name: expect.stringMatching(/^edge_node \d{4}-/) });

    const dry = await run('g', ['admin', 'bootstrap-tokens', 'create', '--kind', 'service', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`Would call quartermaster.BootstrapService/CreateBootstrapToken on ${plain.addresses.quartermaster} as the service token`);
    expect(plain.callsTo('CreateBootstrapToken')).toHaveLength(1);

    const list = await run('g', ['admin', 'bootstrap-tokens', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(stored.id);
    expect(list.stdout).not.toContain(stored.token);

    const revoke = await run('g', ['admin', 'bootstrap-tokens', 'revoke', stored.id, '--yes', '--json']);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.json!.result).toMatchObject({ id: stored.id, revoked: true });
    expect(plain.bootstrapTokens).toHaveLength(0);
    const again = await run('g', ['admin', 'bootstrap-tokens', 'revoke', stored.id, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('token not found');
  });

  it('services health and discover', async () => {
    const h = await run('g', ['services', 'health', '--json']);
    expect(h.code, h.stderr).toBe(0);
    expect((h.json!.result as { instances: Array<{ service_id: string }> }).instances.map((i) => i.service_id).sort()).toEqual(['decklog', 'foghorn']);
    const text = await run('g', ['services', 'health', '--service-id', 'foghorn']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('foghorn');
    expect(plain.callsTo('GetServiceHealth').at(-1)!.request).toEqual({ service_id: 'foghorn' });
    const d = await run('g', ['services', 'discover', '--type', 'foghorn', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.json!.result).toMatchObject({ instances: [{ service_id: 'foghorn', cluster_id: 'central-1', port: 18008, host: 'fh.example.com' }] });
    const dt = await run('g', ['services', 'discover', '--type', 'foghorn']);
    expect(dt.stdout).toContain('central-1');
  });
});

describe('api: grpc — Commodore developer tokens', () => {
  it('create (fw_ value) / list / revoke with the user JWT; the token is scoped to that user', async () => {
    const create = await run('g', ['admin', 'tokens', 'create', '--name', 'ci', '--json'], jwt());
    expect(create.code, create.stderr).toBe(0);
    const value = (create.json!.result as { token: { token_value: string; id: string } }).token;
    expect(value.token_value).toMatch(/^fw_[0-9a-f]{64}$/);
    const list = await run('g', ['admin', 'tokens', 'list'], jwt());
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('ci');
    expect(list.stdout).not.toContain(value.token_value);
    const revoke = await run('g', ['admin', 'tokens', 'revoke', value.id, '--yes', '--json'], jwt());
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(plain.apiTokens[0].status).toBe('revoked');
  });
});

describe('api: grpc — Foghorn node modes', () => {
  it('drain-status, drain --wait (idle = no active stream), undrain', async () => {
    const s = await run('g', ['edge', 'drain-status', 'edge-ams-1', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json!.result).toMatchObject({ node_id: 'edge-ams-1', operational_mode: 'normal', active_viewers: 30, active_streams: 2, idle: false });
    const d = await run('g', ['edge', 'drain', 'edge-ams-1', '--wait', '--poll-interval', '50ms', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.json!.result).toMatchObject({ node_id: 'edge-ams-1', operational_mode: 'draining', mode_before: 'normal', waited: true });
    expect(plain.foghorn.get('edge-ams-1')).toMatchObject({ mode: 'draining', streams: 0 });
    expect(plain.callsTo('SetNodeOperationalMode')[0].request).toEqual({ node_id: 'edge-ams-1', mode: 'draining', set_by: 'frameworks-cli' });
    const u = await run('g', ['edge', 'undrain', 'edge-ams-1']);
    expect(u.code, u.stderr).toBe(0);
    expect(plain.foghorn.get('edge-ams-1')!.mode).toBe('normal');
  });
});

describe('gRPC status → exit code', () => {
  it('UNAUTHENTICATED 3 (invalid token / missing authorization / missing user context), PERMISSION_DENIED 5, NOT_FOUND 1', async () => {
    const bad = await run('g', ['admin', 'nodes', 'list', '--json'], { FRAMEWORKS_SERVICE_TOKEN: 'wrong' });
    expect(bad.code).toBe(3);
    expect(bad.json!.message).toContain(GRPC_AUTH_ERRORS.invalid);
    expect(bad.json!.suggestions).toEqual(expect.arrayContaining([expect.stringMatching(/^frameworks login --context g/)]));
    const none = await run('g', ['admin', 'nodes', 'list'], {});
    expect(none.code).toBe(3);

    const denied = await run('g', ['edge', 'drain', 'edge-ams-1', '--json'], jwt(OTHER_TENANT));
    expect(denied.code).toBe(5);
    expect(denied.json!.message).toContain('node is not owned by this tenant');
    expect(plain.foghorn.get('edge-ams-1')!.mode).toBe('normal');

    const missing = await run('g', ['admin', 'nodes', 'show', 'edge-nope', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.json!.code).toBe('NOT_FOUND');
    const unknownNode = await run('g', ['edge', 'drain-status', 'edge-nope']);
    expect(unknownNode.code).toBe(1);
    expect(unknownNode.stderr).toContain('node not found');
  });

  it('INVALID_ARGUMENT 2, UNAVAILABLE 6, DEADLINE_EXCEEDED 6, each with the server message', async () => {
    plain.fail('ListClusters', status.INVALID_ARGUMENT, 'cluster_id required');
    const inv = await run('g', ['admin', 'clusters', 'list', '--json']);
    expect(inv.code).toBe(2);
    expect(inv.json!.message).toContain('cluster_id required');
    plain.fail('ListNodes', status.UNAVAILABLE, 'no foghorn for cluster');
    const un = await run('g', ['admin', 'nodes', 'list', '--json']);
    expect(un.code).toBe(6);
    expect(un.json!.message).toContain('no foghorn for cluster');
    plain.fail('ListServicesHealth', status.DEADLINE_EXCEEDED, 'slow');
    const dl = await run('g', ['services', 'health', '--json']);
    expect(dl.code).toBe(6);
    plain.fail('ListBootstrapTokens', status.PERMISSION_DENIED, 'forbidden');
    const pd = await run('g', ['admin', 'bootstrap-tokens', 'list', '--json']);
    expect(pd.code).toBe(5);
  });
});

describe('TLS', () => {
  it('TLS by default, verified against grpc.ca_file', async () => {
    const r = await run('tls', ['admin', 'nodes', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((r.json!.result as { count: number }).count).toBe(2);
    expect(tls.callsTo('ListNodes')).toHaveLength(1);
    // An IP endpoint over TLS: no Node warning about IP SNI on stderr.
    const text = await run('tls', ['admin', 'clusters', 'list']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).not.toContain('DeprecationWarning');
  });

  it('a TLS server while the context says plaintext, and the reverse: exit 6 naming the setting to change', async () => {
    const a = await run('tls-as-plain', ['admin', 'nodes', 'list', '--json']);
    expect(a.code).toBe(6);
    expect(a.json!.code).toBe('GRPC_TLS_MISMATCH');
    expect(a.json!.message).toContain('speaks TLS, but the context says plaintext (grpc.plaintext');
    expect(a.json!.suggestions).toEqual(expect.arrayContaining([expect.stringContaining(`context set-url quartermaster-grpc grpcs://${tls.addresses.quartermaster}`)]));
    const b = await run('plain-as-tls', ['admin', 'nodes', 'list', '--json']);
    expect(b.code).toBe(6);
    expect(b.json!.code).toBe('GRPC_TLS_MISMATCH');
    expect(b.json!.message).toContain('speaks plaintext gRPC, but the context expects TLS');
    expect(b.json!.suggestions).toEqual(expect.arrayContaining([expect.stringContaining('grpc.plaintext: true')]));
  });
});

describe('api: auto', () => {
  it('against a REST-era server the REST transport answers; against a gRPC-era server gRPC does; the answer is remembered per endpoint', async () => {
    const r = await run('auto-rest', ['admin', 'nodes', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(rest.requestsTo('quartermaster', '/nodes')).toHaveLength(1);

    const g = await run('auto-grpc', ['admin', 'nodes', 'list', '--json']);
    expect(g.code, g.stderr).toBe(0);
    expect(plain.callsTo('ListNodes')).toHaveLength(1);
    const cachePath = join(sb.frameworksHome, 'api-era.json');
    expect(existsSync(cachePath)).toBe(true);
    const cache = JSON.parse(readFileSync(cachePath, 'utf8')) as { entries: Record<string, { era: string }> };
    expect(Object.entries(cache.entries).map(([k, v]) => [k.split(' ')[0], v.era])).toEqual(
      expect.arrayContaining([[`quartermaster-grpc=${DEAD_GRPC}`, 'rest'], [`quartermaster-grpc=${plain.addresses.quartermaster}`, 'grpc']]),
    );
    // A garbled cache is ignored, not fatal.
    writeFileSync(cachePath, '{"version":1,"entries":');
    const again = await run('auto-grpc', ['admin', 'bootstrap-tokens', 'list', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(plain.callsTo('ListBootstrapTokens')).toHaveLength(1);

    // The remembered answer is used while fresh (here a planted "rest": the dead REST URL answers exit 6)
    // and ignored once older than 10 minutes.
    const key = `quartermaster-grpc=${plain.addresses.quartermaster} quartermaster=${DEAD_HTTP}`;
    writeFileSync(cachePath, JSON.stringify({ version: 1, entries: { [key]: { era: 'rest', at: Date.now() - 60_000 } } }));
    const cached = await run('auto-grpc', ['admin', 'nodes', 'list', '--json']);
    expect(cached.code).toBe(6);
    expect(plain.callsTo('ListNodes')).toHaveLength(1);
    writeFileSync(cachePath, JSON.stringify({ version: 1, entries: { [key]: { era: 'rest', at: Date.now() - 11 * 60_000 } } }));
    const stale = await run('auto-grpc', ['admin', 'nodes', 'list', '--json']);
    expect(stale.code, stale.stderr).toBe(0);
    expect(plain.callsTo('ListNodes')).toHaveLength(2);
  });

  it('every command answers in an auto context against the REST era (text and --json)', async () => {
    rest.addCluster({ cluster_id: 'central-9' });
    rest.setViewers('edge-rest-1', 0);
    for (const args of [['admin', 'clusters', 'list'], ['services', 'health', '--json'], ['admin', 'bootstrap-tokens', 'list'], ['edge', 'drain-status', 'edge-rest-1', '--json']]) {
      const r = await run('auto-rest', args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const t = await run('auto-rest', ['admin', 'tokens', 'list', '--json'], jwt());
    expect(t.code, t.stderr).toBe(0);
    expect(rest.requestsTo('quartermaster', '/clusters')).toHaveLength(1);
    expect(rest.requestsTo('foghorn-http', '/nodes/edge-rest-1/drain-status')).toHaveLength(1);
    expect(plain.calls).toHaveLength(0);
  });

  it('every command answers in an auto context against the gRPC era (grpc:// endpoints, text)', async () => {
    for (const args of [['admin', 'clusters', 'show', 'central-1'], ['services', 'discover', '--type', 'foghorn'], ['edge', 'drain-status', 'edge-nyc-1']]) {
      const r = await run('auto-grpcs', args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const t = await run('auto-grpcs', ['admin', 'tokens', 'list'], jwt());
    expect(t.code, t.stderr).toBe(0);
  });
});

describe('context check', () => {
  it('reports which era each control-plane endpoint speaks and probes the gRPC endpoints (text and --json)', async () => {
    const r = await run('g', ['context', 'check', '--only', 'quartermaster,quartermaster-grpc,control-grpc,foghorn-grpc', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const probes = (r.json!.result as { api: string; probes: Array<{ service: string; ok: boolean; era: string | null }> });
    expect(probes.api).toBe('grpc');
    expect(probes.probes).toEqual(expect.arrayContaining([
      expect.objectContaining({ service: 'quartermaster-grpc', ok: true, era: 'grpc' }),
      expect.objectContaining({ service: 'control-grpc', ok: true, era: 'grpc' }),
      expect.objectContaining({ service: 'foghorn-grpc', ok: true, era: 'grpc' }),
    ]));
    const text = await run('auto-rest', ['context', 'check', '--only', 'quartermaster,quartermaster-grpc']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/quartermaster\s.*REST/);
    expect(text.stdout).toMatch(/quartermaster-grpc\s.*unavailable/);
  });
});
