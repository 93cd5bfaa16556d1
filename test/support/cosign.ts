/**
 * Real cosign (scripts/infra.sh installs it) against the local registry: keys, signatures in both
 * storage formats, SPDX attestations, and `cosign verify` as the independent cross-check. Plus tiny
 * synthetic images pushed straight through the registry API (each with its own digest, no engine).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REGISTRY_URL } from './docker.js';

const run = promisify(execFile);
export const COSIGN = process.env.COSIGN_BIN ?? '/usr/local/bin/cosign';
const PASSWORD = 'relver-test';
const REGISTRY_FLAGS = ['--allow-insecure-registry', '--allow-http-registry'];

export function cosignAvailable(): boolean {
  return existsSync(COSIGN);
}

async function cosign(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(COSIGN, args, { cwd, env: { ...process.env, COSIGN_PASSWORD: PASSWORD }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function must(args: string[], cwd: string): Promise<string> {
  const r = await cosign(args, cwd);
  if (r.code !== 0) throw new Error(`cosign ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** A key pair in `<dir>/<name>.key|.pub`; returns the paths. */
export async function generateKeyPair(dir: string, name: string): Promise<{ key: string; pub: string }> {
  await must(['generate-key-pair', '--output-key-prefix', name], dir);
  return { key: join(dir, `${name}.key`), pub: join(dir, `${name}.pub`) };
}

/** The signing config for the bundle format with no services (airgapped: no Rekor, no TSA). */
export async function signingConfig(dir: string): Promise<string> {
  const out = join(dir, 'sc.json');
  await must(['signing-config', 'create', '--out', out], dir);
  return out;
}

const CLASSIC = ['--use-signing-config=false', '--tlog-upload=false', '--new-bundle-format=false'];

export async function signClassic(dir: string, key: string, ref: string): Promise<void> {
  await must(['sign', '--key', key, ...CLASSIC, '--yes', ...REGISTRY_FLAGS, ref], dir);
}

export async function signBundle(dir: string, key: string, sc: string, ref: string): Promise<void> {
  await must(['sign', '--key', key, '--signing-config', sc, '--yes', ...REGISTRY_FLAGS, ref], dir);
}

/** `cosign sign-blob` as a publisher signs a release manifest (no transparency log): `<file>.sig` beside it. */
export async function signBlob(dir: string, key: string, file: string): Promise<void> {
  writeFileSync(`${file}.sig`, await must(['sign-blob', '--key', key, ...CLASSIC, '--yes', file], dir));
}

export async function attestSpdx(dir: string, key: string, ref: string, predicate: string, sc?: string): Promise<void> {
  const how = sc ? ['--signing-config', sc] : CLASSIC;
  await must(['attest', '--key', key, '--type', 'spdxjson', '--predicate', predicate, ...how, '--yes', ...REGISTRY_FLAGS, ref], dir);
}

/** `cosign verify --key … --insecure-ignore-tlog`: true when cosign accepts the image. */
export async function cosignVerifies(dir: string, pub: string, ref: string): Promise<boolean> {
  return (await cosign(['verify', '--key', pub, '--insecure-ignore-tlog', ...REGISTRY_FLAGS, ref], dir)).code === 0;
}

// ------------------------------------------------------------------ synthetic images

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const ACCEPT = [DOCKER_MANIFEST, 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json'].join(', ');

async function pushBlob(repo: string, data: Buffer): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const start = await fetch(`${REGISTRY_URL}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload to ${repo}: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location')!, REGISTRY_URL);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(data) });
  if (put.status !== 201) throw new Error(`blob PUT to ${repo}: HTTP ${put.status}`);
  return digest;
}

/** A one-layer image with random content in 127.0.0.1:5000/<repo>:<tag>; returns its manifest digest. */
export async function pushTinyImage(repo: string, tag: string): Promise<string> {
  const layer = randomBytes(64);
  const layerDigest = await pushBlob(repo, layer);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] }, config: {} }));
  const configDigest = await pushBlob(repo, config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
  }));
  const put = await fetch(`${REGISTRY_URL}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': DOCKER_MANIFEST }, body: manifest });
  if (put.status !== 201) throw new Error(`manifest PUT ${repo}:${tag}: HTTP ${put.status} ${await put.text()}`);
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
}

/** Copy the manifest at repo:from to repo:to (what an attacker does to reuse a signature for another digest). */
export async function copyTag(repo: string, from: string, to: string): Promise<void> {
  const get = await fetch(`${REGISTRY_URL}/v2/${repo}/manifests/${from}`, { headers: { accept: ACCEPT } });
  if (!get.ok) throw new Error(`GET ${repo}:${from}: HTTP ${get.status}`);
  const put = await fetch(`${REGISTRY_URL}/v2/${repo}/manifests/${to}`, {
    method: 'PUT', headers: { 'content-type': get.headers.get('content-type')! }, body: Buffer.from(await get.arrayBuffer()),
  });
  if (put.status !== 201) throw new Error(`PUT ${repo}:${to}: HTTP ${put.status} ${await put.text()}`);
}

export function writeSpdx(path: string): void {
  writeFileSync(path, JSON.stringify({
    spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: 'relver-test', documentNamespace: 'https://example.com/relver-test',
    creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: test'] },
    packages: [
      { name: 'busybox', SPDXID: 'SPDXRef-busybox', versionInfo: '1.35.0', licenseConcluded: 'GPL-2.0-only', downloadLocation: 'NOASSERTION' },
      {
        name: 'caddy', SPDXID: 'SPDXRef-caddy', versionInfo: '2.6.2',
        licenseConcluded: 'NOASSERTION', licenseDeclared: 'Apache-2.0', downloadLocation: 'NOASSERTION',
      },
    ],
  }));
}
