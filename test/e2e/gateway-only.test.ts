/**
 * Gateway-only flows (issue 8): developer tokens, bootstrap tokens and node modes through the
 * Gateway's GraphQL (contract §4.5, §4.6, §5.2) when a context is gateway-only, or when the direct
 * endpoint is unreachable and the context allows the fallback. Union errors → exit codes.
 * The contexts are written into config.yaml directly (as `context set` would).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';

const DEAD = 'http://127.0.0.1:9'; // discard port: nothing listens
const TENANT = '5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10';
const USER_ID = 'a1b2c3d4-0000-4000-8000-000000000001';

let cp: ControlPlane;
let sb: CliSandbox;

const jwt = () => ({ FRAMEWORKS_JWT: cp.signJwt({ user_id: USER_ID, tenant_id: TENANT, email: 'ops@example.com', role: 'owner' }) });
const svc = () => ({ FRAMEWORKS_SERVICE_TOKEN: cp.serviceToken });
const run = (ctx: string, args: string[], env: Record<string, string> = {}) => sb.run([...args, '--context', ctx], { env });
const result = <T = Record<string, unknown>>(r: CliResult) => r.json!.result as T;
const graphqlCalls = () => cp.requestsTo('gateway').filter((r) => r.path === '/graphql');

beforeAll(async () => {
  cp = await startControlPlane();
  sb = new CliSandbox('fw-gateway-only-');
  const dead = `      quartermaster: ${DEAD}\n      control: ${DEAD}\n      foghorn-http: ${DEAD}\n      gateway: ${cp.urls.gateway}\n`;
  mkdirSync(sb.frameworksHome, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(sb.frameworksHome, 'config.yaml'),
    [
      'version: 1',
      'current: fallback',
      'contexts:',
      '  fallback:',
      '    endpoints:',
      dead + '    gateway:',
      '      fallback: true',
      '  only:',
      '    endpoints:',
      dead + '    gateway:',
      '      only: true',
      '  direct:',
      '    endpoints:',
      dead,
    ].join('\n'),
  );
});
afterAll(async () => {
  await cp?.close();
  sb?.cleanup();
});
afterEach(() => {
  cp.reset();
  cp.clearData();
});

describe.each(['fallback', 'only'])('context %s, Quartermaster, Commodore and Foghorn unreachable', (ctx) => {
  it('admin tokens create / list / revoke go through the Gateway GraphQL (text and --json)', async () => {
    const created = await run(ctx, ['admin', 'tokens', 'create', '--name', 'ci', '--perms', 'read', '--expires', '30d', '--verbose'], jwt());
    expect(created.code, created.stderr).toBe(0);
    const stored = cp.developerTokens[0];
    expect(stored).toMatchObject({ token_name: 'ci', permissions: ['read'], user_id: USER_ID });
    expect(created.stdout).toContain(stored.token_value); // shown once, as the direct path does
    expect(created.stdout).toContain('Created developer token "ci"');
    expect(created.stderr).toContain('admin tokens create via Gateway GraphQL');

    const json = await run(ctx, ['admin', 'tokens', 'create', '--name', 'dash', '--json'], jwt());
    expect(json.code, json.stdout).toBe(0);
    expect(result(json)).toMatchObject({ token: { token_name: 'dash', token_value: cp.developerTokens[1].token_value } });

    const list = await run(ctx, ['admin', 'tokens', 'list', '--json'], jwt());
    expect(list.code, list.stderr).toBe(0);
    const tokens = result<{ tokens: Array<{ id: string; token_name: string; status: string }>; count: number }>(list);
    expect(tokens.count).toBe(2);
    expect(tokens.tokens.map((t) => t.token_name).sort()).toEqual(['ci', 'dash']);
    expect(list.stdout).not.toContain(stored.token_value);

    const revoke = await run(ctx, ['admin', 'tokens', 'revoke', stored.id, '--yes'], jwt());
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.stdout).toContain(`Revoked developer token "ci" (${stored.id})`);
    expect(cp.developerTokens[0].active).toBe(false);
    // Every call went to the Gateway, with the user's JWT.
    expect(graphqlCalls().every((r) => r.headers.authorization?.startsWith('Bearer eyJ'))).toBe(true);
    expect(cp.requestsTo('control')).toHaveLength(0);
  });

  it('admin bootstrap-tokens create / list / revoke go through the Gateway with the service token', async () => {
    const created = await run(ctx, ['admin', 'bootstrap-tokens', 'create', '--kind', 'service', '--ttl', '2d', '--json'], svc());
    expect(created.code, created.stderr).toBe(0);
    const stored = cp.bootstrapTokens[0] as { id: string; token: string; kind: string };
    expect(stored.kind).toBe('service');
    expect(result(created)).toMatchObject({ token: { id: stored.id, token: stored.token, kind: 'service' } });
    const sent = JSON.parse(graphqlCalls()[0].body) as { variables: unknown };
    expect(sent.variables).toEqual({ input: { name: 'Bootstrap Token', type: 'SERVICE', expiresIn: 2 } });
    expect(graphqlCalls()[0].headers.authorization).toBe(`Bearer ${cp.serviceToken}`);

    const text = await run(ctx, ['admin', 'bootstrap-tokens', 'list'], svc());
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(stored.id);
    expect(text.stdout).not.toContain(stored.token);

    const revoke = await run(ctx, ['admin', 'bootstrap-tokens', 'revoke', stored.id, '--yes', '--json'], svc());
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(result(revoke)).toMatchObject({ id: stored.id, revoked: true });
    expect(cp.bootstrapTokens).toHaveLength(0);
  });

  it('edge drain / undrain set the node mode with setNodeMode (text and --json)', async () => {
    cp.setViewers('edge-ams-1', 7);
    const drain = await run(ctx, ['edge', 'drain', 'edge-ams-1'], svc());
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain('edge-ams-1 is draining; 7 viewer(s) on it');
    const status = await sb.run(['edge', 'drain-status', 'edge-ams-1', '--json'], { env: { FRAMEWORKS_FOGHORN_HTTP_URL: cp.urls['foghorn-http'] } });
    expect(result(status)).toMatchObject({ operational_mode: 'draining' });

    const undrain = await run(ctx, ['edge', 'undrain', 'edge-ams-1', '--json'], svc());
    expect(undrain.code, undrain.stderr).toBe(0);
    expect(result(undrain)).toMatchObject({ node_id: 'edge-ams-1', operational_mode: 'normal', mode_before: null });
    const sent = graphqlCalls().map((r) => (JSON.parse(r.body) as { variables: { input: { mode: string } } }).variables.input.mode);
    expect(sent).toEqual(['DRAINING', 'NORMAL']);
  });
});

describe('what the Gateway does not offer', () => {
  it('a gateway-only context refuses drain-status, drain --wait, admin nodes and services health/discover, naming the direct endpoint', async () => {
    const commands = [['edge', 'drain-status', 'edge-1'], ['edge', 'drain', 'edge-1', '--wait'], ['admin', 'nodes', 'list'], ['services', 'health'], ['services', 'discover', '--type', 'foghorn']];
    for (const args of commands) {
      const r = await run('only', [...args, '--json'], svc());
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.json).toMatchObject({ code: 'GATEWAY_NOT_OFFERED' });
      expect(String(r.json!.message)).toContain(DEAD);
    }
    expect(graphqlCalls()).toHaveLength(0);
  });

  it('--dry-run in a gateway-only context shows the GraphQL call it would send, and sends nothing', async () => {
    const r = await run('only', ['admin', 'bootstrap-tokens', 'create', '--kind', 'service', '--ttl', '7d', '--dry-run', '--json'], svc());
    expect(r.code, r.stdout).toBe(0);
    expect(result(r)).toMatchObject({
      dry_run: true,
      request: { url: `${cp.urls.gateway}/graphql`, operation: 'createBootstrapToken', variables: { input: { type: 'SERVICE', expiresIn: 7 } } },
    });
    const dev = await run('only', ['admin', 'tokens', 'create', '--name', 'ci', '--expires', '12h', '--dry-run'], jwt());
    expect(dev.code).toBe(2); // the Gateway takes whole days
    expect(dev.stderr).toContain('whole days');
    expect(graphqlCalls()).toHaveLength(0);
  });

  it('an edge_node bootstrap token cannot go through the Gateway (no tenant in its input): exit 2, nothing sent', async () => {
    const r = await run('only', ['admin', 'bootstrap-tokens', 'create', '--tenant-id', TENANT, '--json'], svc());
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ code: 'GATEWAY_INPUT_UNSUPPORTED' });
    expect(graphqlCalls()).toHaveLength(0);
  });

  it('without the fallback an unreachable Quartermaster is exit 6 as before, and the Gateway is not asked', async () => {
    const r = await run('direct', ['admin', 'bootstrap-tokens', 'list', '--json'], svc());
    expect(r.code).toBe(6);
    expect(r.json).toMatchObject({ code: 'UNREACHABLE' });
    const tokens = await run('direct', ['admin', 'tokens', 'list', '--verbose'], jwt());
    expect(tokens.code).toBe(6);
    // --verbose says which way the call went.
    expect(tokens.stderr).toContain(`route: admin tokens list direct Commodore (${DEAD})`);
    expect(graphqlCalls()).toHaveLength(0);
  });

  it('with the fallback allowed and the Gateway down too: exit 6 naming both', async () => {
    const r = await run('fallback', ['admin', 'tokens', 'list', '--json'], { ...jwt(), FRAMEWORKS_GATEWAY_URL: DEAD });
    expect(r.code).toBe(6);
    expect(String(r.json!.message)).toMatch(/Cannot reach Commodore.*The Gateway fallback failed too: Cannot reach Gateway/);
  });

  it('with the fallback allowed, a reachable direct endpoint is used and the Gateway is not asked', async () => {
    const r = await run('fallback', ['admin', 'bootstrap-tokens', 'create', '--kind', 'service', '--verbose'], { ...svc(), FRAMEWORKS_QUARTERMASTER_URL: cp.urls.quartermaster });
    expect(r.code, r.stderr).toBe(0);
    expect(cp.requestsTo('quartermaster', '/admin/bootstrap-tokens')).toHaveLength(1);
    expect(graphqlCalls()).toHaveLength(0);
    expect(r.stderr).toContain('route: admin bootstrap-tokens create direct Quartermaster');
  });

  it('context show says how the context reaches the control plane', async () => {
    const only = await run('only', ['context', 'show', 'only', '--json']);
    expect(result(only)).toMatchObject({ gateway: { only: true, fallback: false } });
    const text = await run('fallback', ['context', 'show', 'fallback']);
    expect(text.stdout).toMatch(/control plane:\s+direct, the Gateway when a direct endpoint is unreachable/);
  });
});

describe('union results and transport errors become exit codes', () => {
  it('ValidationError → exit 2 naming the field', async () => {
    const r = await run('only', ['admin', 'tokens', 'create', '--name', 'x', '--expires', '4000d', '--json'], jwt());
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ code: 'GATEWAY_VALIDATION' });
    expect(String(r.json!.message)).toContain('field "expiresIn"');
  });

  it('AuthError → exit 3', async () => {
    cp.setViewers('edge-1', 0);
    const r = await run('only', ['edge', 'undrain', 'edge-1', '--json'], jwt());
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ code: 'GATEWAY_AUTH' });
    expect(String(r.json!.message)).toContain('node is not owned by this tenant');
  });

  it('NotFoundError → exit 1 (unknown token id, unknown node)', async () => {
    const r = await run('only', ['admin', 'tokens', 'revoke', '0c7f5f8e-7d7a-4b1a-8f3e-3f2f6b2a1c11', '--yes', '--json'], jwt());
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'NOT_FOUND' });
    const node = await run('only', ['edge', 'drain', 'edge-nowhere', '--json'], svc());
    expect(node.code).toBe(1);
    expect(node.json).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('RateLimitError → a retry-later error; transport errors[] → a clear error; the EDGE_NODE casing fault is named', async () => {
    cp.bridge.rateLimitNext(1);
    const limited = await run('only', ['admin', 'tokens', 'create', '--name', 'x', '--json'], jwt());
    expect(limited.code).toBe(1);
    expect(limited.json).toMatchObject({ code: 'RATE_LIMITED' });
    expect(String(limited.json!.message)).toContain('retry later');

    cp.inject('gateway', { kind: 'status', code: 200, body: { errors: [{ message: 'resolver exploded' }], data: null } }, { path: '/graphql', times: 1 });
    const broken = await run('only', ['admin', 'tokens', 'list', '--json'], jwt());
    expect(broken.code).toBe(1);
    expect(broken.json).toMatchObject({ code: 'GRAPHQL_ERROR' });
    expect(String(broken.json!.message)).toContain('resolver exploded');

    cp.bridge.setKindCasingBug(true);
    try {
      const casing = await run('only', ['admin', 'bootstrap-tokens', 'create', '--kind', 'service', '--json'], svc());
      expect(casing.code).toBe(1);
      expect(casing.json).toMatchObject({ code: 'GATEWAY_KIND_CASING' });
      expect(String(casing.json!.message)).toContain('invalid kind');
    } finally {
      cp.bridge.setKindCasingBug(false);
    }
  });

  it('the wrong credential for the Gateway operation is exit 3 before anything is sent', async () => {
    const r = await run('only', ['admin', 'bootstrap-tokens', 'list', '--json'], jwt());
    expect(r.code).toBe(3);
    expect(graphqlCalls()).toHaveLength(0);
  });
});
