import { describe, expect, it } from 'vitest';
import { certItems, httpsItems, nextSteps, preflightItems, serviceItems, type DoctorSection } from '../src/doctor/run.js';
import { certFix, httpsFix, preflightFix, serviceFix, type FixContext } from '../src/status/remediation.js';
import { edgeHint } from '../src/lib/edge-hint.js';
import { DOCKERD_NOFILE_FIX } from '../src/preflight/nofile.js';
import { check, type Check, type CheckCategory } from '../src/preflight/types.js';
import type { StatusReport } from '../src/status/run.js';

const local: FixContext = { host: { host: 'local', dir: '/opt/edge', remote: false }, domain: 'edge.example.com', compose: 'docker compose -p edge -f /opt/edge/docker-compose.edge.yml --env-file /opt/edge/.edge.env' };
const remote: FixContext = { ...local, host: { host: 'ops@edge-1', dir: '/opt/edge', remote: true } };
const CATEGORIES: CheckCategory[] = ['dns', 'ports', 'time', 'docker', 'disk', 'shm', 'sysctl', 'limits'];

describe('preflightFix: chosen by category, never by words in the check name (⚠ Go CLI)', () => {
  it('every category has an exact command, locally and over SSH', () => {
    for (const category of CATEGORIES) {
      for (const ctx of [local, remote]) {
        const fix = preflightFix({ id: `x-${category}`, category }, ctx);
        expect(fix, category).toMatch(/^(frameworks |ssh |[a-z])/);
        expect(fix.length).toBeGreaterThan(8);
      }
    }
  });
  it('net.ipv4.ip_local_port_range is a sysctl: tune, not "free the port"', () => {
    expect(preflightFix({ id: 'sysctl:net.ipv4.ip_local_port_range', category: 'sysctl' }, local)).toBe('frameworks edge tune --write');
    expect(preflightFix({ id: 'sysctl:net.core.somaxconn', category: 'sysctl', fix: 'frameworks edge tune --write' }, remote)).toBe('frameworks edge tune --write --ssh ops@edge-1');
  });
  it('a port check names its port; DNS names the domain; both run on the host', () => {
    expect(preflightFix({ id: 'port-443', category: 'ports' }, local)).toMatch(/^ss -Htlnp 'sport = :443'/);
    expect(preflightFix({ id: 'port-80', category: 'ports' }, remote)).toMatch(/^ssh ops@edge-1 'ss -Htlnp '\\''sport = :80'\\'''/);
    expect(preflightFix({ id: 'dns', category: 'dns' }, local)).toMatch(/^getent ahosts edge\.example\.com {3}# /);
  });
  it("a check's own fix is used for host commands (nofile, disk, docker)", () => {
    expect(preflightFix({ id: 'nofile', category: 'limits', fix: DOCKERD_NOFILE_FIX }, local)).toBe(DOCKERD_NOFILE_FIX);
    expect(preflightFix({ id: 'nofile', category: 'limits' }, local)).toBe(DOCKERD_NOFILE_FIX);
    expect(preflightFix({ id: 'disk-root', category: 'disk', fix: 'docker system prune' }, remote)).toBe("ssh ops@edge-1 'docker system prune'");
    expect(preflightFix({ id: 'compose', category: 'docker' }, local)).toBe('apt-get install -y docker-compose-plugin');
    expect(preflightFix({ id: 'docker', category: 'docker' }, local)).toMatch(/^docker info/);
    expect(preflightFix({ id: 'clock', category: 'time' }, local)).toBe('timedatectl set-ntp true');
  });
});

describe('service, HTTPS and certificate fixes', () => {
  it('stopped or missing: the stack\'s exact compose up; unhealthy or restarting: its logs', () => {
    for (const state of ['missing', 'exited', 'created', 'dead']) expect(serviceFix({ service: 'mistserver', state, status: 'fail' }, local)).toBe(`${local.compose} up -d`);
    expect(serviceFix({ service: 'mistserver', state: 'exited', status: 'fail' }, remote)).toBe(`ssh ops@edge-1 '${local.compose} up -d'`);
    expect(serviceFix({ service: 'helmsman', state: 'running', status: 'fail' }, local)).toBe('frameworks edge logs helmsman --tail 100 --dir /opt/edge');
    expect(serviceFix({ service: 'caddy', state: 'restarting', status: 'fail' }, remote)).toBe('frameworks edge logs caddy --tail 100 --dir /opt/edge --ssh ops@edge-1');
  });
  it('no handshake → caddy logs; /health not 200 → helmsman logs; certificate → caddy ACME lines', () => {
    expect(httpsFix({ handshake: false }, local)).toBe('frameworks edge logs caddy --tail 100 --dir /opt/edge');
    expect(httpsFix({ handshake: true, health: { ok: false, status: 503 } }, local)).toBe('frameworks edge logs helmsman --tail 100 --dir /opt/edge');
    expect(certFix({ code: 'CERT_EXPIRING' }, local)).toBe("frameworks edge logs caddy --grep 'acme|certificate|tls' --ignore-case --dir /opt/edge");
  });
  it('hints quote what needs quoting', () => {
    expect(edgeHint({ host: 'local', dir: '/srv/my edge', remote: false }, 'logs helmsman')).toBe("frameworks edge logs helmsman --dir '/srv/my edge'");
  });
});

function statusFixture(): StatusReport {
  return {
    host: 'local',
    dir: '/opt/edge',
    project: 'edge',
    domain: 'edge.example.com',
    tls: 'acme',
    verdict: 'degraded',
    problems: [],
    warnings: [],
    notes: [],
    summary: { up: 2, healthy: 1, total: 3 },
    services: [
      { service: 'caddy', required: true, state: 'running', health: 'healthy', containers: 1, status: 'pass' },
      { service: 'mistserver', required: true, state: 'missing', health: 'none', containers: 0, status: 'fail', problem: 'missing: no container' },
      { service: 'helmsman', required: true, state: 'running', health: 'unhealthy', containers: 1, status: 'fail', problem: 'unhealthy: 503' },
    ],
    https: { url: 'https://edge.example.com/', dialled: '203.0.113.7:443', ok: false, handshake: true, verified: true, trust: 'system', latency_ms: 4, health: { status: 503, ok: false } },
    cert: { domain: 'edge.example.com', url: 'https://edge.example.com/', dialled: '203.0.113.7:443', trust: 'system', verified: true, latency_ms: 4, subject: 'edge.example.com', issuer: 'R11', sans: ['edge.example.com'], not_after: '2025-06-04T00:00:00.000Z', days_left: 2, status: 'fail', code: 'CERT_EXPIRING', message: 'expires in 2 days', threshold: '' },
    dns: { domain: 'edge.example.com', status: 'fail', value: 'edge.example.com does not resolve', hint: 'create the record' },
    node: { error: 'Service "helmsman" is unhealthy' },
    quartermaster: { status: 'unreachable', url: 'http://localhost:18002/nodes?node_type=edge', note: 'Quartermaster unreachable' },
    suggestions: [],
    checked_at: '2025-06-01T12:00:00Z',
    duration_ms: 10,
  };
}

describe('doctor items: every failure carries a fix', () => {
  const checks: Check[] = [
    check('dns', 'dns', 'fail', 'edge.example.com does not resolve', ''),
    check('port-443', 'ports', 'fail', 'in use by nginx', ''),
    check('sysctl:net.ipv4.ip_local_port_range', 'sysctl', 'warn', '32768 60999', '', '', 'frameworks edge tune --write'),
    check('nofile', 'limits', 'fail', 'refused', '', '', DOCKERD_NOFILE_FIX),
    check('shm', 'shm', 'pass', '1 GiB', ''),
    check('disk-root', 'disk', 'skip', 'n/a', ''),
  ];
  const s = statusFixture();
  const sections: Record<'preflight' | 'services' | 'https' | 'cert', DoctorSection> = {
    preflight: { ok: false, items: preflightItems(checks, local, s.dns) },
    services: { ok: false, items: serviceItems(s, local) },
    https: { ok: false, items: httpsItems(s, local) },
    cert: { ok: false, items: certItems(s, local) },
  };

  it('fail and warn items have fix; pass and skip items have none', () => {
    for (const item of Object.values(sections).flatMap((x) => x.items)) {
      if (item.status === 'fail' || item.status === 'warn') expect(item.fix, item.id).toMatch(/\S/);
      else expect(item.fix, item.id).toBeUndefined();
    }
  });
  it('the service fixes: mistserver is started, helmsman explained; Quartermaster never fails', () => {
    const byId = Object.fromEntries(sections.services.items.map((i) => [i.id, i]));
    expect(byId['service:mistserver'].fix).toBe(`${local.compose} up -d`);
    expect(byId['service:helmsman']).toMatchObject({ status: 'fail', value: 'running: unhealthy: 503', fix: 'frameworks edge logs helmsman --tail 100 --dir /opt/edge' });
    expect(byId.quartermaster.status).toBe('skip');
    expect(byId.node).toMatchObject({ status: 'warn', fix: 'frameworks edge logs helmsman --tail 100 --dir /opt/edge' });
  });
  it('containers that cannot be listed get the daemon fix', () => {
    const base = statusFixture();
    const services = base.services.map((x) => ({ ...x, state: 'unknown', status: 'fail' as const, problem: 'cannot list containers: daemon down' }));
    const down = { ...base, services, error: { code: 'DOCKER_UNAVAILABLE', message: 'daemon down', suggestions: ['docker info   # is dockerd running?'] } };
    expect(serviceItems(down, local).filter((i) => i.id.startsWith('service:')).map((i) => i.fix)).toEqual(Array(3).fill('docker info   # is dockerd running?'));
  });
  it('HTTPS: handshake passes, /health fails; no domain or no handshake skips the certificate', () => {
    expect(sections.https.items.map((i) => [i.id, i.status])).toEqual([
      ['https', 'pass'],
      ['health', 'fail'],
    ]);
    expect(certItems({ ...s, cert: null }, local)[0].status).toBe('skip');
    expect(certItems({ ...s, cert: { ...s.cert!, code: 'HTTPS_UNREACHABLE', status: 'fail' } }, local)[0]).toMatchObject({ status: 'skip' });
    expect(httpsItems({ ...s, https: null }, local)).toEqual([expect.objectContaining({ id: 'https', status: 'skip' })]);
  });
  it('next steps: each fix once, failures before warnings, in report order', () => {
    const steps = nextSteps(sections);
    expect(steps[0]).toMatch(/^getent ahosts/);
    expect(steps.indexOf('frameworks edge tune --write')).toBeGreaterThan(steps.indexOf(DOCKERD_NOFILE_FIX));
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps).toContain(`${local.compose} up -d`);
    expect(steps).toContain("frameworks edge logs caddy --grep 'acme|certificate|tls' --ignore-case --dir /opt/edge");
  });
});
