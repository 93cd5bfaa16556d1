// Offline-bundle rows for scripts/bench.mjs: `bundle create` and `bundle load` of the three edge stand-ins
// against plain `docker save | docker load` of the same images, and `bundle verify` against `sha256sum`
// of the same file, in the same run. Needs the engine and registry of `bash scripts/infra.sh up`.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STATE = process.env.FW_INFRA_STATE ?? '/tmp/frameworks-infra';
const DOCKER_HOST = `unix://${join(STATE, 'docker.sock')}`;
const REGISTRY = '127.0.0.1:5000';
const IMAGES = { caddy: ['edge/caddy', '2.6.2'], mistserver: ['edge/mistserver', '1'], helmsman: ['edge/helmsman', '1'] };
const b = { release: '', file: '', refs: /** @type {string[]} */ ([]), tags: /** @type {string[]} */ ([]) };

function available() {
  if (!existsSync(join(STATE, 'docker.sock'))) return false;
  return spawnSync('docker', ['info'], { env: { ...process.env, DOCKER_HOST }, stdio: 'ignore' }).status === 0;
}

async function setup(sandbox) {
  if (b.release) return;
  // The release source format (releases/<version>.yaml): helmsman a service, caddy infrastructure, mistserver an external dependency.
  const LIST = { helmsman: 'services', caddy: 'infrastructure', mistserver: 'external_dependencies' };
  const lists = { services: [], infrastructure: [], external_dependencies: [] };
  for (const [svc, [repo, tag]] of Object.entries(IMAGES)) {
    const res = await fetch(`http://${REGISTRY}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    const digest = res.headers.get('docker-content-digest');
    lists[LIST[svc]].push(`  - { name: ${svc}, image: ${REGISTRY}/${repo}, digest: "${digest}" }`);
    b.refs.push(`${REGISTRY}/${repo}@${digest}`);
    b.tags.push(`${REGISTRY}/${repo}:bundle-${digest.slice(7, 19)}`);
  }
  b.release = join(sandbox.home, 'bench-release.yaml');
  b.file = join(sandbox.home, 'bench-bundle.tar');
  const head = ['platform_version: bench', 'git_commit: "0000000000000000000000000000000000000000"', 'release_date: "2026-12-01T00:00:00Z"'];
  writeFileSync(b.release, `${[...head, ...Object.entries(lists).flatMap(([k, v]) => [`${k}:`, ...v])].join('\n')}\n`);
  sandbox.env.DOCKER_HOST = DOCKER_HOST;
  sandbox.cli(['bundle', 'create', '--channel', 'stable', '--release-manifest', b.release, '-o', b.file]);
}

/** The local tags `bundle load` made are removed again (the images stay: the stand-ins hold them). */
function teardown() {
  if (b.tags.length) spawnSync('docker', ['rmi', ...b.tags], { env: { ...process.env, DOCKER_HOST }, stdio: 'ignore' });
}

const env = { DOCKER_HOST };
const PIPE = 'plain docker save | docker load (the bundle\'s 3 images)';
const SUM = 'sha256sum of the bundle file';
const shell = (cmd) => ['-e', `require('node:child_process').execSync(${JSON.stringify(cmd)}, { stdio: 'ignore', shell: '/bin/sh' })`];

export const BUNDLE_ROWS = [
  { name: PIPE, node: true, env, setup, when: available, args: () => shell(`docker save ${b.refs.join(' ')} | docker load`) },
  { name: 'frameworks bundle create (3 edge images)', env, setup, when: available, args: () => ['bundle', 'create', '--channel', 'stable', '--release-manifest', b.release, '-o', b.file] },
  { name: 'frameworks bundle load (3 edge images)', env, setup, when: available, teardown, args: () => ['bundle', 'load', b.file] },
  { name: SUM, node: true, env, setup, when: available, args: () => shell(`sha256sum ${b.file}`) },
  { name: 'frameworks bundle verify', env, setup, when: available, args: () => ['bundle', 'verify', b.file] },
];

const ratioTarget = (row, base, goal) => ({
  name: `\`${row}\` ≤ ${goal}× ${base} (median)`,
  check: (r) => {
    const v = r[row];
    const ref = r[base];
    if (!v || !ref) return undefined;
    const ratio = v.median / ref.median;
    return { pass: ratio <= goal, detail: `${ratio.toFixed(2)}× (${v.median.toFixed(2)} s vs ${ref.median.toFixed(2)} s)` };
  },
});

export const BUNDLE_TARGETS = [
  ratioTarget('frameworks bundle create (3 edge images)', PIPE, 1.2),
  ratioTarget('frameworks bundle load (3 edge images)', PIPE, 1.2),
  ratioTarget('frameworks bundle verify', SUM, 1.2),
];
