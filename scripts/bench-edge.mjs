// Edge rows for scripts/bench.mjs: preflight, status, doctor and logs locally and over --ssh to one host, `edge status` over 20 SSH
// targets (20 real sshd processes on 127.0.0.1), against a real stack on the test engine that
// `bash scripts/infra.sh up` starts. The rows are skipped when that engine is not running.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const STATE = process.env.FW_INFRA_STATE ?? '/tmp/frameworks-infra';
const DOCKER_HOST = `unix://${join(STATE, 'docker.sock')}`;
const PROJECT = 'fwbench';
const HOSTS = 20;

export function edgeAvailable() {
  if (!existsSync(join(STATE, 'docker.sock')) || !existsSync('/usr/sbin/sshd')) return false;
  return spawnSync('docker', ['info'], { env: { ...process.env, DOCKER_HOST }, stdio: 'ignore' }).status === 0;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Shared state of the edge rows: one stack and the sshd fleet, set up once, torn down at the end. */
const edge = { dir: '', started: false, sshds: /** @type {{ stop(): Promise<void> }[]} */ ([]), aliases: /** @type {string[]} */ ([]) };

async function setup(sandbox) {
  if (edge.started) return;
  edge.started = true;
  sandbox.env.DOCKER_HOST = DOCKER_HOST;
  edge.dir = join(sandbox.home, 'edge');
  const [http, https] = [await freePort(), await freePort()];
  const hardNofile = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  sandbox.cli(['edge', 'init', '--dir', edge.dir, '--domain', 'edge.test', '--tls', 'internal', '--project', PROJECT,
    '--release-manifest', join(ROOT, 'test/fixtures/edge/release-manifest.yaml'), '--allow-unpinned', '--nofile', hardNofile,
    '--bind', '127.0.0.1', '--http-port', String(http), '--https-port', String(https), '--token', 'bench-enrollment-token-0001']);
  sandbox.cli(['edge', 'enroll', '--dir', edge.dir, '--timeout', '3m']);

  // 20 sshd processes: 20 real connections, the fleet case the target is about.
  const { startSshd } = await import('../test/support/sshd.ts');
  const ssh = join(sandbox.home, '.ssh');
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  writeFileSync(join(ssh, 'config'), '', { mode: 0o600 });
  for (let i = 1; i <= HOSTS; i++) {
    const d = await startSshd({ setEnv: { DOCKER_HOST } });
    edge.sshds.push(d);
    appendFileSync(join(ssh, 'known_hosts'), d.knownHostsLine() + '\n', { mode: 0o600 });
    appendFileSync(join(ssh, 'config'), `Host bench${i}\n  HostName 127.0.0.1\n  Port ${d.port}\n  User ${d.user}\n  IdentityFile ${d.clientKey}\n\n`);
    edge.aliases.push(`bench${i}`);
  }
}

async function teardown() {
  if (!edge.started) return;
  await Promise.allSettled(edge.sshds.map((d) => d.stop()));
  spawnSync('docker', ['compose', '-p', PROJECT, '-f', join(edge.dir, 'docker-compose.edge.yml'), 'down', '-v', '-t', '1'], {
    env: { ...process.env, DOCKER_HOST },
    stdio: 'ignore',
  });
}

const dirArgs = () => ['--dir', edge.dir];
/** A verb run locally and over --ssh to one loopback host; the SSH row also reports remote commands per host. */
const pair = (verb, expectExit = [0]) => [
  { name: `frameworks edge ${verb} (local)`, args: () => ['edge', verb, ...dirArgs()], expectExit, setup, teardown, when: edgeAvailable },
  {
    name: `frameworks edge ${verb} --ssh (1 host)`,
    args: () => ['edge', verb, ...dirArgs(), '--ssh', edge.aliases[0]],
    expectExit,
    remoteHosts: 1,
    setup,
    when: edgeAvailable,
  },
];

export const EDGE_ROWS = [
  // The bench stack listens on free ports, not 80/443, and this machine's engine cannot grant nofile
  // 1048576: preflight and doctor rightly report failures (exit 1); the time is what is measured.
  ...pair('preflight', [0, 1]),
  ...pair('status'),
  ...pair('doctor', [0, 1]),
  ...pair('logs'),
  {
    name: `frameworks edge status --ssh (${HOSTS} hosts)`,
    args: () => ['edge', 'status', ...dirArgs(), '--ssh', edge.aliases.join(','), '--parallel', String(HOSTS)],
    remoteHosts: HOSTS,
    setup,
    when: edgeAvailable,
  },
];

/** `<verb> over SSH ≤ 1.5× local` for each verb. */
const sshVsLocal = ['preflight', 'status', 'doctor', 'logs'].map((verb) => ({
  name: `\`edge ${verb}\` over --ssh to one loopback host ≤ 1.5× local (median)`,
  check: (r) => {
    const local = r[`frameworks edge ${verb} (local)`];
    const ssh = r[`frameworks edge ${verb} --ssh (1 host)`];
    if (!local || !ssh) return undefined;
    const ratio = ssh.median / local.median;
    const n = ssh.remotePerHost === null ? '' : `; ${ssh.remotePerHost} remote commands per host`;
    return { pass: ratio <= 1.5, detail: `${ratio.toFixed(2)}× (${local.median.toFixed(3)} s → ${ssh.median.toFixed(3)} s${n})` };
  },
}));

export const EDGE_TARGETS = [
  ...sshVsLocal,
  {
    name: `\`edge status\` over ${HOSTS} SSH hosts ≤ 2.5× one host (median)`,
    check: (r) => {
      const one = r['frameworks edge status --ssh (1 host)'];
      const many = r[`frameworks edge status --ssh (${HOSTS} hosts)`];
      if (!one || !many) return undefined;
      const ratio = many.median / one.median;
      // Here the 20 "hosts" are 20 sshd on this one 2-core machine, sharing its CPU and its dockerd:
      // the remote work (sshd sessions, the docker CLI runs of each host's scripts, the engine's answers) is what grows; the CLI CPU shows its share.
      const cpu = one.cpuMedian && many.cpuMedian ? `; CLI CPU ${one.cpuMedian.toFixed(2)} s → ${many.cpuMedian.toFixed(2)} s (${(many.cpuMedian / one.cpuMedian).toFixed(2)}×)` : '';
      return { pass: ratio <= 2.5, detail: `${ratio.toFixed(2)}× wall (${one.median.toFixed(3)} s → ${many.median.toFixed(3)} s)${cpu}` };
    },
  },
  {
    name: 'peak RSS of `edge doctor` ≤ 100 MiB',
    check: (r) => {
      const d = r['frameworks edge doctor (local)'];
      if (!d || d.rssMaxMiB === null) return undefined;
      return { pass: d.rssMaxMiB <= 100, detail: `${d.rssMaxMiB.toFixed(1)} MiB (wall ${d.median.toFixed(3)} s median)` };
    },
  },
];
