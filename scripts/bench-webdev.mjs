// Rows for scripts/bench.mjs: `web dev up` on a real Vite fixture app until its first HTTP 200 (the CLI
// exits when the server answers), against running the dev command by hand (`npm run dev -- --port N`,
// timed from its spawn to the first 200 by scripts/bench-webdev-hand.mjs). Each run stops the server
// again (`web dev down` / the helper kills its group), so every run is a cold start of the server.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const state = { app: '', port: 0, out: '', env: {} };

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function setup(sandbox) {
  if (state.app) return;
  const dir = mkdtempSync(join(tmpdir(), 'fw-bench-webdev-'));
  state.app = join(dir, 'app');
  mkdirSync(join(state.app, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(state.app, 'package.json'), JSON.stringify({ name: 'bench-app', private: true, type: 'module', scripts: { dev: 'vite' } }));
  writeFileSync(join(state.app, 'index.html'), '<!doctype html><html><body><h1>bench</h1></body></html>\n');
  symlinkSync(join(ROOT, 'node_modules', 'vite'), join(state.app, 'node_modules', 'vite'));
  symlinkSync('../vite/bin/vite.js', join(state.app, 'node_modules', '.bin', 'vite'));
  state.port = await freePort();
  state.out = join(dir, 'hand-ms');
  state.env = sandbox.env;
}

/** Before each run of either row (args() is called before the clock starts): stop the server `web dev up` left, so every run starts one. */
function down() {
  spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), 'web', 'dev', 'down'], { env: state.env, stdio: 'ignore' });
  return undefined;
}

function handMs() {
  const ms = Number(readFileSync(state.out, 'utf8'));
  return Number.isFinite(ms) ? ms : undefined;
}

function teardown() {
  down();
  if (state.app) rmSync(resolve(state.app, '..'), { recursive: true, force: true });
}

const UP = 'frameworks web dev up (until HTTP 200)';
const HAND = 'npm run dev by hand (until HTTP 200)';

export const WEBDEV_ROWS = [
  {
    name: UP,
    args: () => {
      down();
      return ['web', 'dev', 'up', '--dir', state.app, '--port', String(state.port)];
    },
    setup,
    teardown,
  },
  {
    name: HAND,
    node: true,
    args: () => {
      down();
      return [join(ROOT, 'scripts', 'bench-webdev-hand.mjs'), state.app, String(state.port), state.out];
    },
    setup,
    measure: handMs,
  },
];

export const WEBDEV_TARGETS = [
  {
    name: '`web dev up` until the first HTTP 200 ≤ 1.1× the dev command by hand (median)',
    check: (r) => {
      const up = r[UP];
      const hand = r[HAND];
      if (!up || !hand || hand.measureMedian === null) return undefined;
      const ratio = up.median / (hand.measureMedian / 1000);
      return { pass: ratio <= 1.1, detail: `${ratio.toFixed(2)}× (${up.median.toFixed(3)} s vs ${(hand.measureMedian / 1000).toFixed(3)} s)` };
    },
  },
];
