import type { Executor, RunOptions, RunResult } from '@frameworks/sdk';
import { describe, expect, it } from 'vitest';
import { runPreflight } from '../src/preflight/run.js';
import { DOCKER_PS_FORMAT } from '../src/preflight/ports.js';

// ---------------------------------------------------------------- a fake executor (kept in this file: test files are self-contained)
export type Reply = Partial<Omit<RunResult, 'display'>> | ((argv: string[], opts: RunOptions) => Partial<Omit<RunResult, 'display'>> | Promise<Partial<Omit<RunResult, 'display'>>>);

/**
 * An Executor with canned answers keyed by the command line ("cat /proc/sys/vm/swappiness").
 * Unknown commands answer like a missing program (127, "not found"), as a minimal host would.
 */
export class FakeExecutor implements Executor {
  readonly name: string;
  readonly calls: string[] = [];
  readonly inputs = new Map<string, string | undefined>();
  readonly files = new Map<string, string>();
  readonly modes = new Map<string, number>();
  private readonly replies: Array<[string | RegExp, Reply]> = [];

  constructor(name = 'fake') {
    this.name = name;
  }

  on(cmd: string | RegExp, reply: Reply): this {
    this.replies.unshift([cmd, reply]);
    return this;
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const line = argv.join(' ');
    this.calls.push(line);
    this.inputs.set(line, opts.input);
    const hit = this.replies.find(([k]) => (typeof k === 'string' ? k === line : k.test(line)));
    if (!hit) return { code: 127, stdout: '', stderr: `sh: 1: ${argv[0]}: not found\n`, display: line };
    const r = typeof hit[1] === 'function' ? await hit[1](argv, opts) : hit[1];
    return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '', display: line };
  }

  async readFile(path: string): Promise<string> {
    const v = this.files.get(path);
    if (v === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return v;
  }

  async writeFile(path: string, data: string, mode = 0o644): Promise<void> {
    this.files.set(path, data);
    this.modes.set(path, mode);
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }

  async close(): Promise<void> {}

  /** Answer `cat /proc/sys/<key>` for each key. */
  sysctls(values: Record<string, string>): this {
    for (const [k, v] of Object.entries(values)) this.on(`cat /proc/sys/${k.replace(/\./g, '/')}`, { stdout: `${v}\n` });
    return this;
  }
}


const GiB = 1024 * 1024;
const df = (path: string, availKiB: number, totalKiB: number, fs = '/dev/vda', mount = path) =>
  `Filesystem 1024-blocks Used Available Capacity Mounted on\n${fs} ${totalKiB} ${totalKiB - availKiB} ${availKiB} 50% ${mount}\n`;

/** A healthy host: every check has an answer; the docker run grants the limit. */
function healthyHost(): FakeExecutor {
  const x = new FakeExecutor('edge-1');
  x.files.set('/opt/edge/.edge.env', 'EDGE_DOMAIN=edge.example.com\n');
  x.files.set('/opt/edge/docker-compose.edge.yml', 'services:\n  edge:\n    image: local/edge:1\n');
  x.on('getent ahosts edge.example.com', { stdout: '203.0.113.7 STREAM edge.example.com\n' })
    .on('ip -o addr show', { stdout: '2: eth0    inet 203.0.113.7/24 brd 203.0.113.255 scope global eth0\n' })
    .on('ss -Htlnp', { stdout: 'LISTEN 0 4096 0.0.0.0:443 0.0.0.0:* users:(("docker-proxy",pid=812,fd=4))\n' })
    .on(`docker ps --no-trunc --format ${DOCKER_PS_FORMAT}`, { stdout: 'abc\tedge-edge-1\t0.0.0.0:443->443/tcp\tedge\tedge\t/opt/edge\n' })
    .on('timedatectl show -p NTPSynchronized --value', { stdout: 'yes\n' })
    .on('docker info --format {{json .}}', { stdout: '{"ServerVersion":"27.1.1","DockerRootDir":"/var/lib/docker"}\n' })
    .on('docker compose version', { stdout: 'Docker Compose version v2.29.1\n' })
    .on('df -Pk /', { stdout: df('/', 100 * GiB, 200 * GiB) })
    .on('df -Pk /var/lib/docker', { stdout: df('/var/lib/docker', 300 * GiB, 400 * GiB, '/dev/vdb') })
    .on('df -Pk /dev/shm', { stdout: df('/dev/shm', 2 * GiB, 2 * GiB, 'tmpfs') })
    .on('docker image ls --format {{.Repository}}:{{.Tag}}', { stdout: 'alpine:3\nlocal/edge:1\n<none>:<none>\n' })
    .on(/^docker run --rm --pull never /, { code: 0 })
    .on('date +%s.%N', () => ({ stdout: `${(Date.now() / 1000).toFixed(9)}\n` }))
    .sysctls({
      'fs.file-max': '9223372036854775807',
      'kernel.pid_max': '4194304',
      'net.core.default_qdisc': 'fq',
      'net.core.netdev_max_backlog': '16384',
      'net.core.rmem_max': '67108864',
      'net.core.somaxconn': '16384',
      'net.core.wmem_max': '67108864',
      'net.ipv4.ip_local_port_range': '10000\t65535',
      'net.ipv4.tcp_congestion_control': 'bbr',
      'net.ipv4.tcp_max_syn_backlog': '8192',
      'net.ipv4.tcp_notsent_lowat': '16384',
      'net.ipv4.udp_rmem_min': '16384',
      'net.ipv4.udp_wmem_min': '16384',
      'vm.swappiness': '10',
      'net.ipv4.tcp_available_congestion_control': 'reno cubic bbr',
    });
  return x;
}

describe('runPreflight through an executor', () => {
  it('passes a healthy remote host, reading everything through the executor', async () => {
    const x = healthyHost();
    const r = await runPreflight(x, { host: 'edge-1', dir: '/opt/edge', remote: true });
    const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(r.summary).toMatchObject({ ok: true, fail: 0, total: r.checks.length });
    expect(r.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(byId.dns.value).toBe('edge.example.com → A 203.0.113.7; no AAAA (this host)');
    expect(byId['port-443'].value).toBe('held by this edge stack: edge-edge-1 (compose edge/edge)');
    expect(byId['port-80'].value).toBe('free');
    expect(byId.clock.value).toMatch(/^NTP synchronised \(timedatectl\); offset [+−]0\.\d\d s ±0\.\d\d s vs this machine's clock$/);
    expect(byId['disk-docker'].value).toContain('on /var/lib/docker');
    expect(byId.nofile.value).toBe('1048576 granted (test container from local/edge:1)');
    // the edge stack's image, asked for with --pull never and no entrypoint of its own
    expect(x.calls).toContain('docker run --rm --pull never --network none --log-driver none --ulimit nofile=1048576:1048576 --entrypoint true local/edge:1');
    // docker info ran once, shared by the docker, disk-docker and nofile checks
    expect(x.calls.filter((c) => c.startsWith('docker info')).length).toBe(1);
    expect(r.checks.map((c) => c.id).slice(0, 10)).toEqual(['dns', 'port-80', 'port-443', 'clock', 'docker', 'compose', 'disk-root', 'disk-docker', 'shm', 'nofile']);
  });

  it('nofile: an image removed since `docker image ls` is no finding, the next candidate is tried', async () => {
    const x = healthyHost();
    x.on(/^docker run .* local\/edge:1$/, { code: 125, stderr: 'docker: Error response from daemon: No such image: local/edge:1\n' });
    const r = await runPreflight(x, { host: 'h', dir: '/opt/edge', remote: true });
    expect(r.checks.find((c) => c.id === 'nofile')).toMatchObject({ status: 'pass', value: '1048576 granted (test container from alpine:3)' });
  });

  it('degrades without crashing on a minimal host (no docker, ss, timedatectl, getent)', async () => {
    const x = new FakeExecutor();
    x.on('cat /proc/net/tcp /proc/net/tcp6', { stdout: '  sl local_address\n   0: 00000000:0050 00000000:0000 0A 0\n' });
    const r = await runPreflight(x, { host: 'min', dir: '.', remote: true, domain: 'a.example' });
    const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(byId.docker.status).toBe('fail');
    expect(byId.compose.status).toBe('fail');
    expect(byId.nofile.status).toBe('skip');
    expect(byId.dns.status).toBe('warn');
    expect(byId['port-80']).toMatchObject({ status: 'fail' });
    expect(byId['port-80'].value).toContain('ss not found');
    expect(byId['port-443'].status).toBe('pass');
    expect(byId.clock.status).toBe('warn');
    expect(r.summary.ok).toBe(false);
  });

  it('takes the domain from .edge.env, --domain wins; no domain skips DNS', async () => {
    const x = healthyHost();
    x.on('getent ahosts other.example.com', { code: 2 });
    const r = await runPreflight(x, { host: 'h', dir: '/opt/edge', remote: true, domain: 'other.example.com' });
    expect(r.checks.find((c) => c.id === 'dns')).toMatchObject({ status: 'fail', value: 'other.example.com does not resolve' });
    x.files.delete('/opt/edge/.edge.env');
    const r2 = await runPreflight(x, { host: 'h', dir: '/opt/edge', remote: true });
    expect(r2.checks.find((c) => c.id === 'dns')!.status).toBe('skip');
  });

  it('uses the reference clock for a local run, and flags a clock 30 s off', async () => {
    const x = healthyHost();
    const r = await runPreflight(x, { host: 'local', dir: '/opt/edge', remote: false, referenceClock: async () => ({ source: 'gw Date header', offsetS: 30, uncertaintyS: 0.6 }) });
    expect(r.checks.find((c) => c.id === 'clock')).toMatchObject({ status: 'fail', fix: 'timedatectl set-ntp true' });
    expect(x.calls).not.toContain('date +%s.%N');
  });

  it('runs independent checks concurrently: wall time ≈ the slowest check', async () => {
    const x = healthyHost();
    const slow = (reply: object) => () => new Promise<object>((res) => setTimeout(() => res(reply), 300));
    x.on('getent ahosts edge.example.com', slow({ stdout: '203.0.113.7 STREAM x\n' }))
      .on('docker compose version', slow({ stdout: 'Docker Compose version v2.29.1\n' }))
      .on('df -Pk /dev/shm', slow({ stdout: df('/dev/shm', 2 * GiB, 2 * GiB, 'tmpfs') }))
      .on('ss -Htlnp', slow({ stdout: '' }))
      .on('timedatectl show -p NTPSynchronized --value', slow({ stdout: 'yes\n' }));
    const t0 = performance.now();
    const r = await runPreflight(x, { host: 'h', dir: '/opt/edge', remote: true });
    const ms = performance.now() - t0;
    expect(r.summary.ok).toBe(true);
    // five 300 ms checks one after the other would take 1.5 s
    expect(ms).toBeLessThan(900);
  });
});
