import { describe, expect, it } from 'vitest';
import { evaluateClock, offsetFromDateHeader, offsetFromRemoteDate, parseChronyTracking, parseTimedatectl } from '../src/preflight/clock.js';
import { evaluateDisk, evaluateShm, formatBytes, parseDf } from '../src/preflight/disk.js';
import { evaluateDns, parseGetentAhosts, parseHostAddresses } from '../src/preflight/dns.js';
import { evaluateCompose, evaluateDocker, parseComposeVersion, parseDockerInfo, versionAtLeast } from '../src/preflight/docker.js';
import { chooseImage, composeImages, evaluateNofile, imageCandidates, parseMaxOpenFiles } from '../src/preflight/nofile.js';
import { containerIdFromCgroup, evaluatePort, parseDockerPs, parseProcNetTcp, parseSs, publishedPorts, type PortFacts } from '../src/preflight/ports.js';
import { commandNotFound } from '../src/lib/probe.js';
import { CATEGORY_NEXT, suggestionsFor } from '../src/preflight/remediation.js';
import { evaluateSysctl } from '../src/preflight/sysctl.js';
import { summarize, type Check } from '../src/preflight/types.js';
import { SYSCTL_TARGETS } from '../src/tune/targets.js';

const ok = (stdout: string) => ({ ok: true, code: 0, stdout, stderr: '', missing: false, timedOut: false });
const bad = (code: number, stderr: string, extra: Partial<{ missing: boolean; timedOut: boolean; stdout: string }> = {}) => ({ ok: false, code, stdout: '', stderr, missing: false, timedOut: false, ...extra });
const target = (key: string) => SYSCTL_TARGETS.find((t) => t.key === key)!;
const support = { bbr: { available: true, reason: 'listed' }, fq: { available: false, reason: 'the kernel has no fq qdisc (CONFIG_NET_SCH_FQ is not set in /proc/config.gz)' } };

describe('dns', () => {
  const getent = '127.0.0.1       STREAM localhost\n127.0.0.1       DGRAM  \n127.0.0.1       RAW    \n::1             STREAM localhost\n';
  it('parses getent ahosts once per address and ip -o addr / hostname -I', () => {
    expect(parseGetentAhosts(getent)).toEqual(['127.0.0.1', '::1']);
    const ip = '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n4: eth0    inet6 FD00::2/64 scope global \\ valid_lft forever\n';
    expect(parseHostAddresses(ip)).toEqual(['127.0.0.1', 'fd00::2']);
    expect(parseHostAddresses('192.0.2.2 fd00::2 \n')).toEqual(['192.0.2.2', 'fd00::2']);
  });
  it('skips with a hint when there is no domain', () => {
    const c = evaluateDns({ envPath: '/e/.edge.env' });
    expect(c).toMatchObject({ id: 'dns', category: 'dns', status: 'skip' });
    expect(c.hint).toContain('--domain');
    expect(c.hint).toContain('/e/.edge.env');
  });
  it('passes when the domain resolves to an address of this host', () => {
    const c = evaluateDns({ domain: 'localhost', lookup: ok(getent), hostAddresses: ['127.0.0.1', '::1', '192.0.2.2'] });
    expect(c.status).toBe('pass');
    expect(c.value).toBe('localhost → A 127.0.0.1; AAAA ::1 (this host)');
  });
  it('fails a name that does not resolve (getent exit 2), with the record to create', () => {
    const c = evaluateDns({ domain: 'nonexistent.frameworks.video', lookup: bad(2, ''), hostAddresses: ['192.0.2.2'] });
    expect(c.status).toBe('fail');
    expect(c.value).toBe('nonexistent.frameworks.video does not resolve');
    expect(c.hint).toMatch(/A \(and AAAA\) record for nonexistent\.frameworks\.video/);
  });
  it('skips a test/internal name that does not resolve: the one rule of preflight, status and doctor', () => {
    for (const domain of ['edge.test', 'n.invalid', 'n.internal']) {
      const c = evaluateDns({ domain, lookup: bad(2, ''), hostAddresses: ['192.0.2.2'] });
      expect(c, domain).toMatchObject({ status: 'skip', value: `${domain} does not resolve (a test/internal name)` });
    }
  });
  it('warns when it resolves elsewhere (NAT?) and fails against --expect-ip', () => {
    const elsewhere = ok('203.0.113.7 STREAM edge.example.com\n');
    expect(evaluateDns({ domain: 'edge.example.com', lookup: elsewhere, hostAddresses: ['10.0.0.5'] })).toMatchObject({ status: 'warn' });
    expect(evaluateDns({ domain: 'edge.example.com', lookup: elsewhere, hostAddresses: ['10.0.0.5'] }).hint).toContain('--expect-ip');
    expect(evaluateDns({ domain: 'edge.example.com', lookup: elsewhere, expectIps: ['203.0.113.7'] }).status).toBe('pass');
    const wrong = evaluateDns({ domain: 'edge.example.com', lookup: elsewhere, expectIps: ['198.51.100.1'] });
    expect(wrong).toMatchObject({ status: 'fail', threshold: 'A/AAAA → 198.51.100.1' });
  });
  it('warns about a stale extra record, a missing getent, and fails a timeout', () => {
    const two = ok('203.0.113.7 STREAM x\n198.51.100.9 STREAM x\n');
    expect(evaluateDns({ domain: 'x', lookup: two, expectIps: ['203.0.113.7'] })).toMatchObject({ status: 'warn' });
    expect(evaluateDns({ domain: 'x', lookup: bad(127, 'getent: not found', { missing: true }) }).status).toBe('warn');
    expect(evaluateDns({ domain: 'x', lookup: bad(-1, 'timed out', { timedOut: true }) }).status).toBe('fail');
  });
});

describe('ports', () => {
  const ss = [
    'LISTEN 0      4096         0.0.0.0:80        0.0.0.0:*    users:(("docker-proxy",pid=812,fd=4))',
    'LISTEN 0      511        127.0.0.1:4873      0.0.0.0:*    users:(("verdaccio",pid=4446,fd=28))',
    'LISTEN 0      511             [::]:443          [::]:*    users:(("nginx",pid=90,fd=7),("nginx",pid=91,fd=7))',
    'LISTEN 0      128    127.0.0.53%lo:53        0.0.0.0:*',
  ].join('\n');
  it('parses ss -Htlnp with and without process columns', () => {
    expect(parseSs(ss)).toEqual([
      { address: '0.0.0.0', port: 80, process: 'docker-proxy', pid: 812 },
      { address: '127.0.0.1', port: 4873, process: 'verdaccio', pid: 4446 },
      { address: '[::]', port: 443, process: 'nginx', pid: 90 },
      { address: '127.0.0.53', port: 53 },
    ]);
  });
  it('falls back to /proc/net/tcp{,6} listeners (state 0A)', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1313 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1',
      '   1: 0100007F:C350 0100007F:1313 01 00000000:00000000 00:00000000 00000000     0        0 2',
      '   0: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 0',
    ].join('\n');
    expect(parseProcNetTcp(tcp)).toEqual([
      { address: '127.0.0.1', port: 4883 },
      { address: '[::]', port: 443 },
    ]);
  });
  it('reads published host ports, docker ps lines and container ids from cgroups', () => {
    expect(publishedPorts('0.0.0.0:80->80/tcp, :::80->80/tcp, [::]:443->443/tcp, 0.0.0.0:443->443/udp, 127.0.0.1:8000-8001->8000-8001/tcp, 8080/tcp')).toEqual([80, 443, 8000, 8001]);
    expect(parseDockerPs('abc\tedge-caddy-1\t0.0.0.0:80->80/tcp\tedge\tcaddy\t/opt/edge\n')).toEqual([
      { id: 'abc', name: 'edge-caddy-1', ports: '0.0.0.0:80->80/tcp', project: 'edge', service: 'caddy', workingDir: '/opt/edge' },
    ]);
    const id = 'a'.repeat(64);
    expect(containerIdFromCgroup(`0::/system.slice/docker-${id}.scope\n`)).toBe(id);
    expect(containerIdFromCgroup(`12:memory:/docker/${id}\n`)).toBe(id);
    expect(containerIdFromCgroup('0::/user.slice\n')).toBeUndefined();
  });

  const ours = { id: 'c1', name: 'edge-caddy-1', ports: '0.0.0.0:80->80/tcp, 0.0.0.0:443->443/tcp', project: 'edge', service: 'caddy', workingDir: '/opt/edge' };
  const theirs = { id: 'c2', name: 'blog', ports: '0.0.0.0:80->80/tcp', project: 'blog', service: 'web', workingDir: '/srv/blog' };
  const isOurs = (c: { workingDir: string }) => c.workingDir === '/opt/edge';
  const facts = (p: Partial<PortFacts>): PortFacts => ({ via: 'ss', listeners: [], containers: [], pidContainer: new Map(), ...p });

  it('passes a free port and one held by this edge stack', () => {
    expect(evaluatePort(80, facts({}), isOurs)).toMatchObject({ status: 'pass', value: 'free' });
    const held = evaluatePort(80, facts({ listeners: parseSs(ss), containers: [ours] }), isOurs);
    expect(held).toMatchObject({ id: 'port-80', category: 'ports', status: 'pass' });
    expect(held.value).toContain('this edge stack');
  });
  it('fails another container and an unmanaged process, naming them', () => {
    const other = evaluatePort(80, facts({ listeners: parseSs(ss), containers: [theirs] }), isOurs);
    expect(other.status).toBe('fail');
    expect(other.value).toBe('held by container blog (compose blog/web), not this edge stack');
    expect(other.hint).toContain('docker stop blog');
    const nginx = evaluatePort(443, facts({ listeners: parseSs(ss), containers: [ours] }), isOurs);
    expect(nginx.status).toBe('fail');
    expect(nginx.value).toBe('in use by nginx (pid 90) on [::]:443: not managed by this edge stack');
    expect(nginx.hint).toContain("ss -Htlnp 'sport = :443'");
  });
  it('maps a host-networked listener to its container through the pid', () => {
    const hostNet = { ...ours, ports: '' };
    const l = [{ address: '0.0.0.0', port: 443, process: 'caddy', pid: 77 }];
    const c = evaluatePort(443, facts({ listeners: l, containers: [hostNet], pidContainer: new Map([[77, 'c1' + 'f'.repeat(62)]]) }), isOurs);
    expect(c.status).toBe('pass');
  });
  it('warns when listeners cannot be listed; says when owners are unknown', () => {
    expect(evaluatePort(80, facts({ listeners: undefined, via: 'none', listError: 'ss not found' }), isOurs).status).toBe('warn');
    const c = evaluatePort(80, facts({ listeners: [{ address: '0.0.0.0', port: 80 }], via: 'proc' }), isOurs);
    expect(c.status).toBe('fail');
    expect(c.value).toContain('ss not found');
  });
});

describe('clock', () => {
  it('parses timedatectl and chronyc tracking', () => {
    expect(parseTimedatectl('yes\n')).toBe(true);
    expect(parseTimedatectl('no\n')).toBe(false);
    expect(parseTimedatectl('')).toBeUndefined();
    const tracking = 'Reference ID    : C0A80001 (192.168.0.1)\nSystem time     : 0.000012345 seconds slow of NTP time\nLeap status     : Normal\n';
    expect(parseChronyTracking(tracking)).toEqual({ offsetS: -0.000012345, synced: true });
    expect(parseChronyTracking('System time : 2.5 seconds fast of NTP time\nLeap status : Not synchronised\n')).toEqual({ offsetS: 2.5, synced: false });
  });
  it('computes the offset from a Date header with its 1 s resolution and the round trip', () => {
    const t0 = Date.parse('2026-01-01T00:00:10.200Z');
    const s = offsetFromDateHeader('Thu, 01 Jan 2026 00:00:10 GMT', t0, t0 + 100, 'gw Date header')!;
    expect(s.offsetS).toBeCloseTo(-0.25, 5);
    expect(s.uncertaintyS).toBeCloseTo(0.55, 5);
    expect(offsetFromDateHeader('garbage', 0, 1, 'x')).toBeUndefined();
    const r = offsetFromRemoteDate('1767225610.700000000\n', t0, t0 + 200)!;
    expect(r.offsetS).toBeCloseTo(0.4, 3);
    expect(offsetFromRemoteDate('1767225610.%N\n', t0, t0)!.uncertaintyS).toBeCloseTo(0.5, 5);
  });
  it('compares the offset with 1 s (warn) and 5 s (fail), net of the uncertainty', () => {
    const s = (offsetS: number, uncertaintyS = 0.05) => ({ source: 'gw', offsetS, uncertaintyS });
    expect(evaluateClock({ ntp: { source: 'timedatectl', synced: true }, sample: s(0.2) }).status).toBe('pass');
    expect(evaluateClock({ sample: s(0.2) }).status).toBe('pass');
    expect(evaluateClock({ sample: s(1.5) })).toMatchObject({ status: 'warn', fix: 'timedatectl set-ntp true' });
    expect(evaluateClock({ sample: s(-7) }).status).toBe('fail');
    // 1.4 s ± 0.55 s might be 0.85 s: not certainly over 1 s.
    expect(evaluateClock({ sample: s(1.4, 0.55) }).status).toBe('pass');
    expect(evaluateClock({ ntp: { source: 'chronyc', synced: true, offsetS: 6 } }).status).toBe('fail');
    expect(evaluateClock({ ntp: { source: 'timedatectl', synced: false }, sample: s(0) }).status).toBe('warn');
    const unknown = evaluateClock({ sampleError: 'localhost:18000 unreachable' });
    expect(unknown.status).toBe('warn');
    expect(unknown.value).toContain('unreachable');
  });
});

describe('docker and compose', () => {
  it('reads docker info JSON; a down daemon is unreachable even with JSON printed', () => {
    expect(parseDockerInfo(ok('{"ServerVersion":"24.0.7","DockerRootDir":"/var/lib/docker"}\n'))).toEqual({ reachable: true, serverVersion: '24.0.7', rootDir: '/var/lib/docker' });
    const down = parseDockerInfo({ ...bad(1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.'), stdout: '{"ServerVersion":"","ServerErrors":["Cannot connect"]}' });
    expect(down).toMatchObject({ reachable: false, error: 'Cannot connect' });
    expect(parseDockerInfo(bad(127, '', { missing: true }))).toMatchObject({ missing: true });
  });
  it('evaluates reachability, version and permission problems', () => {
    expect(evaluateDocker({ reachable: true, serverVersion: '20.10.24+dfsg1', rootDir: '/d' })).toMatchObject({ status: 'pass', value: 'Docker 20.10.24+dfsg1, data root /d' });
    expect(evaluateDocker({ reachable: true, serverVersion: '19.03.1' }).status).toBe('warn');
    expect(evaluateDocker({ reachable: false, missing: true })).toMatchObject({ status: 'fail' });
    expect(evaluateDocker({ reachable: false, error: 'permission denied while trying to connect' }).hint).toContain('docker group');
    expect(versionAtLeast('28.2.2', '20.10')).toBe(true);
    expect(versionAtLeast('20.9.1', '20.10')).toBe(false);
  });
  it('reports which Compose is present', () => {
    expect(parseComposeVersion('Docker Compose version v2.26.1\n')).toBe('2.26.1');
    expect(parseComposeVersion('docker-compose version 1.29.2, build unknown\n')).toBe('1.29.2');
    const none = { ok: false, stdout: '' };
    expect(evaluateCompose(ok('Docker Compose version 2.26.1-4\n'), none)).toMatchObject({ status: 'pass', value: 'v2 2.26.1-4 (docker compose)' });
    expect(evaluateCompose(none, ok('docker-compose version 1.29.2, build unknown\n'))).toMatchObject({ status: 'warn', value: 'v1 1.29.2 (docker-compose)' });
    expect(evaluateCompose(none, none).status).toBe('fail');
  });
});

describe('disk and /dev/shm', () => {
  const df = (avail: number, total: number, mount = '/') => `Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda ${total} ${total - avail} ${avail} 50% ${mount}\n`;
  const GiB = 1024 * 1024; // in KiB
  it('parses df -Pk, including a filesystem name with spaces', () => {
    expect(parseDf(df(30 * GiB, 100 * GiB))[0]).toMatchObject({ filesystem: '/dev/vda', availBytes: 30 * 1024 ** 3, mount: '/' });
    expect(parseDf('Filesystem 1024-blocks Used Available Capacity Mounted on\nmy share 100 50 50 50% /mnt/my share\n')[0]).toMatchObject({ filesystem: 'my share', mount: '/mnt/my share' });
    expect(formatBytes(20 * 1024 ** 3)).toBe('20.0 GiB');
  });
  it('needs ≥ 20 GiB and ≥ 10 % free', () => {
    expect(evaluateDisk('disk-root', '/', parseDf(df(30 * GiB, 100 * GiB))[0]).status).toBe('pass');
    expect(evaluateDisk('disk-root', '/', parseDf(df(19 * GiB, 100 * GiB))[0])).toMatchObject({ status: 'fail', category: 'disk' });
    // 25 GiB free of 1 TiB is 2.4 %: enough bytes, not enough headroom.
    expect(evaluateDisk('disk-root', '/', parseDf(df(25 * GiB, 1024 * GiB))[0]).status).toBe('fail');
    expect(evaluateDisk('disk-docker', '/var/lib/docker', undefined, 'df: no such file').status).toBe('warn');
    expect(evaluateDisk('disk-docker', '/d', parseDf(df(30 * GiB, 100 * GiB, '/'))[0], undefined, '/').value).toContain('same filesystem as /');
  });
  it('checks /dev/shm is a tmpfs of at least 1 GiB', () => {
    const shm = (kib: number, mount = '/dev/shm') => parseDf(`Filesystem 1024-blocks Used Available Capacity Mounted on\ntmpfs ${kib} 0 ${kib} 0% ${mount}\n`)[0];
    expect(evaluateShm(shm(2 * GiB))).toMatchObject({ status: 'pass', value: '2.0 GiB (2.0 GiB free) tmpfs on /dev/shm' });
    expect(evaluateShm(shm(64 * 1024)).status).toBe('warn');
    expect(evaluateShm(shm(2 * GiB, '/dev')).status).toBe('warn');
    expect(evaluateShm(undefined, 'df: /dev/shm: No such file or directory').status).toBe('fail');
  });
});

describe('nofile', () => {
  it('prefers the edge stack images (compose file with .edge.env variables), never pulls', () => {
    const compose = 'services:\n  edge:\n    image: "${EDGE_IMAGE:-livepeerframeworks/frameworks-edge:latest}"\n  x:\n    image: local/caddy:$CADDY_TAG # comment\n';
    expect(composeImages(compose, { CADDY_TAG: '2.6.2' })).toEqual(['livepeerframeworks/frameworks-edge:latest', 'local/caddy:2.6.2']);
    expect(chooseImage(['busybox:latest', 'local/caddy:2.6.2'], ['local/caddy:2.6.2'])).toEqual({ image: 'local/caddy:2.6.2', why: 'an edge stack image' });
    expect(chooseImage(['alpine:3', 'local/mistserver:1'], ['nope:1']).image).toBe('local/mistserver:1');
    expect(chooseImage(['alpine:3'], []).image).toBe('alpine:3');
    expect(chooseImage(['nginx:latest'], ['nginx']).image).toBe('nginx:latest');
    expect(chooseImage([], ['x']).image).toBeUndefined();
    // fallbacks in order, each once, for an image that disappears before the run
    expect(imageCandidates(['alpine:3', 'local/caddy:2.6.2', 'local/edge:1'], ['local/edge:1'])).toEqual(['local/edge:1', 'local/caddy:2.6.2', 'alpine:3']);
  });
  it('fails with the dockerd fix when the runtime refuses the rlimit', () => {
    const stderr =
      'docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: unknown.\n';
    const c = evaluateNofile({ engine: 'ok', image: 'local/busybox:1', run: { ok: false, code: 125, stderr, timedOut: false }, dockerdHard: '20000' });
    expect(c).toMatchObject({ id: 'nofile', category: 'limits', status: 'fail', threshold: 'engine grants nofile ≥ 1048576' });
    expect(c.value).toBe("1048576 refused: error setting rlimit type 7: operation not permitted (test container from local/busybox:1; dockerd's hard limit is 20000)");
    expect(c.hint).toContain('LimitNOFILE=1048576');
    expect(c.hint).toContain('--nofile');
    expect(c.fix).toContain('docker.service.d');
  });
  it('passes a granted limit (also when the image has no `true`), skips without an engine, warns without an image', () => {
    expect(evaluateNofile({ engine: 'ok', image: 'i', run: { ok: true, code: 0, stderr: '', timedOut: false } }).status).toBe('pass');
    const noTrue = 'docker: Error response from daemon: ... exec: "true": executable file not found in $PATH: unknown.';
    expect(evaluateNofile({ engine: 'ok', image: 'i', run: { ok: false, code: 127, stderr: noTrue, timedOut: false } }).status).toBe('pass');
    expect(evaluateNofile({ engine: 'unreachable' }).status).toBe('skip');
    expect(evaluateNofile({ engine: 'ok' })).toMatchObject({ status: 'warn', value: 'not tested: no local image (this check never pulls)' });
    expect(parseMaxOpenFiles('Max open files            20000                20000                files\n')).toEqual({ soft: '20000', hard: '20000' });
  });
});

describe('sysctl thresholds', () => {
  it('compares values instead of "readable = pass"', () => {
    expect(evaluateSysctl(target('net.core.rmem_max'), { key: 'net.core.rmem_max', value: '4194304' }, support)).toMatchObject({ status: 'warn', threshold: '≥ 67108864', fix: 'frameworks edge tune --write' });
    expect(evaluateSysctl(target('net.core.rmem_max'), { key: 'net.core.rmem_max', value: '134217728' }, support).status).toBe('pass');
    expect(evaluateSysctl(target('vm.swappiness'), { key: 'vm.swappiness', value: '60' }, support)).toMatchObject({ status: 'warn', threshold: '≤ 10' });
    const range = target('net.ipv4.ip_local_port_range');
    expect(evaluateSysctl(range, { key: range.key, value: '32768\t60999' }, support)).toMatchObject({ status: 'warn', threshold: 'covers 10000–65535' });
    expect(evaluateSysctl(range, { key: range.key, value: '1024 65535' }, support).status).toBe('pass');
  });
  it('skips what the kernel does not offer, with the reason', () => {
    const fq = evaluateSysctl(target('net.core.default_qdisc'), { key: 'net.core.default_qdisc', value: 'pfifo_fast' }, support);
    expect(fq.status).toBe('skip');
    expect(fq.hint).toContain('CONFIG_NET_SCH_FQ');
    expect(evaluateSysctl(target('net.ipv4.udp_rmem_min'), { key: 'net.ipv4.udp_rmem_min', error: 'No such file' }, support).status).toBe('skip');
  });
});

describe('remediation by category, summary', () => {
  const c = (id: string, category: Check['category'], status: Check['status'], fix?: string): Check => ({ id, category, status, value: '', threshold: '', hint: '', ...(fix ? { fix } : {}) });
  it('maps ip_local_port_range to tuning, not to "free the port"', () => {
    const s = suggestionsFor([c('sysctl:net.ipv4.ip_local_port_range', 'sysctl', 'warn'), c('port-80', 'ports', 'fail')]);
    expect(s).toEqual([CATEGORY_NEXT.ports, CATEGORY_NEXT.sysctl]);
    expect(suggestionsFor([c('nofile', 'limits', 'fail', 'fix-it')])).toEqual(['fix-it']);
  });
  it('counts statuses; any fail makes it not ok', () => {
    expect(summarize([c('a', 'dns', 'pass'), c('b', 'dns', 'warn'), c('c', 'dns', 'skip')], 12)).toEqual({ total: 3, pass: 1, warn: 1, fail: 0, skip: 1, ok: true, duration_ms: 12 });
    expect(summarize([c('a', 'dns', 'fail')], 1).ok).toBe(false);
  });
  it('tells a missing program from a failing one', () => {
    expect(commandNotFound('ss', 'bash: line 1: ss: command not found')).toBe(true);
    expect(commandNotFound('ss', 'sh: 1: ss: not found')).toBe(true);
    expect(commandNotFound('docker', 'docker: Error response from daemon: exec: "true": executable file not found in $PATH')).toBe(false);
  });
});
