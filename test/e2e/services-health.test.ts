// `services health` and `services discover` (contract §3.1, spec §9) against the in-repo control plane.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';

let cp: ControlPlane;
let sb: CliSandbox;
let env: Record<string, string>;

interface HealthRow { service_id: string; instance_id: string; cluster_id: string; host?: string; port: number; protocol: string; status: string; condition: string; last_check_age_s: number | null }
interface DiscoverRow { service_id: string; instance_id: string; cluster_id: string; status: string; health_status: string }

const run = (args: string[], extra: Record<string, string | undefined> = {}) => sb.run(args, { env: { ...env, ...extra } });
const rowsOf = <T>(r: { json?: { result?: unknown } }) => ((r.json!.result as { instances: T[] }).instances);

function seed(): void {
  cp.addCluster({ cluster_id: 'central-1' });
  cp.addCluster({ cluster_id: 'central-2' });
  cp.addServiceInstance({ service_id: 'foghorn', instance_id: 'inst-fog-1', cluster_id: 'central-1', host: '10.0.0.5', port: 18008, protocol: 'http', last_health_check_age_s: 12 });
  cp.addServiceInstance({ service_id: 'foghorn', instance_id: 'inst-fog-2', cluster_id: 'central-2', host: '10.0.0.6', port: 18008, health_status: 'unhealthy' });
  cp.addServiceInstance({ service_id: 'quartermaster', instance_id: 'inst-qm-1', cluster_id: 'central-1', host: '10.0.0.7', port: 18002 });
  cp.addServiceInstance({ service_id: 'decklog', instance_id: 'inst-dl-1', cluster_id: 'central-1', host: '10.0.0.8', port: 18006, protocol: 'grpc' });
  // Stopped: discovery lists it, health does not.
  cp.addServiceInstance({ service_id: 'foghorn', instance_id: 'inst-fog-old', cluster_id: 'central-1', status: 'stopped', health_status: 'unknown' });
}

beforeAll(async () => {
  cp = await startControlPlane();
  sb = new CliSandbox('fw-e2e-services-health-');
  env = { FRAMEWORKS_QUARTERMASTER_URL: cp.urls.quartermaster, FRAMEWORKS_SERVICE_TOKEN: cp.serviceToken };
});
afterAll(async () => {
  await cp?.close();
  sb?.cleanup();
});
afterEach(() => {
  cp.reset();
  cp.clearData();
});

describe('services health', () => {
  it('lists every fresh instance (table and --json) with the service token', async () => {
    seed();
    const r = await run(['services', 'health', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rows = rowsOf<HealthRow>(r);
    expect(rows.map((x) => x.instance_id).sort()).toEqual(['inst-dl-1', 'inst-fog-1', 'inst-fog-2', 'inst-qm-1']);
    const fog1 = rows.find((x) => x.instance_id === 'inst-fog-1')!;
    expect(fog1).toMatchObject({ service_id: 'foghorn', cluster_id: 'central-1', host: '10.0.0.5', port: 18008, protocol: 'http', status: 'healthy' });
    expect(fog1.last_check_age_s).toBeGreaterThanOrEqual(11);
    expect(fog1.last_check_age_s).toBeLessThan(30);
    const req = cp.requestsTo('quartermaster', '/services/health');
    expect(req).toHaveLength(1);
    expect(req[0].headers.authorization).toBe(`Bearer ${cp.serviceToken}`);

    const human = await run(['services', 'health']);
    expect(human.code, human.stderr).toBe(0);
    // Off a terminal: the full table, the shared status vocabulary, the raw status as detail, the time humanized with the date.
    expect(human.stdout).toMatch(/^SERVICE\s+INSTANCE\s+CLUSTER\s+HOST:PORT\s+PROTOCOL\s+STATUS\s+DETAIL\s+LAST CHECK/);
    expect(human.stdout).toMatch(/foghorn\s+inst-fog-1\s+central-1\s+10\.0\.0\.5:18008\s+http\s+✓ ok\s+healthy\s+just now \(\d{4}-\d\d-\d\d \d\d:\d\d \S+\)/);
    expect(human.stdout).toMatch(/foghorn\s+inst-fog-2\s+central-2\s+10\.0\.0\.6:18008\s+\S+\s+✗ down\s+unhealthy/);
    expect(rows.find((x) => x.instance_id === 'inst-fog-2')).toMatchObject({ status: 'unhealthy', condition: 'down' });
    expect(human.stdout).not.toContain(cp.serviceToken);
  });

  it('--type discovers, then asks per service id; --service-id asks once', async () => {
    seed();
    const r = await run(['services', 'health', '--type', 'foghorn', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({ type: 'foghorn', service_ids: ['foghorn'], count: 2 });
    expect(rowsOf<HealthRow>(r).map((x) => x.instance_id).sort()).toEqual(['inst-fog-1', 'inst-fog-2']);
    expect(cp.requestsTo('quartermaster', '/service-discovery')[0].query).toBe('?type=foghorn');
    expect(cp.requestsTo('quartermaster', '/services/foghorn/health')).toHaveLength(1);

    const one = await run(['services', 'health', '--service-id', 'decklog', '--json']);
    expect(one.code).toBe(0);
    expect(rowsOf<HealthRow>(one).map((x) => [x.instance_id, x.protocol])).toEqual([['inst-dl-1', 'grpc']]);

    const none = await run(['services', 'health', '--type', 'nosuch']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('No instance of type nosuch (discovery found none)');
    expect(cp.requestsTo('quartermaster').filter((q) => q.path.endsWith('/health') && q.path.includes('nosuch'))).toHaveLength(0);
  });

  it('--unhealthy lists only the unhealthy and exits 1; all healthy → exit 0', async () => {
    seed();
    const r = await run(['services', 'health', '--unhealthy', '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'SERVICES_UNHEALTHY' });
    expect(String(r.json!.message)).toContain('1 of 4 instances are not healthy: foghorn/inst-fog-2 (unhealthy)');
    expect(rowsOf<HealthRow>({ json: r.json }).map((x) => x.instance_id)).toEqual(['inst-fog-2']);
    const ok = await run(['services', 'health', '--unhealthy', '--service-id', 'quartermaster']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('All 1 instance is healthy.');
  });

  it('null lists are empty: exit 0 and an empty table', async () => {
    const r = await run(['services', 'health', '--service-id', 'unknown', '--json']);
    expect(r.code).toBe(0);
    expect(r.json!.result).toMatchObject({ count: 0, instances: [] });
    const human = await run(['services', 'health']);
    expect(human.code).toBe(0);
    expect(human.stderr).toContain('No instance was health-checked by Quartermaster in the last 180 s.');
  });

  it('Quartermaster down → exit 6; no credential → exit 3 with the login hint', async () => {
    const down = await run(['services', 'health', '--json'], { FRAMEWORKS_QUARTERMASTER_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(6);
    expect(down.json).toMatchObject({ status: 6, code: 'UNREACHABLE' });
    const anon = await run(['services', 'health', '--json'], { FRAMEWORKS_SERVICE_TOKEN: undefined });
    expect(anon.code).toBe(3);
    expect((anon.json!.suggestions as string[]).join(' ')).toContain('--service-token-stdin');
    const anonDiscover = await run(['services', 'discover', '--type', 'foghorn'], { FRAMEWORKS_SERVICE_TOKEN: undefined });
    expect(anonDiscover.code).toBe(3);
    expect(cp.requestsTo('quartermaster')).toHaveLength(0);
  });
});

describe('services discover', () => {
  it('lists a type (stopped ones too), narrows by cluster and health', async () => {
    seed();
    const r = await run(['services', 'discover', '--type', 'foghorn', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(rowsOf<DiscoverRow>(r).map((x) => [x.instance_id, x.status, x.health_status]).sort()).toEqual([
      ['inst-fog-1', 'running', 'healthy'],
      ['inst-fog-2', 'running', 'unhealthy'],
      ['inst-fog-old', 'stopped', 'unknown'],
    ]);
    expect(cp.requestsTo('quartermaster', '/service-discovery')[0].headers.authorization).toBe(`Bearer ${cp.serviceToken}`);

    const narrowed = await run(['services', 'discover', '--type', 'foghorn', '--cluster-id', 'central-1', '--healthy-only', '--json']);
    expect(narrowed.code).toBe(0);
    expect(rowsOf<DiscoverRow>(narrowed).map((x) => x.instance_id)).toEqual(['inst-fog-1']);
    expect(cp.requestsTo('quartermaster', '/service-discovery').at(-1)!.query).toBe('?type=foghorn&cluster_id=central-1');

    const human = await run(['services', 'discover', '--type', 'foghorn']);
    expect(human.stdout).toMatch(/^SERVICE\s+INSTANCE\s+CLUSTER\s+NODE\s+PORT\s+VERSION\s+STATUS\s+HEALTH\s+LAST CHECK/);
    expect(human.stdout).toMatch(/foghorn\s+inst-fog-old\s+central-1\s+-\s+\S+\s+\S+\s+stopped\s+\? unknown\s/);
    expect(human.stdout).toMatch(/foghorn\s+inst-fog-2\s+.*running\s+✗ down \(unhealthy\)/);
  });

  it('unknown type → empty, exit 0; --type is required (exit 2); QM down → exit 6', async () => {
    const r = await run(['services', 'discover', '--type', 'nosuch', '--json']);
    expect(r.code).toBe(0);
    expect(r.json!.result).toMatchObject({ type: 'nosuch', count: 0, instances: [] });
    expect((await run(['services', 'discover'])).code).toBe(2);
    expect((await run(['services', 'discover', '--type', 'foghorn'], { FRAMEWORKS_QUARTERMASTER_URL: 'http://127.0.0.1:9' })).code).toBe(6);
  });
});

describe('services health and discover accept a JWT (preferred for these read routes); Quartermaster scopes the tenant', () => {
  const TENANT = 'c0ffee00-0000-4000-8000-000000000001';
  const PROVIDER = 'c0ffee00-0000-4000-8000-000000000002';
  const jwtOf = (tenant: string) => cp.signJwt({ user_id: 'u-1', tenant_id: tenant, email: 'ops@example.com', role: 'owner' });
  const scoped = () => {
    cp.addCluster({ cluster_id: 'mine', owner_tenant_id: TENANT });
    cp.addCluster({ cluster_id: 'shared', access: [TENANT] });
    cp.addCluster({ cluster_id: 'theirs' });
    cp.addServiceInstance({ service_id: 'foghorn', instance_id: 'fog-mine', cluster_id: 'mine' });
    cp.addServiceInstance({ service_id: 'foghorn', instance_id: 'fog-shared', cluster_id: 'shared' });
    cp.addServiceInstance({ service_id: 'foghorn', instance_id: 'fog-theirs', cluster_id: 'theirs' });
  };

  it('a tenant JWT alone works and shows only owned or granted clusters; a provider JWT shows all', async () => {
    scoped();
    const tenantEnv = { FRAMEWORKS_SERVICE_TOKEN: undefined, FRAMEWORKS_JWT: jwtOf(TENANT) };
    const health = await run(['services', 'health', '--json'], tenantEnv);
    expect(health.code, health.stdout + health.stderr).toBe(0);
    expect(rowsOf<HealthRow>(health).map((r) => r.instance_id).sort()).toEqual(['fog-mine', 'fog-shared']);
    const discover = await run(['services', 'discover', '--type', 'foghorn', '--json'], tenantEnv);
    expect(discover.code, discover.stdout + discover.stderr).toBe(0);
    expect(rowsOf<DiscoverRow>(discover).map((r) => r.instance_id).sort()).toEqual(['fog-mine', 'fog-shared']);
    for (const r of cp.requestsTo('quartermaster')) expect(r.headers.authorization).toBe(`Bearer ${tenantEnv.FRAMEWORKS_JWT}`);

    cp.addProviderTenant(PROVIDER);
    const all = await run(['services', 'health', '--json'], { FRAMEWORKS_SERVICE_TOKEN: undefined, FRAMEWORKS_JWT: jwtOf(PROVIDER) });
    expect(rowsOf<HealthRow>(all).map((r) => r.instance_id).sort()).toEqual(['fog-mine', 'fog-shared', 'fog-theirs']);
  });

  it('with both a JWT and the service token, the JWT is sent (the tenant view); the admin routes keep the service token', async () => {
    scoped();
    const both = { FRAMEWORKS_JWT: jwtOf(TENANT) };
    const r = await run(['services', 'discover', '--type', 'foghorn', '--json'], both);
    expect(r.code, r.stderr).toBe(0);
    expect(cp.requestsTo('quartermaster', '/service-discovery')[0].headers.authorization).toBe(`Bearer ${both.FRAMEWORKS_JWT}`);
    expect(rowsOf<DiscoverRow>(r)).toHaveLength(2);
    const nodes = await run(['admin', 'nodes', 'list', '--json'], both);
    expect(nodes.code, nodes.stderr).toBe(0);
    expect(cp.requestsTo('quartermaster', '/nodes')[0].headers.authorization).toBe(`Bearer ${cp.serviceToken}`);
  });

  it('a tenant granted a cluster gets its stale rows too (the contract\'s missing parentheses); the age column shows them as old', async () => {
    cp.addCluster({ cluster_id: 'shared', access: [TENANT] });
    cp.addServiceInstance({ service_id: 'foghorn', instance_id: 'fog-stale', cluster_id: 'shared', last_health_check_age_s: 900 });
    const svc = await run(['services', 'health', '--json']);
    expect(rowsOf<HealthRow>(svc)).toEqual([]);
    const tenant = await run(['services', 'health', '--json'], { FRAMEWORKS_SERVICE_TOKEN: undefined, FRAMEWORKS_JWT: jwtOf(TENANT) });
    expect(rowsOf<HealthRow>(tenant).map((r) => [r.instance_id, r.last_check_age_s! >= 890])).toEqual([['fog-stale', true]]);
  });
});
