// Rows for scripts/bench.mjs of workspace mode: `workspace status` on a workspace with two clones,
// and a no-change `workspace build helmsman` against a no-change `go build` run by hand (timed here,
// spawned directly, same flags, same output file).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MODULE = 'github.com/Livepeer-FrameWorks/monorepo';
const state = { ws: '', ready: false, goBuild: /** @type {number | null} */ (null) };

const MONOREPO = {
  'api_sidecar/go.mod': `module ${MODULE}/api_sidecar\n\ngo 1.19\n\nrequire ${MODULE}/pkg v0.0.0\n\nreplace ${MODULE}/pkg => ../pkg\n`,
  'api_sidecar/cmd/helmsman/main.go': `package main\n\nimport (\n\t"fmt"\n\n\t"${MODULE}/pkg/version"\n)\n\nfunc main() { fmt.Println(version.Version, version.GitCommit) }\n`,
  'pkg/go.mod': `module ${MODULE}/pkg\n\ngo 1.19\n`,
  'pkg/version/version.go': 'package version\n\nvar (\n\tVersion = "dev"\n\tGitCommit = ""\n\tBuildDate = ""\n\tComponentName = ""\n\tComponentVersion = ""\n)\n',
  'docker-compose.yml': 'services:\n  helmsman:\n    image: livepeerframeworks/helmsman:latest\n',
  'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
};
const MIST = { 'meson.build': "project('mistserver', 'cpp')\n", 'meson_options.txt': "option('WITH_AV', type: 'boolean', value: false)\n" };

function sh(cmd, args, cwd, env = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function bare(root, name, files) {
  const src = join(root, `${name}-src`);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(src, p)), { recursive: true });
    writeFileSync(join(src, p), c);
  }
  const id = ['-c', 'user.email=bench@frameworks.local', '-c', 'user.name=bench'];
  sh('git', ['init', '-q', '-b', 'main'], src);
  sh('git', ['add', '-A'], src);
  sh('git', [...id, 'commit', '-qm', 'bench'], src);
  sh('git', ['clone', '-q', '--bare', src, join(root, `${name}.git`)], root);
  return `file://${join(root, `${name}.git`)}`;
}

async function setup(sandbox) {
  if (state.ready) return;
  const root = join(sandbox.home, 'ws-fixtures');
  mkdirSync(root, { recursive: true });
  state.ws = join(sandbox.home, 'workspace');
  sandbox.cli(['workspace', 'init', '--dir', state.ws, '--repo', bare(root, 'monorepo', MONOREPO), '--mist-repo', bare(root, 'mistserver', MIST)]);
  sandbox.cli(['workspace', 'build', 'helmsman', '--dir', state.ws]);
  // The same go build by hand, on an up-to-date output: its median is the baseline of the target.
  const cwd = join(state.ws, 'monorepo', 'api_sidecar');
  const env = { ...process.env, ...sandbox.env, CGO_ENABLED: '0' };
  const args = ['build', '-tags=nomsgpack', '-o', join(state.ws, '.build', 'by-hand'), './cmd/helmsman'];
  sh('go', args, cwd, env);
  const times = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    sh('go', args, cwd, env);
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  state.goBuild = (times[4] + times[5]) / 2;
  state.ready = true;
}

const has = (cmd) => spawnSync(cmd, ['version'], { stdio: 'ignore' }).status === 0;

export const WORKSPACE_ROWS = [
  { name: 'frameworks workspace status (two repos)', args: () => ['workspace', 'status', '--dir', state.ws], setup, when: () => has('go') },
  { name: 'frameworks workspace build helmsman (no change)', args: () => ['workspace', 'build', 'helmsman', '--dir', state.ws], setup, when: () => has('go') },
];

export const WORKSPACE_TARGETS = [
  {
    name: '`workspace status` with two repositories ≤ 0.5 s (median)',
    check: (r) => {
      const v = r['frameworks workspace status (two repos)'];
      if (!v) return undefined;
      return { pass: v.median <= 0.5, detail: `${v.median.toFixed(3)} s` };
    },
  },
  {
    name: 'no-change `workspace build helmsman` ≤ 1.1× a no-change `go build` (median)',
    check: (r) => {
      const v = r['frameworks workspace build helmsman (no change)'];
      if (!v || state.goBuild === null) return undefined;
      const ratio = v.median / state.goBuild;
      return { pass: ratio <= 1.1, detail: `${ratio.toFixed(2)}× (${v.median.toFixed(3)} s against go build ${state.goBuild.toFixed(3)} s)` };
    },
  },
];
