// `frameworks edge tune` run as a user would. The machine's kernel settings must not change: the
// write test writes under a temporary --root and applies only namespaced keys, inside a network
// namespace this test creates, and every key is compared on the host before and after.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, type CliResult } from '../support/cli.js';
import { freePort, sshdAvailable, startSshd, type Sshd } from '../support/sshd.js';

/** Every key edge tune knows, read on the host (the test process is in the host's namespaces). */
const KEYS = [
  'fs.file-max',
  'kernel.pid_max',
  'net.core.default_qdisc',
  'net.core.netdev_max_backlog',
  'net.core.rmem_max',
  'net.core.somaxconn',
  'net.core.wmem_max',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_congestion_control',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_notsent_lowat',
  'net.ipv4.udp_rmem_min',
  'net.ipv4.udp_wmem_min',
  'vm.swappiness',
];
const proc = (key: string) => `/proc/sys/${key.replace(/\./g, '/')}`;
const hostValues = () => Object.fromEntries(KEYS.filter((k) => existsSync(proc(k))).map((k) => [k, readFileSync(proc(k), 'utf8').trim()]));
const REAL_FILES = ['/etc/sysctl.d/90-frameworks-edge.conf', '/etc/security/limits.d/90-frameworks-edge.conf'];
const realFiles = () => REAL_FILES.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : null));

const sb = new CliSandbox('fw-tune-');
const before = hostValues();
const filesBefore = realFiles();

afterAll(() => {
  sb.cleanup();
  // Whatever happened above, the host kernel and /etc are as they were.
  expect(hostValues()).toEqual(before);
  expect(realFiles()).toEqual(filesBefore);
});

const tune = (args: string[]) => sb.run(['edge', 'tune', ...args], { timeoutMs: 60_000 });

/** Run the CLI under a wrapper (`unshare --user`, `ip netns exec …`), with the sandbox's environment. */
function runWrapped(prefix: string[], args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(sb.baseEnv).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const child = spawn(prefix[0], [...prefix.slice(1), process.execPath, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: CliResult['json'];
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? 1, stdout, stderr, json });
    });
  });
}

interface Key {
  key: string;
  live: string | null;
  value: string | null;
  action: string;
  reason: string;
}
interface Outcome {
  key: string;
  value: string;
  status: string;
  live_after: string | null;
  reason?: string;
}

describe('edge tune (preview)', () => {
  it('--json: both files, every key against the live kernel, fq/bbr only when offered; nothing written', async () => {
    const r = await tune(['--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = r.json!.result as { mode: string; files: Array<{ path: string; content: string; on_disk: string }>; keys: Key[]; support: { bbr: { available: boolean }; fq: { available: boolean; reason: string } } };
    expect(res.mode).toBe('preview');
    expect(res.files.map((f) => f.path)).toEqual(REAL_FILES);
    const [sysctl, limits] = res.files;
    expect(sysctl.content).toMatch(/^net\.core\.somaxconn = 16384$/m);
    expect(sysctl.content).toMatch(/^net\.ipv4\.ip_local_port_range = \d+ 65535$/m);
    expect(sysctl.content).toMatch(/^vm\.swappiness = \d+$/m);
    expect(limits.content).toMatch(/^\*\s+hard\s+nofile\s+1048576$/m);
    expect(limits.content).toMatch(/^root\s+soft\s+nofile\s+1048576$/m);
    // the live column is the kernel's own value
    for (const k of res.keys) if (k.live !== null) expect(k.live.split(' ').join('\t'), k.key).toBe(before[k.key].split(/\s+/).join('\t'));
    // bbr: written only when tcp_available_congestion_control lists it; fq: only when the kernel has it
    const avail = readFileSync('/proc/sys/net/ipv4/tcp_available_congestion_control', 'utf8');
    const cc = res.keys.find((k) => k.key === 'net.ipv4.tcp_congestion_control')!;
    expect(cc.action === 'omit').toBe(!/\bbbr\b/.test(avail));
    const fq = res.keys.find((k) => k.key === 'net.core.default_qdisc')!;
    expect(fq.action === 'omit').toBe(!res.support.fq.available);
    if (fq.action === 'omit') {
      expect(fq.reason).not.toBe('');
      expect(sysctl.content).toContain(`#   net.core.default_qdisc = fq: ${fq.reason}`);
    }
    // tuning never lowers a value the host already has above the target
    for (const k of res.keys.filter((x) => x.action === 'keep')) expect(sysctl.content).not.toMatch(new RegExp(`^${k.key.replace(/\./g, '\\.')} =`, 'm'));
    expect(realFiles()).toEqual(filesBefore);
  });

  it('human output prints both files and the diff against live values, and the command to write them', async () => {
    const r = await tune([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('/etc/sysctl.d/90-frameworks-edge.conf (');
    expect(r.stdout).toContain('/etc/security/limits.d/90-frameworks-edge.conf (');
    expect(r.stdout).toContain('Against the live kernel:');
    const row = r.stdout.split('\n').find((l) => l.startsWith('net.core.somaxconn '))!;
    expect(row.split(/\s{2,}/).slice(0, 3)).toEqual(['net.core.somaxconn', before['net.core.somaxconn'], '16384']);
    expect(r.stdout).toMatch(/^Summary: \d+ to change, \d+ already set, \d+ kept, \d+ omitted\.$/m);
    expect(r.stderr).toContain('Next: sudo frameworks edge tune --write');
  });

  it('--write --dry-run is the preview: nothing written, even under --root; flag misuse is a usage error', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fw-tune-dry-'));
    try {
      const r = await tune(['--write', '--dry-run', '--root', root, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect((r.json!.result as { mode: string }).mode).toBe('preview');
      expect(readdirSync(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    expect((await tune(['--apply-keys', 'net.core.somaxconn'])).code).toBe(2);
    const unknown = await tune(['--write', '--root', '/nonexistent', '--apply-keys', 'net.core.nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('net.core.nope is not a tuned key');
  });
});

const root = process.getuid?.() === 0;
const canNetns = root && spawnOk('ip', ['netns', 'list']) && spawnOk('unshare', ['--version']);
if (!canNetns && process.env.CI) throw new Error('edge tune e2e needs root with `ip netns` and `unshare` (iproute2, util-linux) in CI.');
function spawnOk(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!canNetns)('edge tune --write', () => {
  it('refuses without root: exit 5 with the sudo hint (run in a user namespace, where the CLI is uid 65534)', async () => {
    const r = await runWrapped(['unshare', '--user'], ['edge', 'tune', '--write', '--json']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.json).toMatchObject({ status: 5, code: 'ROOT_REQUIRED' });
    expect(r.json!.suggestions).toContain('sudo frameworks edge tune --write');
  });

  describe('in a network namespace made by the test', () => {
    const ns = `fwtune-${process.pid}`;
    const tmpRoot = mkdtempSync(join(tmpdir(), 'fw-tune-root-'));
    // Namespaced keys (per network namespace since Linux 4.15 or earlier): applying them changes only the namespace.
    const NAMESPACED = ['net.core.somaxconn', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_notsent_lowat', 'net.ipv4.udp_rmem_min'];
    // Also namespaced, but made read-only for the CLI by a bind mount in its own mount namespace: the key that does not take.
    const READONLY = 'net.ipv4.tcp_max_syn_backlog';
    const inNs = (key: string) => execFileSync('ip', ['netns', 'exec', ns, 'cat', proc(key)], { encoding: 'utf8' }).trim().split(/\s+/).join(' ');
    let nsBefore: Record<string, string> = {};

    beforeAll(() => {
      execFileSync('ip', ['netns', 'add', ns]);
      nsBefore = Object.fromEntries([...NAMESPACED, READONLY].map((k) => [k, inNs(k)]));
    });
    afterAll(() => {
      execFileSync('ip', ['netns', 'del', ns]);
      rmSync(tmpRoot, { recursive: true, force: true });
    });

    it('writes under --root, applies only the namespaced keys inside the namespace, reports the one that did not take, leaves the host alone', async () => {
      const hostBefore = hostValues();
      const ro = proc(READONLY);
      const r = await runWrapped(
        ['ip', 'netns', 'exec', ns, 'unshare', '--mount', 'sh', '-c', 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"', ro],
        ['edge', 'tune', '--write', '--root', tmpRoot, '--apply-keys', [...NAMESPACED, READONLY].join(','), '--json'],
      );
      // one key did not take: exit 1 with the whole report
      expect(r.code, r.stderr).toBe(1);
      expect(r.json).toMatchObject({ status: 1, code: 'TUNE_NOT_APPLIED' });
      const res = r.json!.result as { mode: string; applied: { files: Array<{ path: string }>; apply_command: string; keys: Outcome[] } };
      expect(res.mode).toBe('write');
      expect(res.applied.apply_command).toBe('sysctl -p -');
      const out = Object.fromEntries(res.applied.keys.map((k) => [k.key, k]));
      for (const k of NAMESPACED) expect(out[k], k).toMatchObject({ status: 'applied' });
      expect(out['net.core.somaxconn']).toMatchObject({ value: '16384', live_after: '16384' });
      expect(out[READONLY]).toMatchObject({ status: 'not-applied', value: '8192' });
      expect(out[READONLY].reason).toMatch(/permission denied|Read-only/i);
      expect(out[READONLY].reason).toContain(READONLY);
      // every other key was written to the file but deliberately not applied
      for (const k of res.applied.keys.filter((x) => ![...NAMESPACED, READONLY].includes(x.key))) expect(k.status, k.key).toBe('excluded');
      expect((r.json!.suggestions as string[])[0]).toContain(READONLY);

      // the files landed under the temporary root, written whole
      expect(res.applied.files.map((f) => f.path)).toEqual(REAL_FILES.map((f) => join(tmpRoot, f)));
      const sysctlFile = readFileSync(join(tmpRoot, REAL_FILES[0]), 'utf8');
      expect(sysctlFile).toMatch(/^net\.core\.somaxconn = 16384$/m);
      expect(sysctlFile.startsWith('# /etc/sysctl.d/90-frameworks-edge.conf')).toBe(true);
      expect(readFileSync(join(tmpRoot, REAL_FILES[1]), 'utf8')).toMatch(/^\*\s+soft\s+nofile\s+1048576$/m);

      // inside the namespace the applied keys changed; the read-only one did not
      expect(inNs('net.core.somaxconn')).toBe('16384');
      expect(inNs('net.ipv4.ip_local_port_range')).toBe('10000 65535');
      expect(inNs('net.ipv4.tcp_notsent_lowat')).toBe('16384');
      expect(inNs('net.ipv4.udp_rmem_min')).toBe('16384');
      expect(inNs(READONLY)).toBe(nsBefore[READONLY]);
      expect(Object.keys(nsBefore).filter((k) => k !== READONLY && nsBefore[k] !== inNs(k)).sort()).toEqual([...NAMESPACED].sort());

      // and on the host nothing moved, global keys included
      expect(hostValues()).toEqual(hostBefore);
      expect(realFiles()).toEqual(filesBefore);
    });

    it('a second run is idempotent: the files are unchanged', async () => {
      const r = await runWrapped(['ip', 'netns', 'exec', ns], ['edge', 'tune', '--write', '--root', tmpRoot, '--apply-keys', NAMESPACED.join(','), '--json']);
      expect(r.code, r.stderr).toBe(0);
      const res = r.json!.result as { applied: { files: Array<{ changed: boolean }>; keys: Outcome[] } };
      expect(res.applied.files.map((f) => f.changed)).toEqual([false, false]);
      expect(res.applied.keys.filter((k) => k.status === 'applied').map((k) => k.key).sort()).toEqual([...NAMESPACED].sort());
      expect(hostValues()).toEqual(before);
    });
  });
});

if (!sshdAvailable() && process.env.CI) throw new Error('edge tune e2e: /usr/sbin/sshd is missing (bash scripts/infra.sh up installs openssh-server).');

describe.skipIf(!sshdAvailable())('edge tune --ssh', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('previews each host through the SSH executor; one unreachable host of two → exit 68 with both results', async () => {
    const good = `${sshd.user}@127.0.0.1:${sshd.port}`;
    const dead = `${sshd.user}@127.0.0.1:${await freePort()}`;
    const r = await tune(['--ssh', `${good},${dead}`, '--ssh-key', sshd.clientKey, '--accept-new-host-key', '--json']);
    expect(r.code, r.stderr).toBe(68);
    expect(r.json).toMatchObject({ status: 68, code: 'PARTIAL_FAILURE' });
    const rows = r.json!.result as Array<{ host: string; ok: boolean; result: { host: string; mode: string; keys: Key[] } | null }>;
    expect(rows.map((x) => [x.host, x.ok])).toEqual([
      [good, true],
      [dead, false],
    ]);
    expect(rows[0].result).toMatchObject({ host: good, mode: 'preview' });
    expect(rows[0].result!.keys.find((k) => k.key === 'net.core.somaxconn')!.live).toBe(before['net.core.somaxconn']);
  });
});

