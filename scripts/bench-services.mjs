// Rows for scripts/bench.mjs that talk to the control plane: `services health --json` and
// `admin bootstrap-tokens list --json` against the contract test server (its own process), with
// the time from process start to the first request the server receives.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '..');
const state = { server: /** @type {import('node:child_process').ChildProcess | undefined} */ (undefined), log: '', env: {} };

async function setup(sandbox) {
  if (state.server) return;
  state.log = join(sandbox.home, 'control-plane-requests.log');
  writeFileSync(state.log, '');
  const child = spawn(process.execPath, [join(ROOT, 'scripts/bench-control-plane.mjs'), state.log], { stdio: ['ignore', 'pipe', 'inherit'] });
  state.server = child;
  const first = await new Promise((res, rej) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (l) => res(JSON.parse(l)));
    child.once('exit', (c) => rej(new Error(`bench control plane exited ${c}`)));
  });
  state.env = { FRAMEWORKS_QUARTERMASTER_URL: first.urls.quartermaster, FRAMEWORKS_SERVICE_TOKEN: first.serviceToken };
  Object.assign(sandbox.env, state.env);
}

async function teardown() {
  state.server?.kill('SIGTERM');
}

/** ms from the CLI's spawn to the first request the server logged after it. */
function firstRequestMs(startedAtMs) {
  const lines = readFileSync(state.log, 'utf8').trim().split('\n');
  for (const l of lines) {
    const at = Number(l.split(' ')[0]);
    if (at >= startedAtMs) return at - startedAtMs;
  }
  return undefined;
}

export const SERVICE_ROWS = [
  { name: 'frameworks services health --json', args: ['services', 'health', '--json'], setup, teardown, measure: firstRequestMs },
  { name: 'frameworks admin bootstrap-tokens list --json', args: ['admin', 'bootstrap-tokens', 'list', '--json'], setup, measure: firstRequestMs },
];

export const SERVICE_TARGETS = SERVICE_ROWS.map((row) => ({
  name: `\`${row.name.replace('frameworks ', '')}\`: first request within 0.25 s of process start (median)`,
  check: (r) => {
    const v = r[row.name];
    if (!v || v.measureMedian === null) return undefined;
    return { pass: v.measureMedian <= 250, detail: `${Math.round(v.measureMedian)} ms to first request, ${v.median.toFixed(3)} s total` };
  },
}));
