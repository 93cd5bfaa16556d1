// Rows for scripts/bench.mjs: one shell TAB (`frameworks __complete …`) for node ids, from the 60 s cache
// and with the cache removed before every run (the refresh from Quartermaster, 20 nodes), next to a TAB
// that reads only local files. The target is the one a shell user feels: a TAB under 0.3 s.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'run.js');
const state = { server: /** @type {import('node:child_process').ChildProcess | undefined} */ (undefined), env: /** @type {Record<string, string | undefined>} */ ({}) };

async function setup(sandbox) {
  if (state.server) return;
  const child = spawn(process.execPath, [join(ROOT, 'scripts/bench-control-plane.mjs'), join(sandbox.home, 'complete-requests.log'), '--nodes'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  state.server = child;
  const first = await new Promise((res, rej) => {
    createInterface({ input: child.stdout }).once('line', (l) => res(JSON.parse(l)));
    child.once('exit', (c) => rej(new Error(`bench control plane exited ${c}`)));
  });
  sandbox.cli(['context', 'create', 'tab', '--set', `quartermaster=${first.urls.quartermaster}`]);
  Object.assign(state.env, { FRAMEWORKS_CONTEXT: 'tab', FRAMEWORKS_SERVICE_TOKEN: first.serviceToken, FRAMEWORKS_QUARTERMASTER_URL: undefined });
  state.env.FW_BENCH_NODE_CACHE = join(sandbox.env.FRAMEWORKS_HOME, 'complete', 'nodes-tab.json');
}

async function teardown() {
  state.server?.kill('SIGTERM');
}

const LOCAL = 'frameworks __complete context use (local files only)';
const CACHED = 'frameworks __complete edge drain (node ids, cached)';
const REFRESH = 'frameworks __complete edge drain (node ids, cache removed: Quartermaster)';
// Removes the cache inside the measured process, before bin/run.js: one fs call, no extra process.
const dropCache = 'data:text/javascript,import{rmSync}from"node:fs";rmSync(process.env.FW_BENCH_NODE_CACHE,{force:true})';

export const COMPLETE_ROWS = [
  { name: LOCAL, args: ['__complete', 'context', 'use', ''], env: state.env, setup, teardown },
  // The warm-up fills the cache; a bench longer than the 60 s TTL makes an occasional run refresh.
  { name: CACHED, args: ['__complete', 'edge', 'drain', ''], env: state.env, setup },
  {
    name: REFRESH,
    node: true,
    args: () => ['--import', dropCache, BIN, '__complete', 'edge', 'drain', ''],
    env: state.env,
    setup,
  },
];

export const COMPLETE_TARGETS = [CACHED, REFRESH].map((row) => ({
  name: `\`${row}\` < 0.3 s (median)`,
  check: (r) => (r[row] ? { pass: r[row].median < 0.3, detail: `${r[row].median.toFixed(3)} s (local-only TAB ${r[LOCAL]?.median.toFixed(3) ?? '?'} s)` } : undefined),
}));
