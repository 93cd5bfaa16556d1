// `frameworks edge preflight` run as a user would, against this machine and the private Docker
// engine of scripts/infra.sh. This machine cannot grant containers nofile=1048576 (dockerd's hard
// limit is 20000, root lacks CAP_SYS_RESOURCE), so the nofile check must fail here, with the fix.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import { DOCKER_HOST, IMAGES, dockerEnv, freePort, removeComposeProject, requireDocker, uniqueName } from '../support/docker.js';
import { sshdAvailable, startSshd, type Sshd } from '../support/sshd.js';

interface Check {
  id: string;
  category: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  value: string;
  threshold: string;
  hint: string;
  fix?: string;
}
interface Report {
  host: string;
  dir: string;
  checks: Check[];
  summary: { total: number; pass: number; warn: number; fail: number; skip: number; ok: boolean; duration_ms: number };
}

const sb = new CliSandbox('fw-preflight-');
const work = mkdtempSync(join(tmpdir(), 'fw-preflight-dir-'));
const emptyDir = join(work, 'empty');
mkdirSync(emptyDir);
let dateServer: HttpServer;
let skewMs = 0;
let gatewayUrl = '';

/** A stand-in gateway that only has to send a Date header (the clock reference of a local run). */
beforeAll(async () => {
  dateServer = createHttpServer((_req, res) => {
    res.setHeader('Date', new Date(Date.now() + skewMs).toUTCString());
    res.end();
  });
  await new Promise<void>((r) => dateServer.listen(0, '127.0.0.1', r));
  gatewayUrl = `http://127.0.0.1:${(dateServer.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => dateServer.close(r));
  sb.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function preflight(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return sb.run(['edge', 'preflight', ...args], { env: { DOCKER_HOST, FRAMEWORKS_GATEWAY_URL: gatewayUrl, ...env }, timeoutMs: 60_000 });
}

/** The report of a --json run, whether it passed (result) or failed (error document's result). */
function report(r: CliResult): Report {
  expect(r.json, r.stderr).toBeDefined();
  return r.json!.result as Report;
}
const byId = (rep: Report) => Object.fromEntries(rep.checks.map((c) => [c.id, c]));

describe('edge preflight (no engine needed)', () => {
  it('DNS: a missing domain fails with the record to create; localhost resolves to this host; --expect-ip is compared', async () => {
    // A TLD that does not exist (not a reserved one: those are skipped, the rule status and doctor share).
    const [bad, good, wrongIp, reserved] = await Promise.all([
      preflight(['--dir', emptyDir, '--domain', 'edge.nonexistent-tld-frameworks', '--json']),
      preflight(['--dir', emptyDir, '--domain', 'localhost', '--json']),
      preflight(['--dir', emptyDir, '--domain', 'localhost', '--expect-ip', '203.0.113.9', '--json']),
      preflight(['--dir', emptyDir, '--domain', 'nonexistent.invalid', '--json']),
    ]);
    expect(byId(report(bad)).dns).toMatchObject({ category: 'dns', status: 'fail', value: 'edge.nonexistent-tld-frameworks does not resolve' });
    expect(byId(report(bad)).dns.hint).toContain('Create an A (and AAAA) record for edge.nonexistent-tld-frameworks');
    expect(byId(report(reserved)).dns).toMatchObject({ status: 'skip', value: 'nonexistent.invalid does not resolve (a test/internal name)' });
    expect(byId(report(good)).dns.status).toBe('pass');
    expect(byId(report(good)).dns.value).toMatch(/^localhost → A 127\.0\.0\.1.*\(this host\)$/);
    expect(byId(report(wrongIp)).dns).toMatchObject({ status: 'fail', threshold: 'A/AAAA → 203.0.113.9' });
  });

  it('DNS: the domain comes from EDGE_DOMAIN in <dir>/.edge.env; without one the check is skipped with a hint', async () => {
    const dir = join(work, 'with-env');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.edge.env'), '# edge\nEDGE_DOMAIN=localhost\n');
    const [fromEnv, none] = await Promise.all([preflight(['--dir', dir, '--json']), preflight(['--dir', emptyDir, '--json'])]);
    expect(byId(report(fromEnv)).dns).toMatchObject({ status: 'pass' });
    expect(byId(report(fromEnv)).dns.value).toContain('localhost →');
    expect(byId(report(none)).dns).toMatchObject({ status: 'skip', value: 'no domain' });
    expect(byId(report(none)).dns.hint).toContain(`--domain <name> or set EDGE_DOMAIN in ${emptyDir}/.edge.env`);
  });

  it('ports: a plain TCP listener is reported as unmanaged; a free port passes', async () => {
    const [taken, free] = [await freePort(), await freePort()];
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(taken, '127.0.0.1', r));
    try {
      const r = await preflight(['--dir', emptyDir, '--ports', `${taken},${free}`, '--json']);
      expect(r.code).toBe(1);
      const c = byId(report(r));
      expect(c[`port-${taken}`]).toMatchObject({ category: 'ports', status: 'fail', threshold: 'free, or held by this edge stack' });
      // the test process itself holds it: ss names it
      expect(c[`port-${taken}`].value).toBe(`in use by node (pid ${process.pid}) on 127.0.0.1:${taken}: not managed by this edge stack`);
      expect(c[`port-${taken}`].hint).toContain(`ss -Htlnp 'sport = :${taken}'`);
      expect(c[`port-${free}`]).toMatchObject({ status: 'pass', value: 'free' });
      expect(c['port-80']).toBeUndefined();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('clock: offset against the gateway Date header; 30 s off fails with the fix', async () => {
    const inSync = await preflight(['--dir', emptyDir, '--json']);
    const ok = byId(report(inSync)).clock;
    expect(ok.category).toBe('time');
    // no NTP daemon on this machine may make it a warning, but never a failure
    expect(['pass', 'warn']).toContain(ok.status);
    expect(ok.value).toMatch(/offset [+−]\d+\.\d\d s ±\d\.\d\d s vs 127\.0\.0\.1:\d+ Date header/);
    skewMs = 30_000;
    try {
      const off = byId(report(await preflight(['--dir', emptyDir, '--json']))).clock;
      expect(off).toMatchObject({ status: 'fail', threshold: 'NTP synced; |offset| ≤ 1 s (fail > 5 s)', fix: 'timedatectl set-ntp true' });
      expect(off.value).toMatch(/offset −(29|30|31) s ±\d\.\d\d s vs 127\.0\.0\.1:\d+ Date header/);
    } finally {
      skewMs = 0;
    }
  });

  it('an unreachable engine fails the docker check with a hint and skips nofile; bad --ports is a usage error', async () => {
    const r = await preflight(['--dir', emptyDir, '--json'], { DOCKER_HOST: `unix://${work}/no-such.sock` });
    expect(r.code).toBe(1);
    const c = byId(report(r));
    expect(c.docker).toMatchObject({ category: 'docker', status: 'fail' });
    expect(c.docker.value).toMatch(/^Docker engine unreachable at unix:\/\/\S*no-such\.sock$/);
    expect(c.docker.hint).toContain('DOCKER_HOST');
    expect(c.nofile.status).toBe('skip');
    const usage = await preflight(['--ports', '80,http']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--ports "80,http" is not a list of TCP ports');
  });
});

const gate = await requireDocker('edge preflight e2e');

describe.skipIf(gate.skip)('edge preflight against the real engine', () => {
  // An edge folder whose compose file names a stand-in image: nofile tests with the stack's own image.
  const edgeDir = join(work, 'edge');
  beforeAll(() => {
    mkdirSync(edgeDir, { recursive: true });
    writeFileSync(join(edgeDir, 'docker-compose.edge.yml'), `services:\n  edge:\n    image: ${IMAGES.busybox}\n`);
  });

  it('--json: every check with its status, value, threshold and hint; nofile FAILS here with the fix; exit 1', async () => {
    const started = performance.now();
    const r = await preflight(['--domain', 'localhost', '--dir', edgeDir, '--json']);
    const wallMs = Math.round(performance.now() - started);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'PREFLIGHT_FAILED' });
    const rep = report(r);
    expect(rep.host).toBe('local');
    for (const c of rep.checks) {
      expect(Object.keys(c).sort()).toEqual(c.fix ? ['category', 'fix', 'hint', 'id', 'status', 'threshold', 'value'] : ['category', 'hint', 'id', 'status', 'threshold', 'value']);
      expect(['pass', 'warn', 'fail', 'skip']).toContain(c.status);
      expect(['dns', 'ports', 'time', 'docker', 'disk', 'shm', 'sysctl', 'limits']).toContain(c.category);
      expect(c.value).not.toBe('');
      if (c.status !== 'pass') expect(c.hint, c.id).not.toBe('');
    }
    const c = byId(rep);
    expect(Object.keys(c)).toEqual(expect.arrayContaining(['dns', 'port-80', 'port-443', 'clock', 'docker', 'compose', 'disk-root', 'disk-docker', 'shm', 'nofile', 'sysctl:net.core.somaxconn']));

    // the engine cannot grant nofile=1048576 on this machine: fail, with the fix
    expect(c.nofile).toMatchObject({ category: 'limits', status: 'fail', threshold: 'engine grants nofile ≥ 1048576' });
    expect(c.nofile.value).toMatch(/^1048576 refused: error setting rlimit type 7: operation not permitted/);
    expect(c.nofile.value).toContain(`(test container from ${IMAGES.busybox}`);
    expect(c.nofile.hint).toContain('LimitNOFILE=1048576');
    expect(c.nofile.hint).toContain('frameworks edge init --nofile $(ulimit -Hn)');
    expect(c.nofile.fix).toContain('/etc/systemd/system/docker.service.d/');
    expect(r.json!.suggestions).toContain(c.nofile.fix);

    // engine and Compose as they are
    expect(c.docker.status).toBe('pass');
    expect(c.docker.value).toMatch(/^Docker \d+\.\d+\S*, data root \//);
    expect(c.compose.status).toBe('pass');
    expect(c.compose.value).toMatch(/^v2 \d+\.\d+\.\d+\S* \(docker compose\)$/);

    // real numbers for disk and /dev/shm
    expect(c['disk-root'].value).toMatch(/^\d+\.\d (GiB|TiB) free \(\d+\.\d % of \d+\.\d (GiB|TiB)\) on \//);
    expect(c['disk-root'].threshold).toBe('≥ 20.0 GiB and ≥ 10 % free');
    expect(c['disk-docker'].value).toMatch(/^\d+\.\d \w+ free \(/);
    expect(c.shm.value).toMatch(/^\d+\.\d \w+ \(\d+\.\d \w+ free\) \S+ on \/dev\/shm$/);

    // sysctls are compared with the tune targets, the value is what the kernel says
    const somaxconn = readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim();
    expect(c['sysctl:net.core.somaxconn']).toMatchObject({ category: 'sysctl', value: somaxconn, threshold: '≥ 16384', status: Number(somaxconn) >= 16384 ? 'pass' : 'warn' });
    if (c['sysctl:net.core.somaxconn'].status === 'warn') expect(c['sysctl:net.core.somaxconn'].fix).toBe('frameworks edge tune --write');

    const s = rep.summary;
    expect(s).toMatchObject({ total: rep.checks.length, ok: false });
    expect(s.pass + s.warn + s.fail + s.skip).toBe(s.total);
    // the checks run concurrently: the whole preflight takes about as long as its slowest check
    expect(s.duration_ms).toBeLessThan(8_000);
    console.log(`edge preflight: checks ${s.duration_ms} ms, CLI wall ${wallMs} ms, ${s.total} checks`);
  });

  it('human output: one table (check, status, value seen, threshold, hint) and a summary; the failure and its fix on stderr', async () => {
    // a free port instead of 80/443, which another suite's stack may hold right now
    const r = await preflight(['--domain', 'localhost', '--dir', edgeDir, '--ports', String(await freePort())]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^CHECK\s+STATUS\s+VALUE SEEN\s+THRESHOLD\s+HINT$/);
    expect(lines.find((l) => l.startsWith('nofile '))).toMatch(/^nofile\s+✗\s+1048576 refused/);
    expect(lines.find((l) => l.startsWith('dns '))).toMatch(/^dns\s+✓\s+localhost →/);
    expect(r.stdout).toMatch(/^Summary: \d+ checks: \d+ passed, \d+ warnings?, 1 failed, \d+ skipped \(\d+\.\d s\)$/m);
    expect(r.stderr).toContain('✗ Preflight failed on local: 1 of');
    expect(r.stderr).toContain('(nofile)');
    expect(r.stderr).toContain('Next: mkdir -p /etc/systemd/system/docker.service.d');
  });

  describe('ports held by a compose stack', () => {
    const project = uniqueName('fw-preflight');
    const stackDir = join(work, 'stack');
    let port = 0;

    beforeAll(async () => {
      port = await freePort();
      mkdirSync(stackDir, { recursive: true });
      writeFileSync(
        join(stackDir, 'docker-compose.edge.yml'),
        `services:\n  proxy:\n    image: ${IMAGES.busybox}\n    init: true\n    entrypoint: ["sleep", "600"]\n    ports: ["127.0.0.1:${port}:80"]\n`,
      );
      await promisify(execFile)('docker', ['compose', '-p', project, '-f', join(stackDir, 'docker-compose.edge.yml'), 'up', '-d', '--quiet-pull'], {
        cwd: stackDir,
        env: { ...process.env, ...dockerEnv() },
        timeout: 60_000,
      });
    });
    afterAll(async () => {
      await removeComposeProject(project);
    });

    it('this edge stack holding the port passes; run from another folder the same listener is another stack and fails', async () => {
      const [ours, other] = await Promise.all([
        preflight(['--dir', stackDir, '--ports', String(port), '--json']),
        preflight(['--dir', emptyDir, '--ports', String(port), '--json']),
      ]);
      const mine = byId(report(ours))[`port-${port}`];
      expect(mine).toMatchObject({ status: 'pass', value: `held by this edge stack: ${project}-proxy-1 (compose ${project}/proxy)` });
      const theirs = byId(report(other))[`port-${port}`];
      expect(theirs).toMatchObject({ status: 'fail', value: `held by container ${project}-proxy-1 (compose ${project}/proxy), not this edge stack` });
      expect(theirs.hint).toContain(`docker stop ${project}-proxy-1`);
      // nofile tried the edge stack's own image (from its compose file), never pulling
      expect(byId(report(ours)).nofile.value).toContain(`(test container from ${IMAGES.busybox}`);
    });
  });
});

if (!sshdAvailable() && process.env.CI) throw new Error('edge preflight e2e: /usr/sbin/sshd is missing (bash scripts/infra.sh up installs openssh-server).');

describe.skipIf(gate.skip || !sshdAvailable())('edge preflight --ssh (the same checks on the remote host, through the SSH executor)', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd({ setEnv: { DOCKER_HOST } });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('one section per host; a host that cannot be reached is reported beside the others; all failed → exit 1', async () => {
    const good = `${sshd.user}@127.0.0.1:${sshd.port}`;
    const dead = `${sshd.user}@127.0.0.1:${await freePort()}`;
    const ssh = ['--ssh', `${good},${dead}`, '--ssh-key', sshd.clientKey, '--accept-new-host-key', '--domain', 'localhost'];
    const r = await preflight([...ssh, '--json'], { DOCKER_HOST: `unix://${work}/not-this-one.sock` });
    expect(r.code, r.stderr).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'ALL_HOSTS_FAILED' });
    const rows = r.json!.result as Array<{ host: string; ok: boolean; result: Report | null; error: { code: string } | null }>;
    expect(rows.map((x) => [x.host, x.ok])).toEqual([
      [good, false],
      [dead, false],
    ]);
    // the remote host's own engine (sshd hands its sessions the private DOCKER_HOST), not the CLI's
    const remote = byId(rows[0].result!);
    expect(remote.docker.status).toBe('pass');
    expect(remote.nofile.status).toBe('fail');
    expect(remote.clock.value).toMatch(/offset [+−]\d+\.\d\d s ±\d\.\d\d s vs this machine's clock/);
    expect(rows[0].result!.host).toBe(good);
    expect(rows[1]).toMatchObject({ result: null, error: { code: expect.any(String) } });

    const human = await preflight(ssh);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`── ${good} ──`);
    expect(human.stdout).toContain(`── ${dead} ──`);
    expect(human.stdout.match(/^CHECK\s+STATUS/gm)).toHaveLength(1);
  });
});

