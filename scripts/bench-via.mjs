// Rows for scripts/bench.mjs: `admin nodes list --json` directly and through `--via` (a real sshd on
// loopback as the jump host), and one SSH connection alone (connect, authenticate, close) for the
// target: the tunnel may add at most one SSH handshake plus one round trip to the direct run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '..');
const state = { sshd: undefined, server: undefined, target: '', env: {} };

async function setup(sandbox) {
  if (state.sshd) return;
  const { startSshd } = await import('../test/support/sshd.ts');
  state.sshd = await startSshd();
  const ssh = join(sandbox.home, '.ssh');
  await mkdir(ssh, { recursive: true, mode: 0o700 });
  await copyFile(state.sshd.clientKey, join(ssh, 'id_ed25519'));
  await chmod(join(ssh, 'id_ed25519'), 0o600);
  await writeFile(join(ssh, 'known_hosts'), `${state.sshd.knownHostsLine()}\n`);
  state.target = `${state.sshd.user}@127.0.0.1:${state.sshd.port}`;
  const child = spawn(process.execPath, [join(ROOT, 'scripts/bench-control-plane.mjs'), join(sandbox.home, 'via-requests.log')], { stdio: ['ignore', 'pipe', 'inherit'] });
  state.server = child;
  const first = await new Promise((res, rej) => {
    createInterface({ input: child.stdout }).once('line', (l) => res(JSON.parse(l)));
    child.once('exit', (c) => rej(new Error(`bench control plane exited ${c}`)));
  });
  Object.assign(state.env, { FRAMEWORKS_QUARTERMASTER_URL: first.urls.quartermaster, FRAMEWORKS_SERVICE_TOKEN: first.serviceToken, SSH_AUTH_SOCK: undefined });
}

async function teardown() {
  state.server?.kill('SIGTERM');
  await state.sshd?.stop();
}

const when = () => existsSync('/usr/sbin/sshd');
const DIRECT = 'frameworks admin nodes list --json (direct)';
const VIA = 'frameworks admin nodes list --json --via (loopback sshd)';
const HANDSHAKE = 'frameworks admin nodes list: one SSH connection alone (node: connect + close)';

export const VIA_ROWS = [
  { name: DIRECT, args: ['admin', 'nodes', 'list', '--json'], env: state.env, setup, teardown, when },
  { name: VIA, args: () => ['admin', 'nodes', 'list', '--json', '--via', state.target], env: state.env, setup, when },
  { name: HANDSHAKE, node: true, args: () => [join(ROOT, 'scripts/bench-ssh-connect.mjs'), state.target], env: state.env, setup, when },
];

export const VIA_TARGETS = [
  {
    name: '`admin nodes list --json --via`: at most one SSH handshake + one round trip over the direct run (median)',
    check: (r) => {
      const direct = r[DIRECT];
      const via = r[VIA];
      const handshake = r[HANDSHAKE];
      const node = r['node -e 0'];
      if (!direct || !via || !handshake || !node) return undefined;
      const added = via.median - direct.median;
      // One SSH connection's own cost: the handshake row minus a bare node start; one loopback round trip ≤ 5 ms.
      const budget = handshake.median - node.median + 0.005;
      return { pass: added <= budget, detail: `direct ${direct.median.toFixed(3)} s, via ${via.median.toFixed(3)} s: +${(added * 1000).toFixed(0)} ms (budget ${(budget * 1000).toFixed(0)} ms)` };
    },
  },
];
