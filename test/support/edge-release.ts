/**
 * A registry release of the three stand-ins under a repo of its own (helmsman :current = v1, :v2,
 * and :bad = v2 that never becomes healthy) and a stack initialised and enrolled on it, for the
 * suites that run `edge update` (locks, interrupts). The shared edge/* tags are never moved.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliSandbox } from './cli.js';
import { edgeEntries, writeManifest } from './release-files.js';
import { HELMSMAN, IMAGES, REGISTRY, deleteFromRegistry, docker, dockerEnv, freePort, pushToRegistry, registryDigest, uniqueName } from './docker.js';

const NOFILE = execSync('ulimit -Hn', { shell: '/bin/sh', encoding: 'utf8' }).trim();
/** The enrollment token of stacks started by startReleaseStack. */
export const RELEASE_TOKEN = 'bt_releaseE2eToken0123456789abcdefXYZ';
const TOKEN = RELEASE_TOKEN;

export interface Release {
  base: string;
  manifest: string;
  ids: Record<'v1' | 'v2' | 'bad', string>;
  /** Registry manifest digests of helmsman :current (v1), :v2 and :bad. */
  digests: Record<'v1' | 'v2' | 'bad', string>;
  /** Registry tags and engine images of this release. */
  remove(): Promise<void>;
}

export async function publishRelease(sb: CliSandbox, prefix = 'rel'): Promise<Release> {
  const base = `e2e/${uniqueName(prefix)}`;
  await pushToRegistry(IMAGES.caddy, `${base}/caddy`, '2.6.2');
  await pushToRegistry(IMAGES.mistserver, `${base}/mistserver`, '1');
  const v1 = await pushToRegistry(IMAGES.helmsman, `${base}/helmsman`, 'current');
  const v2 = await pushToRegistry(IMAGES.helmsman2, `${base}/helmsman`, 'v2');
  // helmsman:2 with the force-unhealthy file in its filesystem: /health is 503 from the start.
  const work = join(sb.home, `bad-${base.split('/')[1]}`, 'helmsman');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'force-unhealthy'), '');
  const cid = (await docker(['create', IMAGES.helmsman2])).trim();
  try {
    await docker(['cp', work, `${cid}:${HELMSMAN.forceUnhealthyFile.replace(/\/helmsman\/[^/]+$/, '/')}`]);
    await docker(['commit', cid, `${REGISTRY}/${base}/helmsman:bad`]);
  } finally {
    await docker(['rm', '-f', cid]);
  }
  await docker(['push', '-q', `${REGISTRY}/${base}/helmsman:bad`]);
  const bad = await registryDigest(`${base}/helmsman`, 'bad');
  if (!bad) throw new Error(`${base}/helmsman:bad has no digest in the registry after the push`);
  const id = async (ref: string) => (await docker(['image', 'inspect', '--format', '{{.Id}}', ref])).trim();
  const ids = { v1: await id(IMAGES.helmsman), v2: await id(IMAGES.helmsman2), bad: await id(`${REGISTRY}/${base}/helmsman:bad`) };
  const manifest = join(sb.home, `release-${base.split('/')[1]}.yaml`);
  writeManifest(manifest, 'rel-1', edgeEntries({ caddy: `${REGISTRY}/${base}/caddy:2.6.2`, mistserver: `${REGISTRY}/${base}/mistserver:1`, helmsman: `${REGISTRY}/${base}/helmsman:current` }));
  const remove = async () => {
    await deleteFromRegistry(`${base}/helmsman`, ['current', 'v2', 'bad']).catch(() => undefined);
    await deleteFromRegistry(`${base}/caddy`, ['2.6.2']).catch(() => undefined);
    await deleteFromRegistry(`${base}/mistserver`, ['1']).catch(() => undefined);
    // …and the engine's tags of them (pushes and pulls left them; the committed "bad" image goes with its tag).
    const listed = await docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}', '--filter', `reference=${REGISTRY}/${base}/*`]).catch(() => '');
    const refs = listed
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' '))
      .map(([repo, tag, digest]) => (tag !== '<none>' ? `${repo}:${tag}` : digest !== '<none>' ? `${repo}@${digest}` : ''))
      .filter(Boolean);
    if (refs.length) await docker(['rmi', ...refs]).catch(() => undefined);
  };
  return { base, manifest, ids, digests: { v1, v2, bad }, remove };
}

/** init + enroll a stack of `release` on free ports of 127.0.0.1 (enroll over `ssh` when given). */
export async function startReleaseStack(sb: CliSandbox, release: Pick<Release, 'manifest'>, ssh: string[] = [], env: Record<string, string> = dockerEnv(), prefix = 'fw-rel'): Promise<{ dir: string; project: string }> {
  const dir = join(sb.home, uniqueName('edge'));
  const project = uniqueName(prefix);
  const [http, https] = [await freePort(), await freePort()];
  const init = await sb.run(
    ['edge', 'init', '--dir', dir, '--release-manifest', release.manifest, '--allow-unpinned', '--nofile', NOFILE, '--domain', 'edge.test', '--tls', 'internal', '--bind', '127.0.0.1',
      '--http-port', String(http), '--https-port', String(https), '--project', project, '--token', TOKEN],
    { env: dockerEnv() },
  );
  if (init.code !== 0) throw new Error(`edge init failed (exit ${init.code}): ${init.stderr}`);
  const enroll = await sb.run(['edge', 'enroll', '--dir', dir, ...ssh, '--json'], { env, timeoutMs: 90_000 });
  if (enroll.code !== 0) throw new Error(`edge enroll failed (exit ${enroll.code}): ${enroll.stdout}${enroll.stderr}`);
  return { dir, project };
}

/** Per service of the project: the image id its (running) container runs. */
export async function runningImages(project: string): Promise<Record<string, { state: string; image: string }>> {
  const ids = (await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).split('\n').filter(Boolean);
  const out: Record<string, { state: string; image: string }> = {};
  for (const id of ids) {
    // A container removed meanwhile (a recreate in progress) is simply not there.
    const line = await docker(['inspect', '--format', '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{.Image}}', id]).catch(() => '');
    const [service, state, image] = line.trim().split(' ');
    if (service) out[service] = { state, image };
  }
  return out;
}
