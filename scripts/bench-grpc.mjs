// Rows for scripts/bench.mjs: `admin nodes list --json` over REST and over gRPC (api: grpc, plaintext on
// loopback) against 50 nodes served by both eras' test servers; target: gRPC within 1.2× of REST.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '..');
const state = { server: /** @type {import('node:child_process').ChildProcess | undefined} */ (undefined) };

async function setup(sandbox) {
  if (state.server) return;
  const child = spawn(process.execPath, [join(ROOT, 'scripts/bench-grpc-control-plane.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  state.server = child;
  const ready = await new Promise((res, rej) => {
    createInterface({ input: child.stdout }).once('line', (l) => res(JSON.parse(l)));
    child.once('exit', (c) => rej(new Error(`bench gRPC control plane exited ${c}`)));
  });
  sandbox.cli(['context', 'create', 'bench-rest', '--set', `quartermaster=${ready.quartermaster}`]);
  sandbox.cli(['context', 'create', 'bench-grpc', '--set', `quartermaster-grpc=${ready.grpc}`]);
  // `api` and `grpc` are set in the file (no command sets them yet); the file stays valid YAML.
  const { load, dump } = await import('js-yaml');
  const path = join(sandbox.env.FRAMEWORKS_HOME, 'config.yaml');
  const doc = load(readFileSync(path, 'utf8'));
  Object.assign(doc.contexts['bench-grpc'], { api: 'grpc', grpc: { plaintext: true } });
  writeFileSync(path, dump(doc), { mode: 0o600 });
  Object.assign(sandbox.env, { FRAMEWORKS_SERVICE_TOKEN: ready.serviceToken });
}

async function teardown() {
  state.server?.kill('SIGTERM');
}

const REST_ROW = 'frameworks admin nodes list --json (REST)';
const GRPC_ROW = 'frameworks admin nodes list --json (gRPC)';

export const GRPC_ROWS = [
  { name: REST_ROW, args: ['admin', 'nodes', 'list', '--json', '--context', 'bench-rest'], setup, teardown },
  { name: GRPC_ROW, args: ['admin', 'nodes', 'list', '--json', '--context', 'bench-grpc'], setup },
];

export const GRPC_TARGETS = [
  {
    name: '`admin nodes list --json` over gRPC within 1.2× of REST on loopback (median)',
    check: (r) => {
      const a = r[REST_ROW];
      const b = r[GRPC_ROW];
      if (!a || !b) return undefined;
      const ratio = b.median / a.median;
      return { pass: ratio <= 1.2, detail: `gRPC ${b.median.toFixed(3)} s vs REST ${a.median.toFixed(3)} s (${ratio.toFixed(2)}×)` };
    },
  },
];
