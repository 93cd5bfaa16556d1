// Release rows for scripts/bench.mjs: `release verify` of one image and of a release of 11 images
// (6 classic, 5 Sigstore bundle signatures, made by the real cosign) in the local registry of
// `bash scripts/infra.sh up`. Skipped when cosign or the registry is missing.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const COSIGN = process.env.COSIGN_BIN ?? '/usr/local/bin/cosign';
const REGISTRY = '127.0.0.1:5000';
const URL = `http://${REGISTRY}`;
const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const state = { refs: /** @type {string[]} */ ([]), pub: '' };

export function releaseAvailable() {
  if (!existsSync(COSIGN)) return false;
  return spawnSync('curl', ['-fsS', '-o', '/dev/null', `${URL}/v2/`], { stdio: 'ignore', timeout: 3000 }).status === 0;
}

async function blob(repo, data) {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const start = await fetch(`${URL}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const loc = new globalThis.URL(start.headers.get('location'), URL);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', body: data });
  if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
  return digest;
}

async function tinyImage(repo, tag) {
  const layer = randomBytes(64);
  const layerDigest = await blob(repo, layer);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] } }));
  const configDigest = await blob(repo, config);
  const body = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
  }));
  const put = await fetch(`${URL}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': MANIFEST }, body });
  if (put.status !== 201) throw new Error(`manifest upload: HTTP ${put.status}`);
  return `${REGISTRY}/${repo}@sha256:${createHash('sha256').update(body).digest('hex')}`;
}

function cosign(cwd, args) {
  const r = spawnSync(COSIGN, args, { cwd, env: { ...process.env, COSIGN_PASSWORD: 'bench' }, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`cosign ${args.join(' ')}: ${r.stderr}`);
}

async function setup(sandbox) {
  if (state.refs.length) return;
  const dir = join(sandbox.home, 'release-bench');
  mkdirSync(dir, { recursive: true });
  cosign(dir, ['generate-key-pair', '--output-key-prefix', 'bench']);
  cosign(dir, ['signing-config', 'create', '--out', 'sc.json']);
  state.pub = join(dir, 'bench.pub');
  const repo = `fwbench-release-${process.pid}`;
  const flags = ['--yes', '--allow-insecure-registry', '--allow-http-registry'];
  for (let i = 0; i < 11; i++) {
    const ref = await tinyImage(`${repo}/svc${i}`, 'v1');
    const how = i % 2 === 0 ? ['--use-signing-config=false', '--tlog-upload=false', '--new-bundle-format=false'] : ['--signing-config', 'sc.json'];
    cosign(dir, ['sign', '--key', 'bench.key', ...how, ...flags, ref]);
    state.refs.push(ref);
  }
}

export const RELEASE_ROWS = [
  {
    name: 'frameworks release verify (1 image)',
    when: releaseAvailable,
    setup,
    args: () => ['release', 'verify', '--key', state.pub, '--image', state.refs[0]],
  },
  {
    name: 'frameworks release verify (11 images)',
    when: releaseAvailable,
    setup,
    args: () => ['release', 'verify', '--key', state.pub, ...state.refs.flatMap((r) => ['--image', r])],
  },
];

const goal = (row, seconds) => ({
  name: `\`${row.replace('frameworks ', '')}\` < ${seconds} s, process start to exit (median)`,
  check: (r) => {
    const v = r[row];
    if (!v) return undefined;
    return { pass: v.median < seconds, detail: `${v.median.toFixed(3)} s` };
  },
});

export const RELEASE_TARGETS = [goal('frameworks release verify (1 image)', 0.5), goal('frameworks release verify (11 images)', 1.5)];
