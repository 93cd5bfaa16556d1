// Strict input (issue 7 §5): bad values are refused with exit 2 before anything is run, written or
// sent — a blank --ssh never falls back to this machine, durations are bounded by what a timer can
// hold, ids and names sent to a server carry no control characters, endpoint schemes are enforced —
// and text a server sends back is printed with its control characters escaped.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { DOCKER_HOST } from '../support/docker.js';

const sb = new CliSandbox('fw-e2e-strict-');
const tmp = mkdtempSync(join(tmpdir(), 'fw-e2e-strict-dir-'));
afterAll(() => {
  sb.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});
let n = 0;
const freshDir = () => {
  const d = mkdtempSync(join(tmp, `d${++n}-`));
  return d;
};

describe('a blank --ssh is a usage error, never this machine', () => {
  it('edge init --ssh "" exits 2 and writes nothing here', async () => {
    const dir = freshDir();
    const r = await sb.run(['edge', 'init', '--ssh', '', '--domain', 'edge-1.example.com', '--email', 'ops@example.com', '--dir', dir, '--json'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.json).toMatchObject({ status: 2, code: 'EMPTY_SSH_TARGET' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['services up --ssh ","', ['services', 'up', '--ssh', ',']],
    ['edge status --ssh " "', ['edge', 'status', '--ssh', ' ']],
    ['edge preflight --ssh "ops@edge-1.example.com,"', ['edge', 'preflight', '--ssh', 'ops@edge-1.example.com,']],
    ['services status --ssh a --ssh ""', ['services', 'status', '--ssh', 'ops@a.example.com', '--ssh', '']],
  ])('%s exits 2 naming the empty entry', async (_name, args) => {
    const dir = freshDir();
    const r = await sb.run([...args, '--dir', dir], { cwd: dir, env: { DOCKER_HOST } });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--ssh .*(names no host|has an empty entry)/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('durations: one parser, bounded by what a timer can hold, no zero where it means nothing', () => {
  const refused = (r: { code: number; stdout: string; stderr: string; json?: Record<string, unknown> }) => {
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).not.toContain('TimeoutOverflowWarning');
  };

  it('context check --timeout 30d is refused (exit 2), not a TimeoutOverflowWarning and ten instant failures', async () => {
    const r = await sb.run(['context', 'check', '--timeout', '30d']);
    refused(r);
    expect(r.stderr).toMatch(/--timeout "30d" is too long: at most 24d/);
  });

  it('edge enroll --timeout 30d on a real stack folder is refused before anything runs', async () => {
    const dir = freshDir();
    const init = await sb.run(['edge', 'init', '--domain', 'edge-1.test', '--email', 'ops@example.com', '--tls', 'internal', '--dir', dir], { env: { DOCKER_HOST } });
    expect(init.code, init.stderr).toBe(0);
    const before = readdirSync(dir).sort();
    const r = await sb.run(['edge', 'enroll', '--timeout', '30d', '--dir', dir, '--json'], { env: { DOCKER_HOST } });
    refused(r);
    expect(r.json).toMatchObject({ code: 'INVALID_DURATION' });
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it.each([
    ['context check', ['context', 'check', '--timeout', '0']],
    ['edge enroll', ['edge', 'enroll', '--timeout', '0s']],
    ['edge update', ['edge', 'update', '--timeout', '0']],
    ['edge drain', ['edge', 'drain', 'node-1', '--wait', '--idle-timeout', '0m']],
    ['services up', ['services', 'up', '--timeout', '0']],
    ['admin nodes list', ['admin', 'nodes', 'list', '--timeout', '0']],
    ['login', ['login', '--email', 'a@example.com', '--password-stdin', '--timeout', '0']],
  ])('%s: a zero timeout is a usage error', async (_name, args) => {
    const dir = freshDir();
    const r = await sb.run([...args, '--json'], { cwd: dir, env: { DOCKER_HOST }, input: 'pw\n' });
    refused(r);
    expect(r.json).toMatchObject({ status: 2, code: 'INVALID_DURATION' });
  });

  it('services up --timeout in seconds past a timer (2592000 = 30 days) is refused; a duration is accepted as well', async () => {
    const dir = freshDir();
    const r = await sb.run(['services', 'up', '--timeout', '2592000', '--dir', dir, '--json'], { env: { DOCKER_HOST } });
    refused(r);
    expect(r.json).toMatchObject({ code: 'INVALID_DURATION' });
    const help = await sb.run(['services', 'up', '--help']);
    expect(help.stdout).toMatch(/--timeout=<value>\s+\[default: 180\] Time to wait for health/);
  });

  it('admin bootstrap-tokens create --ttl 30d is sent as 720h (a server duration, not a timer); --ttl 0 and -1h are refused', async () => {
    const ok = await sb.run(['admin', 'bootstrap-tokens', 'create', '--kind', 'service', '--ttl', '30d', '--dry-run', '--json'], { env: { SERVICE_TOKEN: 'svc-token-abcdefghijklmnop' } });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.stringify(ok.json)).toContain('720h');
    for (const ttl of ['0', '-1h']) {
      const r = await sb.run(['admin', 'bootstrap-tokens', 'create', '--kind', 'service', `--ttl=${ttl}`, '--dry-run', '--json'], { env: { SERVICE_TOKEN: 'svc-token-abcdefghijklmnop' } });
      refused(r);
      expect(r.json).toMatchObject({ code: 'INVALID_DURATION' });
    }
  });

  it('services logs --since takes the same grammar as edge logs and refuses anything else before docker runs', async () => {
    const dir = freshDir();
    const plan = await sb.run(['services', 'plan', '--profile', 'billing-only', '--dir', dir], { env: { DOCKER_HOST } });
    expect(plan.code, plan.stderr).toBe(0);
    const r = await sb.run(['services', 'logs', '--since', 'yesterday', '--dir', dir, '--json'], { env: { DOCKER_HOST } });
    refused(r);
    expect(r.json).toMatchObject({ code: 'INVALID_TIME' });
    const d = await sb.run(['services', 'logs', '--since', '2d', '--dir', dir, '--json'], { env: { DOCKER_HOST } });
    expect(d.code, d.stdout + d.stderr).toBe(0);
  });
});
