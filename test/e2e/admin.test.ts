/**
 * `frameworks admin …` (plugin-admin) against the contract control-plane server over real HTTP:
 * bootstrap tokens (Quartermaster, provider rule), developer tokens (Commodore, JWT only),
 * nodes and clusters. Credentials come from the environment per run unless a test stores them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';

const TENANT = '5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10';
const PROVIDER_TENANT = '11111111-2222-4333-8444-555555555555';
const USER_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const DEAD = 'http://127.0.0.1:9'; // discard port: nothing listens
const PATH = '/admin/bootstrap-tokens';

let cp: ControlPlane;
let sb: CliSandbox;

const svc = () => ({ FRAMEWORKS_SERVICE_TOKEN: cp.serviceToken });
const jwtFor = (tenant: string) => cp.signJwt({ user_id: USER_ID, tenant_id: tenant, email: 'ops@example.com', role: 'owner' });
const userJwt = () => ({ FRAMEWORKS_JWT: jwtFor(TENANT) });
const run = (args: string[], env: Record<string, string> = {}) => sb.run(args, { env });
const audit = () => (existsSync(join(sb.frameworksHome, 'audit.log')) ? readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8') : '');
const posts = () => cp.requestsTo('quartermaster', PATH).filter((r) => r.method === 'POST');

beforeAll(async () => {
  cp = await startControlPlane();
  cp.addProviderTenant(PROVIDER_TENANT);
  sb = new CliSandbox('fw-admin-');
  const r = await sb.run(['context', 'create', 'cp', '--use', '--set', `quartermaster=${cp.urls.quartermaster}`, '--set', `control=${cp.urls.control}`]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await cp?.close();
  sb?.cleanup();
});
afterEach(() => {
  cp.reset();
  cp.clearData();
});

describe('admin bootstrap-tokens', () => {
  it('create shows the token once (text and --json); list masks it; revoke deletes; the audit log never has it', async () => {
    const text = await run(['admin', 'bootstrap-tokens', 'create', '--tenant-id', TENANT, '--cluster-id', 'central-1', '--ttl', '30d', '--metadata', 'site=ams,rack=r12', '--metadata', 'env=prod'], svc());
    expect(text.code, text.stderr).toBe(0);
    const first = cp.bootstrapTokens[0] as { id: string; token: string };
    expect(text.stdout).toContain(first.token);
    expect(text.stderr).toContain('shown only now');
    expect(posts()).toHaveLength(1);
    expect(JSON.parse(posts()[0].body)).toEqual({ kind: 'edge_node', tenant_id: TENANT, cluster_id: 'central-1', metadata: { site: 'ams', rack: 'r12', env: 'prod' }, ttl: '720h' });
    expect(posts()[0].headers.authorization).toBe(`Bearer ${cp.serviceToken}`);

    const json = await run(['admin', 'bootstrap-tokens', 'create', '--kind', 'service', '--expected-ip', '203.0.113.7', '--json'], svc());
    expect(json.code, json.stderr).toBe(0);
    const second = cp.bootstrapTokens[0] as { id: string; token: string };
    expect(json.json!.result).toMatchObject({ token: { id: second.id, token: second.token, kind: 'service', expected_ip: '203.0.113.7' } });
    expect(JSON.parse(posts()[1].body)).toEqual({ kind: 'service', expected_ip: '203.0.113.7', ttl: '24h' });

    const list = await run(['admin', 'bootstrap-tokens', 'list'], svc());
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(first.id);
    expect(list.stdout).toContain(`${first.token.slice(0, 4)}…${first.token.slice(-4)} (48 chars)`);
    for (const t of [first, second]) expect(list.stdout).not.toContain(t.token);
    const listJson = await run(['admin', 'bootstrap-tokens', 'list', '--json'], svc());
    const tokens = (listJson.json!.result as { tokens: Array<{ id: string; token: string; status: string }>; count: number }).tokens;
    expect(tokens.map((t) => t.id)).toEqual([second.id, first.id]);
    expect(tokens.every((t) => t.status === 'active' && t.token.includes('…'))).toBe(true);
    expect(listJson.stdout).not.toContain(first.token);

    const revoke = await run(['admin', 'bootstrap-tokens', 'revoke', first.id, '--yes', '--json'], svc());
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.json!.result).toMatchObject({ id: first.id, revoked: true });
    expect(cp.bootstrapTokens.map((t) => t.id)).toEqual([second.id]);

    const log = audit();
    expect(log).toContain('admin:bootstrap-tokens:create');
    expect(log).toContain(first.id);
    for (const t of [first, second]) expect(log).not.toContain(t.token);
  });

  it('bad input is exit 2 with nothing sent: --ttl, --metadata, missing tenant', async () => {
    for (const args of [['--ttl', '3 days'], ['--ttl', '0s'], ['--metadata', 'novalue'], ['--metadata', '=x']]) {
      const r = await run(['admin', 'bootstrap-tokens', 'create', '--tenant-id', TENANT, ...args, '--json'], svc());
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(2);
    }
    const noTenant = await run(['admin', 'bootstrap-tokens', 'create', '--json'], svc());
    expect(noTenant.code).toBe(2);
    expect(noTenant.json).toMatchObject({ code: 'TENANT_REQUIRED' });
    expect(cp.requestsTo('quartermaster', PATH)).toHaveLength(0);
  });

  it('--dry-run shows the body and sends nothing', async () => {
    const r = await run(['admin', 'bootstrap-tokens', 'create', '--tenant-id', TENANT, '--ttl', '2d', '--dry-run', '--json'], svc());
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({ dry_run: true, request: { method: 'POST', credential: 'service', body: { kind: 'edge_node', tenant_id: TENANT, ttl: '48h' } } });
    expect(cp.requestsTo('quartermaster', PATH)).toHaveLength(0);
  });

  it('revoke: unknown id exit 1 NOT_FOUND; no --yes without a terminal exit 2 and no DELETE; a non-uuid exit 2', async () => {
    const unknown = await run(['admin', 'bootstrap-tokens', 'revoke', '0c7f5f8e-7d7a-4b1a-8f3e-3f2f6b2a1c11', '--yes', '--json'], svc());
    expect(unknown.code).toBe(1);
    expect(unknown.json).toMatchObject({ status: 1, code: 'NOT_FOUND' });
    const noYes = await run(['admin', 'bootstrap-tokens', 'revoke', '0c7f5f8e-7d7a-4b1a-8f3e-3f2f6b2a1c11'], svc());
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes');
    const notUuid = await run(['admin', 'bootstrap-tokens', 'revoke', 'abc', '--yes'], svc());
    expect(notUuid.code).toBe(2);
    expect(cp.requestsTo('quartermaster').filter((q) => q.method === 'DELETE')).toHaveLength(1);
  });

  it('auth: none → exit 3 with login; non-provider JWT → 403 exit 5; provider JWT ok; service token preferred over a JWT', async () => {
    const none = await run(['admin', 'bootstrap-tokens', 'list', '--json']);
    expect(none.code).toBe(3);
    expect((none.json!.suggestions as string[]).join(' ')).toContain('frameworks login --context cp');
    expect(cp.requestsTo('quartermaster')).toHaveLength(0);

    const forbidden = await run(['admin', 'bootstrap-tokens', 'list', '--json'], userJwt());
    expect(forbidden.code).toBe(5);

    const provider = await run(['admin', 'bootstrap-tokens', 'create', '--tenant-id', TENANT, '--json'], { FRAMEWORKS_JWT: jwtFor(PROVIDER_TENANT) });
    expect(provider.code, provider.stdout).toBe(0);

    // Both available: the non-provider JWT would get 403 (contract §1.5 ⚠); the service token is sent.
    const both = await run(['admin', 'bootstrap-tokens', 'list', '--json'], { ...userJwt(), ...svc() });
    expect(both.code, both.stdout).toBe(0);
    expect(cp.requestsTo('quartermaster', PATH).at(-1)!.headers.authorization).toBe(`Bearer ${cp.serviceToken}`);
  });

  it('Quartermaster unreachable → exit 6', async () => {
    const r = await run(['admin', 'bootstrap-tokens', 'list', '--json'], { ...svc(), FRAMEWORKS_QUARTERMASTER_URL: DEAD });
    expect(r.code, r.stdout).toBe(6);
  });
});

describe('admin tokens (developer API tokens)', () => {
  it('service token only → exit 3, nothing sent', async () => {
    const r = await run(['admin', 'tokens', 'list', '--json'], svc());
    expect(r.code).toBe(3);
    expect(r.json!.message).toMatch(/JWT/);
    const c = await run(['admin', 'tokens', 'create', '--name', 'ci', '--json'], svc());
    expect(c.code).toBe(3);
    expect(cp.requestsTo('control')).toHaveLength(0);
  });

  it('create (shown once, expires 30d, perms), list, revoke, revoke unknown', async () => {
    const env = userJwt();
    const created = await run(['admin', 'tokens', 'create', '--name', 'ci', '--perms', 'read', '--expires', '30d', '--json'], env);
    expect(created.code, created.stdout).toBe(0);
    const stored = cp.developerTokens[0];
    expect(created.json!.result).toMatchObject({ token: { id: stored.id, token_value: stored.token_value, token_name: 'ci', permissions: ['read'] } });
    const body = JSON.parse(cp.requestsTo('control', '/developer/tokens')[0].body);
    expect(body.token_name).toBe('ci');
    expect((Date.parse(body.expires_at) - Date.now()) / 86_400_000).toBeCloseTo(30, 1);

    const text = await run(['admin', 'tokens', 'create', '--name', 'dash'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(cp.developerTokens[1].token_value);

    const list = await run(['admin', 'tokens', 'list'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/ci\s+read\s+active/);
    for (const t of cp.developerTokens) expect(list.stdout).not.toContain(t.token_value);

    const revoked = await run(['admin', 'tokens', 'revoke', stored.id, '--yes', '--json'], env);
    expect(revoked.code, revoked.stdout).toBe(0);
    expect(revoked.json!.result).toMatchObject({ id: stored.id, revoked: true, token_name: 'ci' });
    const again = await run(['admin', 'tokens', 'revoke', stored.id, '--yes', '--json'], env);
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({ code: 'NOT_FOUND', suggestions: ['frameworks admin tokens list'] });
    for (const t of cp.developerTokens) expect(audit()).not.toContain(t.token_value);
  });
});

describe('admin nodes and clusters', () => {
  it('null lists → empty results and no rows', async () => {
    for (const what of ['nodes', 'clusters']) {
      const j = await run(['admin', what, 'list', '--json'], svc());
      expect(j.code, j.stdout).toBe(0);
      expect(j.json!.result).toEqual({ [what]: [], count: 0 });
    }
    const t = await run(['admin', 'nodes', 'list'], svc());
    expect(t.code).toBe(0);
    expect(t.stdout).toBe('');
    expect(t.stderr).toContain('No nodes found.');
  });

  it('list (filters sent), show, unknown id exit 1', async () => {
    cp.addCluster({ cluster_id: 'central-1', cluster_name: 'Central 1', base_url: 'https://central-1.example.com' });
    cp.addNode({ node_id: 'edge-ams-1', cluster_id: 'central-1', node_type: 'edge', region: 'eu-west', external_ip: '203.0.113.7' });
    cp.addNode({ node_id: 'edge-nyc-1', cluster_id: 'central-1', node_type: 'edge', region: 'us-east' });

    const nodes = await run(['admin', 'nodes', 'list', '--cluster-id', 'central-1', '--region', 'eu-west', '--type', 'edge'], userJwt());
    expect(nodes.code, nodes.stderr).toBe(0);
    expect(nodes.stdout).toContain('edge-ams-1');
    expect(nodes.stdout).not.toContain('edge-nyc-1');
    const q = new URLSearchParams(cp.requestsTo('quartermaster', '/nodes').at(-1)!.query);
    expect(Object.fromEntries(q)).toEqual({ cluster_id: 'central-1', node_type: 'edge', region: 'eu-west' });

    const show = await run(['admin', 'nodes', 'show', 'edge-ams-1', '--json'], svc());
    expect(show.json!.result).toMatchObject({ node: { node_id: 'edge-ams-1', external_ip: '203.0.113.7' } });
    const missingNode = await run(['admin', 'nodes', 'show', 'nope', '--json'], svc());
    expect(missingNode.code).toBe(1);
    expect(missingNode.json).toMatchObject({ code: 'NOT_FOUND', suggestions: ['frameworks admin nodes list'] });

    const clusters = await run(['admin', 'clusters', 'list'], svc());
    expect(clusters.stdout).toMatch(/central-1\s+Central 1/);
    const cshow = await run(['admin', 'clusters', 'show', 'central-1'], svc());
    expect(cshow.code, cshow.stderr).toBe(0);
    expect(cshow.stdout).toContain('https://central-1.example.com');
    const missing = await run(['admin', 'clusters', 'show', 'nope', '--json'], svc());
    expect(missing.code).toBe(1);
    expect(missing.json).toMatchObject({ code: 'NOT_FOUND', suggestions: ['frameworks admin clusters list'] });
  });
});
