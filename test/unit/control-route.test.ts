// The one place that picks direct or Gateway (issue 8): what counts as "unreachable", and that a
// change is handed to the Gateway only when the direct request surely never left this machine.
import { describe, expect, it } from 'vitest';
import { FrameworksError } from '../../packages/sdk/src/errors.js';
import { routeControlCall, unreachableForFallback, type RouteSpec } from '../../packages/sdk/src/net/control-route.js';

const netErr = (code: string, cause: Record<string, unknown>) => new FrameworksError('Cannot reach Quartermaster', { code, exitCode: 6, cause });
const spec = (direct: () => Promise<string>, settings = { only: false, fallback: true }, mutation = false): RouteSpec<string> => ({
  operation: 'admin bootstrap-tokens create',
  settings,
  direct: { service: 'Quartermaster', key: 'quartermaster', url: 'http://qm:18002', run: direct },
  gateway: { url: 'http://gw/graphql', run: async () => 'gateway' },
  mutation,
});

describe('unreachableForFallback', () => {
  it('a read falls back on any network error or timeout, never on an answer', () => {
    expect(unreachableForFallback(netErr('UNREACHABLE', { code: 'ECONNRESET' }), false)).toBe(true);
    expect(unreachableForFallback(netErr('TIMEOUT', { event: 'request' }), false)).toBe(true);
    expect(unreachableForFallback(new FrameworksError('403', { code: 'FORBIDDEN', exitCode: 5 }), false)).toBe(false);
    expect(unreachableForFallback(new FrameworksError('404', { code: 'NOT_FOUND', exitCode: 1 }), false)).toBe(false);
  });

  it('a change falls back only when the connection was never made', () => {
    expect(unreachableForFallback(netErr('UNREACHABLE', { code: 'ECONNREFUSED' }), true)).toBe(true);
    expect(unreachableForFallback(netErr('TIMEOUT', { code: 'ETIMEDOUT', event: 'connect' }), true)).toBe(true);
    // Sent, then no answer: the server may have created the token; a second create would duplicate it.
    expect(unreachableForFallback(netErr('TIMEOUT', { code: 'ETIMEDOUT', event: 'request' }), true)).toBe(false);
    expect(unreachableForFallback(netErr('UNREACHABLE', { code: 'ECONNRESET' }), true)).toBe(false);
  });
});

describe('routeControlCall', () => {
  it('gateway-only never calls the direct endpoint; fallback only after an unreachable direct one', async () => {
    let direct = 0;
    const ok = async () => (direct++, 'direct');
    expect((await routeControlCall(spec(ok, { only: true, fallback: false }))).path).toBe('gateway');
    expect(direct).toBe(0);
    expect((await routeControlCall(spec(ok))).value).toBe('direct');
    const refused = async () => { throw netErr('UNREACHABLE', { code: 'ECONNREFUSED' }); };
    expect((await routeControlCall(spec(refused, undefined, true))).describe).toBe('via Gateway GraphQL');
    await expect(routeControlCall(spec(refused, { only: false, fallback: false }))).rejects.toMatchObject({ code: 'UNREACHABLE' });
    const timedOut = async () => { throw netErr('TIMEOUT', { event: 'request' }); };
    await expect(routeControlCall(spec(timedOut, undefined, true))).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
