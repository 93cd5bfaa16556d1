import { describe, expect, it } from 'vitest';
import type { ComposeContainer } from '@frameworks/sdk/compose';
import type { CertReport } from '../src/cert/probe.js';
import { isReservedName } from '../src/status/dns.js';
import { evaluateStatus } from '../src/status/evaluate.js';
import type { HttpsView } from '../src/status/https.js';
import { parseNodeMode } from '../src/status/node.js';
import { matchNode } from '../src/status/quartermaster.js';
import { RECENT_RESTART_S, evaluateServices, formatUptime, type ServiceStatus } from '../src/status/services.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const EXPECTED = ['caddy', 'mistserver', 'helmsman'] as const;
let ids = 0;

function container(service: string, o: Partial<ComposeContainer> = {}): ComposeContainer {
  const id = (++ids).toString(16).padStart(64, 'a');
  return {
    id,
    name: `edge-${service}-${o.number ?? 1}`,
    project: 'edge',
    service,
    number: 1,
    state: 'running',
    health: 'healthy',
    exitCode: 0,
    restartCount: 0,
    startedAt: new Date(NOW.getTime() - 3_600_000).toISOString(),
    restartPolicy: 'unless-stopped',
    image: `local/${service}:1`,
    imageId: `sha256:${'b'.repeat(64)}`,
    repoDigests: [],
    ports: [],
    oneoff: false,
    labels: {},
    ...o,
  };
}
const healthyStack = () => EXPECTED.map((s) => container(s));
const byName = (rows: ServiceStatus[]) => Object.fromEntries(rows.map((r) => [r.service, r]));

describe('evaluateServices (from compose labels)', () => {
  it('three healthy services pass, with image, digest, uptime and restarts', () => {
    const cs = healthyStack();
    cs[0].digest = 'sha256:' + 'c'.repeat(64);
    const rows = evaluateServices(EXPECTED, cs, new Map([[cs[0].id, 2]]), NOW);
    expect(rows.map((r) => [r.service, r.status])).toEqual([
      ['caddy', 'pass'],
      ['mistserver', 'pass'],
      ['helmsman', 'pass'],
    ]);
    expect(rows[0]).toMatchObject({ required: true, container: 'edge-caddy-1', state: 'running', health: 'healthy', restarts: 2, uptime_s: 3600, image: 'local/caddy:1', digest: cs[0].digest, containers: 1 });
    expect(rows[1].digest).toBeUndefined();
  });

  it('a missing service is a failure, not an absence', () => {
    const rows = byName(evaluateServices(EXPECTED, healthyStack().filter((c) => c.service !== 'mistserver'), new Map(), NOW));
    expect(rows.mistserver).toMatchObject({ state: 'missing', status: 'fail', problem: 'missing: no container', containers: 0 });
  });

  it('unhealthy (with the probe output), exited, restarting, created and paused fail; starting warns', () => {
    const cases: Array<[Partial<ComposeContainer>, 'fail' | 'warn', RegExp]> = [
      [{ health: 'unhealthy', healthLog: 'Connecting…\nwget: server returned error: HTTP/1.1 503' }, 'fail', /^unhealthy: wget: server returned error: HTTP\/1.1 503$/],
      [{ state: 'exited', exitCode: 137, health: undefined }, 'fail', /^exited \(exit 137\)$/],
      [{ state: 'restarting', exitCode: 1 }, 'fail', /^restarting \(last exit 1\)$/],
      [{ state: 'created' }, 'fail', /never started/],
      [{ state: 'paused' }, 'fail', /^paused$/],
      [{ health: 'starting' }, 'warn', /starting/],
    ];
    for (const [o, status, problem] of cases) {
      const row = byName(evaluateServices(EXPECTED, [...healthyStack().filter((c) => c.service !== 'helmsman'), container('helmsman', o)], new Map(), NOW)).helmsman;
      expect(row.status, JSON.stringify(o)).toBe(status);
      expect(row.problem).toMatch(problem);
    }
    const exited = byName(evaluateServices(EXPECTED, [container('helmsman', { state: 'exited', exitCode: 2 })], new Map(), NOW)).helmsman;
    expect(exited).toMatchObject({ exit_code: 2 });
    expect(exited.uptime_s).toBeUndefined();
  });

  it('a recent restart warns; an old one does not; no healthcheck is fine', () => {
    const fresh = container('helmsman', { startedAt: new Date(NOW.getTime() - 30_000).toISOString() });
    const old = container('caddy', { health: undefined });
    const rows = byName(evaluateServices(EXPECTED, [fresh, old, container('mistserver')], new Map([[fresh.id, 3], [old.id, 5]]), NOW));
    expect(rows.helmsman).toMatchObject({ status: 'warn', problem: 'restarted 3 times, up 30 s' });
    expect(rows.caddy).toMatchObject({ status: 'pass', health: 'none', restarts: 5 });
    expect(RECENT_RESTART_S).toBe(300);
  });

  it('a scaled service shows its worst container; one-off containers are ignored', () => {
    const cs = [...healthyStack(), container('mistserver', { number: 2, name: 'edge-mistserver-2', state: 'exited', exitCode: 1 }), container('helmsman', { oneoff: true, state: 'exited', name: 'edge-helmsman-run-1' })];
    const rows = byName(evaluateServices(EXPECTED, cs, new Map(), NOW));
    expect(rows.mistserver).toMatchObject({ status: 'fail', containers: 2, container: 'edge-mistserver-2', problem: 'edge-mistserver-2: exited (exit 1)' });
    expect(rows.helmsman).toMatchObject({ status: 'pass', containers: 1 });
  });

  it('a service beyond the three is listed, never required: its failure only warns', () => {
    const rows = evaluateServices(EXPECTED, [...healthyStack(), container('vmagent', { state: 'exited', exitCode: 1 })], new Map(), NOW);
    expect(rows.map((r) => r.service)).toEqual(['caddy', 'mistserver', 'helmsman', 'vmagent']);
    expect(rows[3]).toMatchObject({ required: false, status: 'warn' });
  });
});

describe('evaluateStatus', () => {
  const services = evaluateServices(EXPECTED, healthyStack(), new Map(), NOW);
  const https = (o: Partial<HttpsView> = {}): HttpsView => ({ url: 'https://edge.test/', dialled: '127.0.0.1:443', ok: true, handshake: true, verified: true, trust: 'system', latency_ms: 3, health: { status: 200, ok: true }, ...o });
  const cert = (o: Partial<CertReport> = {}): CertReport => ({ domain: 'edge.test', url: 'https://edge.test/', dialled: '127.0.0.1:443', trust: 'system', verified: true, latency_ms: 3, status: 'pass', code: 'CERT_OK', message: 'ok', threshold: '', ...o });

  it('all good: healthy', () => {
    expect(evaluateStatus({ services, https: https(), cert: cert(), dns: { domain: 'edge.test', status: 'skip', value: 'x', hint: '' } })).toEqual({ verdict: 'healthy', problems: [], warnings: [] });
  });
  it('a failing service, HTTPS, /health, certificate or DNS degrades; warnings do not', () => {
    const down = services.map((s) => (s.service === 'helmsman' ? { ...s, status: 'fail' as const, problem: 'unhealthy: 503' } : s));
    expect(evaluateStatus({ services: down }).problems).toEqual(['helmsman: unhealthy: 503']);
    expect(evaluateStatus({ services, https: https({ ok: false, handshake: false, error: 'connect ECONNREFUSED' }) }).problems).toEqual(['HTTPS https://edge.test/: connect ECONNREFUSED']);
    expect(evaluateStatus({ services, https: https({ ok: false, health: { status: 503, ok: false } }) }).problems).toEqual(['HTTPS https://edge.test/health: HTTP 503']);
    expect(evaluateStatus({ services, cert: cert({ status: 'fail', code: 'CERT_EXPIRING', message: 'expires in 2 days' }) })).toMatchObject({ verdict: 'degraded', problems: ['certificate: expires in 2 days'] });
    expect(evaluateStatus({ services, dns: { domain: 'e', status: 'fail', value: 'e does not resolve', hint: 'fix it' } }).verdict).toBe('degraded');
    const warned = evaluateStatus({ services, cert: cert({ status: 'warn', code: 'CERT_EXPIRES_SOON', message: '20 days' }), dns: { domain: 'e', status: 'warn', value: 'v', hint: '' } });
    expect(warned).toMatchObject({ verdict: 'healthy', warnings: ['certificate: 20 days', 'DNS: v'] });
  });
  it('no TLS handshake is one problem, not two (the certificate is not counted again)', () => {
    const e = evaluateStatus({ services, https: https({ ok: false, handshake: false, error: 'timeout' }), cert: cert({ status: 'fail', code: 'HTTPS_UNREACHABLE', message: 'no certificate' }) });
    expect(e.problems).toHaveLength(1);
  });
});

describe('helpers', () => {
  it('reserved names (.test, .internal, …) are recognised; real ones are not', () => {
    for (const d of ['edge.test', 'EDGE.TEST.', 'x.example', 'localhost', 'a.localhost', 'n.local', 'n.internal', 'n.lan', 'r.home.arpa', 'n.invalid']) expect(isReservedName(d), d).toBe(true);
    for (const d of ['edge.example.com', 'test.com', 'mytest', 'internal.example.org']) expect(isReservedName(d), d).toBe(false);
  });
  it("Helmsman's /node/mode", () => {
    expect(parseNodeMode('{"mode":"draining","node_id":"edge-250601120000"}')).toEqual({ mode: 'draining', node_id: 'edge-250601120000' });
    expect(parseNodeMode('{"mode":"","node_id":"edge-1"}')).toEqual({ mode: 'normal', node_id: 'edge-1' });
    expect(parseNodeMode('<html>')).toMatchObject({ error: expect.stringContaining('not JSON') });
    expect(parseNodeMode('{}')).toMatchObject({ error: expect.any(String) });
  });
  it("Quartermaster's node list: null (⚠ nil slice), node_id first, then id or node_name", () => {
    expect(matchNode(null, 'edge-1')).toBeUndefined();
    const nodes = [
      { id: 'uuid-1', node_id: 'edge-2', node_name: 'edge-1', status: 'active' },
      { id: 'uuid-2', node_id: 'edge-1', status: 'active', health_score: 0.9, last_heartbeat: '2025-06-01T11:59:00Z', external_ip: null },
    ];
    expect(matchNode(nodes, 'edge-1')).toEqual({ id: 'uuid-2', node_id: 'edge-1', status: 'active', health_score: 0.9, last_heartbeat: '2025-06-01T11:59:00Z' });
    expect(matchNode([{ id: 'uuid-3', node_id: 'x', node_name: 'edge-9' }], 'edge-9')).toMatchObject({ node_id: 'x', node_name: 'edge-9' });
  });
  it('uptime', () => {
    expect([formatUptime(undefined), formatUptime(12), formatUptime(125), formatUptime(7_300), formatUptime(200_000)]).toEqual(['', '12 s', '2 min', '2 h 1 min', '2 d 7 h']);
  });
});
