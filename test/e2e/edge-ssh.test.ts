import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { freePort } from '../support/docker.js';
import { FIXTURE } from '../support/edge-stack.js';
import { sshdAvailable, startSshd, type Sshd } from '../support/sshd.js';

// The edge verbs over --ssh, from the CLI: host-key policy, a fleet with one bad host, and
// values that must reach the remote shell quoted. (Each verb's own suite runs it over SSH too.)
const suite = sshdAvailable() || process.env.CI ? describe : describe.skip;
if (!sshdAvailable() && !process.env.CI) console.warn('SKIPPING edge over SSH: /usr/sbin/sshd is missing (bash scripts/infra.sh up installs it)');

let sb: CliSandbox;
let a: Sshd;
let b: Sshd;
let base: string;
const marker = join(tmpdir(), `fw-pwned-${process.pid}-${Date.now()}`);
const target = (s: Sshd) => `${s.user}@127.0.0.1:${s.port}`;
const knownHosts = () => join(sb.home, '.ssh', 'known_hosts');
const initArgs = (dir: string) => ['edge', 'init', '--dir', dir, '--domain', 'edge.test', '--tls', 'internal', '--release-manifest', FIXTURE, '--allow-unpinned', '--nofile', '4096'];

suite('edge over --ssh', () => {
  beforeAll(async () => {
    sb = new CliSandbox();
    [a, b] = await Promise.all([startSshd(), startSshd()]);
    base = mkdtempSync(join(tmpdir(), 'fw-edge-ssh-'));
  });
  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    sb?.cleanup();
  });

  it('refuses a host key it has never seen, and touches nothing', async () => {
    const dir = join(base, 'first');
    const r = await sb.run([...initArgs(dir), '--ssh', target(a), '--ssh-key', a.clientKey, '--json']);
    expect(r.code).toBe(6);
    expect(r.json).toMatchObject({ status: 6, code: 'HOST_KEY_UNKNOWN' });
    expect((r.json!.suggestions as string[]).join('\n')).toContain('--accept-new-host-key');
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(knownHosts())).toBe(false);
  });

  it('with --accept-new-host-key records the key and writes the files on the remote host', async () => {
    const dir = join(base, 'first');
    const r = await sb.run([...initArgs(dir), '--ssh', target(a), '--ssh-key', a.clientKey, '--accept-new-host-key', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statSync(join(dir, '.edge.env')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'docker-compose.edge.yml'))).toBe(true);
    // Recorded (hashed when the ssh config says HashKnownHosts yes, as Debian's does): find the key itself.
    expect(readFileSync(knownHosts(), 'utf8')).toContain(a.hostPublicKey.split(' ')[1]);
    // Known now: no flag needed, and nothing changes on a second run.
    const again = await sb.run([...initArgs(dir), '--ssh', target(a), '--ssh-key', a.clientKey, '--json']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('always refuses a changed host key, even with --accept-new-host-key', async () => {
    await a.restart({ hostKey: 'alternate' });
    try {
      const r = await sb.run(['edge', 'status', '--dir', join(base, 'first'), '--ssh', target(a), '--ssh-key', a.clientKey, '--accept-new-host-key', '--json']);
      expect(r.code).toBe(6);
      expect(r.json).toMatchObject({ code: 'HOST_KEY_CHANGED' });
      expect((r.json!.suggestions as string[]).join('\n')).toContain('ssh-keygen -R');
    } finally {
      await a.restart({ hostKey: 'first' });
    }
  });

  it('a fleet with one unknown host: the others run, exit 68 with a row per host', async () => {
    const dir = join(base, 'fleet');
    const r = await sb.run([...initArgs(dir), '--ssh', `${target(a)},${target(b)}`, '--ssh-key', a.clientKey, '--json']);
    expect(r.code).toBe(68);
    expect(r.json).toMatchObject({ status: 68, code: 'PARTIAL_FAILURE' });
    const rows = r.json!.result as Array<{ host: string; ok: boolean; error: { code: string } | null }>;
    expect(rows.find((x) => x.host === target(a))).toMatchObject({ ok: true });
    expect(rows.find((x) => x.host === target(b))).toMatchObject({ ok: false, error: { code: 'HOST_KEY_UNKNOWN' } });
  });

  it('a fleet where no host can be reached exits 6, like one unreachable host; one reachable of two → 68', async () => {
    const dead = async () => `${a.user}@127.0.0.1:${await freePort()}`;
    const [d1, d2] = [await dead(), await dead()];
    const all = await sb.run(['edge', 'status', '--dir', join(base, 'first'), '--ssh', `${d1},${d2}`, '--ssh-key', a.clientKey, '--json']);
    expect(all.code, all.stdout).toBe(6);
    expect(all.json).toMatchObject({ status: 6, code: 'ALL_HOSTS_UNREACHABLE' });
    expect((all.json!.result as Array<{ host: string; ok: boolean }>).map((x) => [x.host, x.ok])).toEqual([[d1, false], [d2, false]]);
    const one = await sb.run([...initArgs(join(base, 'partial')), '--dry-run', '--ssh', `${target(a)},${d1}`, '--ssh-key', a.clientKey, '--json']);
    expect(one.code, one.stdout).toBe(68);
    expect(one.json).toMatchObject({ status: 68, code: 'PARTIAL_FAILURE' });
  });

  it('values typed by the user reach the remote shell quoted, never executed', async () => {
    const ssh = ['--ssh', target(a), '--ssh-key', a.clientKey];
    const evilDir = join(base, `$(touch ${marker})`);
    const init = await sb.run([...initArgs(evilDir), ...ssh]);
    expect(init.code, init.stderr).toBe(0);
    expect(existsSync(join(evilDir, '.edge.env'))).toBe(true); // the folder has that literal name
    const status = await sb.run(['edge', 'status', '--dir', `x; touch ${marker}`, ...ssh, '--json']);
    expect(status.code).toBe(1);
    expect(status.json).toMatchObject({ code: 'EDGE_NOT_INITIALISED' });
    const logs = await sb.run(['edge', 'logs', `a; touch ${marker}`, '--dir', join(base, 'first'), ...ssh]);
    expect(logs.code).not.toBe(0);
    const preflight = await sb.run(['edge', 'preflight', '--domain', `x.example.com; touch ${marker}`, '--dir', join(base, 'first'), ...ssh, '--json']);
    expect([1, 2]).toContain(preflight.code);
    const target2 = await sb.run(['edge', 'status', '--ssh', `$(touch ${marker})`]);
    expect(target2.code).toBe(2);
    expect(target2.stderr).toContain('is not a host');
    expect(existsSync(marker)).toBe(false);
  });
});
