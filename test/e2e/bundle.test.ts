// Offline bundles, run as a user would (the built bin/run.js) against the real engine, registry and sshd.
// The release names its images through a registry address of its own (a TCP forwarder to the shared
// registry, test/support/tcp-proxy.ts): `bundle create` pulls through it, then it is closed, so that for
// the airgap journey (`bundle load` → `edge init --bundle` → `edge enroll`) the release's registry
// refuses every connection — as at an airgapped site — while the shared registry keeps serving others.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { DOCKER_HOST, HELMSMAN, docker, dockerEnv, freePort, registryDigest, removeComposeProject, requireDocker, uniqueName } from '../support/docker.js';
import { mountLoopFs, type LoopFs } from '../support/loopfs.js';
import { spawnCli } from '../support/spawn-cli.js';
import { sshdAvailable, startSshd, type Sshd } from '../support/sshd.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { entryOf, manifestText, type ImageEntry } from '../support/release-files.js';
import { attestSpdx, cosignAvailable, generateKeyPair, signBlob, signClassic, writeSpdx } from '../support/cosign.js';

const SUITE = 'test/e2e/bundle.test.ts';
const gate = await requireDocker(SUITE);
const NOFILE = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
const TOKEN = 'bt_bundleE2eToken0123456789abcdefXYZ';
const SERVICES = { caddy: ['edge/caddy', '2.6.2'], mistserver: ['edge/mistserver', '1'], helmsman: ['edge/helmsman', '1'] } as const;
const LIST = { caddy: 'infrastructure', mistserver: 'external_dependencies', helmsman: 'services' } as const;
/** One entry of a release manifest (the release source format) for an edge service. */
const entry = (svc: keyof typeof SERVICES, ref: string): ImageEntry => entryOf(svc, ref, LIST[svc]);

interface ManifestImage { service: string; image: string; digest: string; image_id: string; member: string; local_tag: string }
interface BundleManifestDoc { release: { version: string; channel: string }; images: ManifestImage[]; members: Array<{ path: string; size: number; sha256: string }> }

let sb: CliSandbox;
let proxy: TcpProxy | undefined;
let registry: string;
let bundle: string;
let manifest: BundleManifestDoc;
const pub = join('/tmp', 'x'); // replaced in beforeAll
let keys: { priv: string; pub: string; otherPub: string } = { priv: pub, pub, otherPub: pub };
const projects = new Set<string>();

const run = (args: string[], env: Record<string, string> = {}, timeoutMs = 120_000) => sb.run(args, { env: { ...dockerEnv(), ...env }, timeoutMs });

/** The members of a tar file with the offset of their data (ustar headers: name at 0, octal size at 124). */
function members(file: string): Array<{ path: string; offset: number; size: number }> {
  const buf = readFileSync(file);
  const out: Array<{ path: string; offset: number; size: number }> = [];
  for (let pos = 0; pos + 512 <= buf.length; ) {
    const h = buf.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    const path = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(h.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
    out.push({ path, offset: pos + 512, size });
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** The id each local tag of the bundle names in the engine, or null when the tag does not exist. */
async function taggedIds(): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const i of manifest.images) out[i.service] = (await docker(['image', 'inspect', '--format', '{{.Id}}', i.local_tag]).catch(() => '')).trim() || null;
  return out;
}
const noneTagged = () => Object.fromEntries(manifest.images.map((i) => [i.service, null]));
async function untag(): Promise<void> {
  for (const i of manifest.images) await docker(['rmi', i.local_tag]).catch(() => undefined);
}
const mappingFile = () => join(sb.frameworksHome, 'bundles', `${manifest.release.version}.json`);

beforeAll(async () => {
  sb = new CliSandbox('fw-e2e-bundle-');
  if (gate.skip) return;
  const pair = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const [a, b] = [pair(), pair()];
  keys = { priv: join(sb.home, 'bundle.key'), pub: join(sb.home, 'bundle.pub'), otherPub: join(sb.home, 'other.pub') };
  writeFileSync(keys.priv, a.privateKey, { mode: 0o600 });
  writeFileSync(keys.pub, a.publicKey);
  writeFileSync(keys.otherPub, b.publicKey);

  proxy = await startTcpProxy(5000);
  registry = `127.0.0.1:${proxy.port}`;
  const entries: ImageEntry[] = [];
  for (const [svc, [repo, tag]] of Object.entries(SERVICES)) {
    const digest = await registryDigest(repo, tag);
    if (!digest) throw new Error(`${repo}:${tag} is not in the registry (bash scripts/infra.sh up)`);
    entries.push({ ...entry(svc as keyof typeof SERVICES, `${registry}/${repo}@${digest}`), tag });
  }
  const release = join(sb.home, 'release.yaml');
  writeFileSync(release, manifestText(`2026.12.${proxy.port}`, entries));
  bundle = join(sb.home, 'edge.tar');
  const r = await run(['bundle', 'create', '--channel', 'stable', '--release-manifest', release, '-o', bundle, '--sign-key', keys.priv, '--json']);
  if (r.code !== 0) throw new Error(`bundle create failed (exit ${r.code}): ${r.stdout}${r.stderr}`);
  execFileSync('tar', ['-xf', bundle, '-C', sb.home, 'manifest.json', 'manifest.json.sig']);
  manifest = JSON.parse(readFileSync(join(sb.home, 'manifest.json'), 'utf8')) as BundleManifestDoc;
  // The release's registry goes away, and so does every engine reference to it: from here on, only the bundle has these images.
  await proxy.close();
  proxy = undefined;
  for (const i of manifest.images) await docker(['rmi', `${i.image}@${i.digest}`]).catch(() => undefined);
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  for (const p of projects) await removeComposeProject(p).catch(() => undefined);
  if (manifest) await untag();
  sb?.cleanup();
});

describe.skipIf(gate.skip)('bundle create, inspect, verify', () => {
  it('create: one tar with the release, templates, every image as docker save wrote it and a signed manifest.json', async () => {
    const listed = execFileSync('tar', ['-tf', bundle], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual([
      `release/${manifest.release.version}.yaml`,
      'templates/.edge.env.example',
      'templates/docker-compose.edge.yml',
      'templates/Caddyfile',
      'images/helmsman.tar',
      'images/caddy.tar',
      'images/mistserver.tar',
      'manifest.json',
      'manifest.json.sig',
    ]);
    expect(existsSync(`${bundle}.part`)).toBe(false);
    // Each image: its registry digest and the id `docker load` must produce (the stand-ins' ids).
    for (const i of manifest.images) {
      const [repo, tag] = SERVICES[i.service as keyof typeof SERVICES];
      expect(i.digest).toBe(await registryDigest(repo, tag));
      expect(i.image_id).toBe((await docker(['image', 'inspect', '--format', '{{.Id}}', `127.0.0.1:5000/${repo}:${tag}`])).trim());
      expect(i.local_tag).toBe(`${registry}/${repo}:bundle-${i.digest.slice(7, 19)}`);
    }
    expect(manifest.members.map((m) => m.path)).toEqual(listed.slice(0, 7));
    // The template points the stack at the local tags, never at a registry digest.
    const compose = execFileSync('tar', ['-xOf', bundle, 'templates/docker-compose.edge.yml'], { encoding: 'utf8' });
    for (const i of manifest.images) expect(compose).toContain(`"${i.local_tag}"`);
    expect(compose).not.toContain('@sha256:');
    // cosign accepts the signature as its own sign-blob output.
    execFileSync('cosign', ['verify-blob', '--key', keys.pub, '--signature', join(sb.home, 'manifest.json.sig'), '--insecure-ignore-tlog', join(sb.home, 'manifest.json')], { stdio: 'pipe' });
  });

  it('inspect: release, images with ids and local tags, members, signed', async () => {
    const r = await run(['bundle', 'inspect', bundle, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = r.json!.result as { signed: boolean; release: { version: string }; images: Array<{ service: string; local_tag: string; size: number }>; members: Array<{ path: string }> };
    expect(res.signed).toBe(true);
    expect(res.release.version).toBe(manifest.release.version);
    expect(res.images.map((i) => i.service)).toEqual(['helmsman', 'caddy', 'mistserver']);
    expect(res.images.every((i) => i.size > 0)).toBe(true);
    const text = await run(['bundle', 'inspect', bundle]);
    expect(text.stdout).toContain('bundle signed:  yes');
    for (const i of manifest.images) expect(text.stdout).toContain(i.local_tag);
  });

  it('verify: every checksum and the signature with --key; another key is SIGNATURE_INVALID', async () => {
    const ok = await run(['bundle', 'verify', bundle, '--key', keys.pub, '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const res = ok.json!.result as { signature: { verified: boolean }; members: Array<{ ok: boolean }> };
    expect(res.signature.verified).toBe(true);
    expect(res.members).toHaveLength(7);
    const other = await run(['bundle', 'verify', bundle, '--key', keys.otherPub, '--json']);
    expect(other.code).toBe(1);
    expect(other.json).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('create --dry-run names the images and writes nothing; an image without a digest is refused (exit 2), nothing written', async () => {
    const release = join(sb.home, 'release.yaml');
    const out = join(sb.home, 'dry.tar');
    const dry = await run(['bundle', 'create', '--channel', 'stable', '--release-manifest', release, '-o', out, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect((dry.json!.result as { images: Array<{ service: string; local_tag: string }> }).images.map((i) => i.local_tag)).toEqual(manifest.images.map((i) => i.local_tag));
    expect(existsSync(out) || existsSync(`${out}.part`)).toBe(false);
    const tagOnly = join(sb.home, 'release-tags.yaml');
    writeFileSync(tagOnly, readFileSync(release, 'utf8').replace(/, digest: "sha256:[a-f0-9]+"/, ''));
    const r = await run(['bundle', 'create', '--channel', 'stable', '--release-manifest', tagOnly, '-o', out, '--json']);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ code: 'BUNDLE_IMAGE_UNPINNED' });
    expect(String(r.json!.message)).toContain('helmsman');
    expect(existsSync(out) || existsSync(`${out}.part`)).toBe(false);
  });

  it('--sign-key with an encrypted cosign key signs through cosign; verify --key and cosign verify-blob accept it', { timeout: 60_000 }, async () => {
    const dir = join(sb.home, 'cosign');
    mkdirSync(dir);
    execFileSync('cosign', ['generate-key-pair'], { cwd: dir, env: { ...process.env, COSIGN_PASSWORD: 'bundle-pw' }, stdio: 'pipe' });
    expect(readFileSync(join(dir, 'cosign.key'), 'utf8')).toContain('ENCRYPTED SIGSTORE PRIVATE KEY');
    const [repo, tag] = SERVICES.helmsman;
    const release = join(dir, 'release.yaml');
    writeFileSync(release, manifestText('2026.12.1', [entry('helmsman', `127.0.0.1:5000/${repo}@${await registryDigest(repo, tag)}`)]));
    const out = join(dir, 'signed.tar');
    const r = await run(['bundle', 'create', '--channel', 'stable', '--release-manifest', release, '-o', out, '--sign-key', join(dir, 'cosign.key'), '--json'], { COSIGN_PASSWORD: 'bundle-pw' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((r.json!.result as { signed: boolean }).signed).toBe(true);
    const v = await run(['bundle', 'verify', out, '--key', join(dir, 'cosign.pub'), '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    execFileSync('tar', ['-xf', out, '-C', dir, 'manifest.json', 'manifest.json.sig']);
    execFileSync('cosign', ['verify-blob', '--key', join(dir, 'cosign.pub'), '--signature', join(dir, 'manifest.json.sig'), '--insecure-ignore-tlog', join(dir, 'manifest.json')], { stdio: 'pipe' });
    // A wrong password: cosign's own words, no bundle file.
    const bad = await run(['bundle', 'create', '--channel', 'stable', '--release-manifest', release, '-o', join(dir, 'bad.tar'), '--sign-key', join(dir, 'cosign.key'), '--json'], { COSIGN_PASSWORD: 'wrong' });
    expect(bad.code).toBe(1);
    expect(bad.json).toMatchObject({ code: 'BUNDLE_SIGN_FAILED' });
    expect(existsSync(join(dir, 'bad.tar')) || existsSync(join(dir, 'bad.tar.part'))).toBe(false);
  });

  it('with --key: every image verified before anything is pulled; the verdicts and each verified SBOM go into the bundle', { timeout: 90_000 }, async () => {
    expect(cosignAvailable(), 'cosign (bash scripts/infra.sh up installs it)').toBe(true);
    const dir = join(sb.home, 'keyed');
    mkdirSync(dir);
    const k = await generateKeyPair(dir, 'release');
    const ref = (svc: keyof typeof SERVICES, digest: string) => entry(svc, `127.0.0.1:5000/${SERVICES[svc][0]}@${digest}`);
    const helmsman = await registryDigest(...SERVICES.helmsman);
    const caddy = await registryDigest(...SERVICES.caddy);
    // helmsman signed and attested by the release key; caddy not signed at all.
    await signClassic(dir, k.key, `127.0.0.1:5000/${SERVICES.helmsman[0]}@${helmsman}`);
    writeSpdx(join(dir, 'sbom.spdx.json'));
    await attestSpdx(dir, k.key, `127.0.0.1:5000/${SERVICES.helmsman[0]}@${helmsman}`, join(dir, 'sbom.spdx.json'));
    const both = join(dir, 'both.yaml');
    writeFileSync(both, manifestText('2026.12.7', [ref('helmsman', helmsman!), ref('caddy', caddy!)]));
    await signBlob(dir, k.key, both);
    const out = join(dir, 'keyed.tar');
    const refused = await run(['bundle', 'create', '--release-manifest', both, '--key', k.pub, '-o', out, '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ code: 'SIGNATURE_MISSING' });
    expect(String(refused.json!.message)).toContain('caddy');
    expect(existsSync(out) || existsSync(`${out}.part`)).toBe(false);

    const one = join(dir, 'one.yaml');
    writeFileSync(one, manifestText('2026.12.8', [ref('helmsman', helmsman!)]));
    await signBlob(dir, k.key, one);
    const ok = await run(['bundle', 'create', '--release-manifest', one, '--key', k.pub, '-o', out, '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.json!.result).toMatchObject({ signatures: { verified: true, sboms: ['helmsman'] } });
    const listed = execFileSync('tar', ['-tf', out], { encoding: 'utf8' });
    expect(listed).toContain('signatures/verification.json');
    expect(listed).toContain('sboms/helmsman.spdx.json');
    const verdict = JSON.parse(execFileSync('tar', ['-xOf', out, 'signatures/verification.json'], { encoding: 'utf8' }));
    expect(verdict).toMatchObject({ transparency_log: 'not consulted', images: [{ service: 'helmsman', signed: true, format: 'classic', digest: helmsman }] });
    expect(JSON.parse(execFileSync('tar', ['-xOf', out, 'sboms/helmsman.spdx.json'], { encoding: 'utf8' }))).toMatchObject({ spdxVersion: 'SPDX-2.3' });
    expect((await run(['bundle', 'verify', out])).code).toBe(0);
  });

  it('a killed create leaves no bundle file; the next run starts over and succeeds; Ctrl-C stops it cleanly', { timeout: 120_000 }, async () => {
    const out = join(sb.home, 'killed.tar');
    // The release file was written beside the first bundle; the registry is gone now, so pull from the images still held: a local release.
    const release = join(sb.home, 'release-local.yaml');
    const entries: ImageEntry[] = [];
    for (const [svc, [repo, tag]] of Object.entries(SERVICES)) entries.push({ ...entry(svc as keyof typeof SERVICES, `127.0.0.1:5000/${repo}@${await registryDigest(repo, tag)}`), tag });
    writeFileSync(release, manifestText('2026.12.2', entries));
    const child = spawnCli(['bundle', 'create', '--channel', 'stable', '--release-manifest', release, '-o', out], { ...sb.baseEnv, ...dockerEnv() });
    for (let i = 0; i < 2000 && !(existsSync(`${out}.part`) && statSync(`${out}.part`).size > 1 << 20); i++) await new Promise((r) => setTimeout(r, 5));
    child.child.kill('SIGKILL');
    await child.done;
    expect(existsSync(out)).toBe(false);
    const again = await run(['bundle', 'create', '--channel', 'stable', '--release-manifest', release, '-o', out, '--json']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(existsSync(`${out}.part`)).toBe(false);
    expect((await run(['bundle', 'verify', out])).code).toBe(0);

    // Ctrl-C: the save in flight is stopped, the .part removed, exit 130; the finished bundle is left as it was.
    const before = readFileSync(out);
    const out2 = join(sb.home, 'interrupted.tar');
    const ctrlC = spawnCli(['bundle', 'create', '--channel', 'stable', '--release-manifest', release, '-o', out2], { ...sb.baseEnv, ...dockerEnv() });
    for (let i = 0; i < 2000 && !(existsSync(`${out2}.part`) && statSync(`${out2}.part`).size > 1 << 20); i++) await new Promise((r) => setTimeout(r, 5));
    ctrlC.child.kill('SIGINT');
    const stopped = await ctrlC.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(existsSync(`${out2}.part`)).toBe(false);
    // Stopped mid-save: no file. (Had the last byte been written as the signal came, the file is whole.)
    if (existsSync(out2)) expect((await run(['bundle', 'verify', out2])).code).toBe(0);
    else expect(stopped.stderr).toContain('was not written');
    expect(readFileSync(out).equals(before)).toBe(true);
  });
});

describe.skipIf(gate.skip)('bundle load and the airgap journey', () => {
  it('the release\'s registry refuses: the images are nowhere but in the bundle', async () => {
    const i = manifest.images.find((x) => x.service === 'helmsman')!;
    await expect(docker(['pull', `${i.image}@${i.digest}`])).rejects.toThrow(/connection refused|connect/i);
    expect(await taggedIds()).toEqual(noneTagged());
  });

  it('load --dry-run verifies and checks ids and space, and loads, tags and records nothing', async () => {
    const r = await run(['bundle', 'load', bundle, '--dry-run', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const res = r.json!.result as { images: Array<{ action: string }>; space: Array<{ needed_bytes: number; available_bytes: number }> };
    expect(res.images.map((i) => i.action)).toEqual(['would-load', 'would-load', 'would-load']);
    expect(res.space[0].needed_bytes).toBeGreaterThan(0);
    expect((r.json!.warnings as Array<{ code: string }>).map((w) => w.code)).toEqual(['BUNDLE_SIGNATURE_NOT_CHECKED']);
    expect(await taggedIds()).toEqual(noneTagged());
    expect(existsSync(mappingFile())).toBe(false);
  });

  it('bundle load → edge init --bundle → edge enroll reaches healthy with no registry', { timeout: 150_000 }, async () => {
    const load = await run(['bundle', 'load', bundle, '--key', keys.pub, '--json']);
    expect(load.code, load.stdout + load.stderr).toBe(0);
    const res = load.json!.result as { images: Array<{ service: string; action: string; local_tag: string }>; mapping_file: string };
    expect(res.images.map((i) => [i.service, i.action])).toEqual([['helmsman', 'loaded'], ['caddy', 'loaded'], ['mistserver', 'loaded']]);
    expect(await taggedIds()).toEqual(Object.fromEntries(manifest.images.map((i) => [i.service, i.image_id])));
    const mapping = JSON.parse(readFileSync(mappingFile(), 'utf8')) as { images: Record<string, { local_tag: string; image_id: string }> };
    expect(res.mapping_file).toBe(mappingFile());
    for (const i of manifest.images) expect(mapping.images[i.service]).toMatchObject({ local_tag: i.local_tag, image_id: i.image_id });
    const audited = readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { command: string; outcome: string; targets?: string[] });
    expect(audited.filter((a) => a.command === 'bundle:load' && a.outcome === 'ok').at(-1)).toMatchObject({ targets: ['local'] });

    const dir = join(sb.home, 'edge-airgap');
    const project = uniqueName('fw-bundle');
    projects.add(project);
    const [http, https] = [await freePort(), await freePort()];
    const init = await run(['edge', 'init', '--bundle', bundle, '--dir', dir, '--nofile', NOFILE, '--domain', 'edge.test', '--tls', 'internal', '--bind', '127.0.0.1',
      '--http-port', String(http), '--https-port', String(https), '--project', project, '--token', TOKEN, '--json']);
    expect(init.code, init.stdout + init.stderr).toBe(0);
    // Pinned by image id (checked at load), not by a registry digest: no IMAGES_NOT_PINNED warning.
    expect((init.json!.warnings as Array<{ code: string }>).map((w) => w.code)).not.toContain('IMAGES_NOT_PINNED');
    const compose = readFileSync(join(dir, 'docker-compose.edge.yml'), 'utf8');
    for (const i of manifest.images) expect(compose).toContain(`image: "${i.local_tag}"`);

    const enroll = await run(['edge', 'enroll', '--dir', dir, '--json'], {}, 120_000);
    expect(enroll.code, enroll.stdout + enroll.stderr).toBe(0);
    const e = enroll.json!.result as { stages: Array<{ name: string; status: string }>; images: Array<{ service: string; action: string }>; node_id: string };
    expect(e.images.map((i) => i.action)).toEqual(['present', 'present', 'present']);
    expect(e.stages.filter((s) => ['images', 'up', 'healthy', 'enrolled', 'https'].includes(s.name)).every((s) => s.status === 'ok')).toBe(true);
    expect(e.node_id).toMatch(HELMSMAN.nodeIdPattern);
    await removeComposeProject(project);
  });

  it('edge init --bundle loads the bundle itself when its images are not there', { timeout: 60_000 }, async () => {
    await untag();
    const dir = join(sb.home, 'edge-self-load');
    const r = await run(['edge', 'init', '--bundle', bundle, '--dir', dir, '--domain', 'edge.test', '--tls', 'internal', '--project', uniqueName('fw-bundle')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain(`Loaded the images of ${bundle}`);
    expect(await taggedIds()).toEqual(Object.fromEntries(manifest.images.map((i) => [i.service, i.image_id])));
  });
});

describe.skipIf(gate.skip)('bad bundles: exit 1, the member named, nothing tagged or left behind', () => {
  beforeAll(untag);

  it('one flipped byte inside an image names the member (verify and load)', async () => {
    const bad = join(sb.home, 'flipped.tar');
    copyFileSync(bundle, bad);
    const m = members(bad).find((x) => x.path === 'images/helmsman.tar')!;
    const buf = readFileSync(bad);
    buf[m.offset + Math.floor(m.size / 2)] ^= 0x01;
    writeFileSync(bad, buf);
    const v = await run(['bundle', 'verify', bad, '--json']);
    expect(v.code).toBe(1);
    expect(v.json).toMatchObject({ code: 'BUNDLE_CHECKSUM_MISMATCH' });
    expect(String(v.json!.message)).toContain('images/helmsman.tar');
    const l = await run(['bundle', 'load', bad]);
    expect(l.code).toBe(1);
    expect(l.stderr).toContain('images/helmsman.tar');
    expect(await taggedIds()).toEqual(noneTagged());
  });

  it('a truncated bundle is a clear error, and loads nothing', async () => {
    const bad = join(sb.home, 'truncated.tar');
    copyFileSync(bundle, bad);
    truncateSync(bad, Math.floor(statSync(bad).size / 2));
    const v = await run(['bundle', 'verify', bad, '--json']);
    expect(v.code).toBe(1);
    expect(v.json).toMatchObject({ code: 'BUNDLE_TRUNCATED' });
    expect(String(v.json!.message)).toMatch(/truncated.*images\/caddy\.tar ends past the end of the file/);
    const l = await run(['bundle', 'load', bad, '--json']);
    expect(l.json).toMatchObject({ code: 'BUNDLE_TRUNCATED' });
    expect(await taggedIds()).toEqual(noneTagged());
  });

  it('image ids that do not match: the checksums hold, load refuses before loading, nothing tagged, no mapping', async () => {
    const work = join(sb.home, 'mismatch');
    mkdirSync(work);
    execFileSync('tar', ['-xf', bundle, '-C', work]);
    const doc = JSON.parse(readFileSync(join(work, 'manifest.json'), 'utf8')) as BundleManifestDoc;
    const helmsman2 = (await docker(['image', 'inspect', '--format', '{{.Id}}', 'local/helmsman:2'])).trim();
    doc.images.find((i) => i.service === 'helmsman')!.image_id = helmsman2;
    writeFileSync(join(work, 'manifest.json'), JSON.stringify(doc, null, 2));
    const bad = join(sb.home, 'mismatch.tar');
    execFileSync('tar', ['-cf', bad, '-C', work, ...doc.members.map((m) => m.path), 'manifest.json']);
    expect((await run(['bundle', 'verify', bad])).code).toBe(0);
    const before = readdirSync(join(sb.frameworksHome, 'bundles')).filter((f) => f.endsWith('.json')).length;
    rmMapping();
    const l = await run(['bundle', 'load', bad, '--json']);
    expect(l.code).toBe(1);
    expect(l.json).toMatchObject({ code: 'BUNDLE_IMAGE_ID_MISMATCH' });
    expect(String(l.json!.message)).toContain(helmsman2);
    expect(await taggedIds()).toEqual(noneTagged());
    expect(existsSync(mappingFile())).toBe(false);
    expect(before).toBeGreaterThan(0);
  });
});

function rmMapping(): void {
  if (existsSync(mappingFile())) execFileSync('rm', ['-f', mappingFile()]);
}

describe.skipIf(gate.skip || !sshdAvailable())('bundle load --ssh', () => {
  let sshd: Sshd;
  let small: LoopFs | undefined;
  beforeAll(async () => {
    sshd = await startSshd({ setEnv: { DOCKER_HOST } });
    await untag();
  });
  afterAll(async () => {
    await small?.umount();
    await sshd?.stop();
  });
  const ssh = () => ['--ssh', `${sshd.user}@127.0.0.1:${sshd.port}`, '--ssh-key', sshd.clientKey, '--accept-new-host-key'];
  // The CLI's own DOCKER_HOST leads nowhere: the load must happen on the remote host's engine.
  const away = () => ({ DOCKER_HOST: `unix://${sb.home}/not-this-one.sock` });

  it('a target without space: refused before anything is uploaded, nothing tagged', async () => {
    small = await mountLoopFs(8);
    const r = await run(['bundle', 'load', bundle, ...ssh(), '--tmp-dir', small.dir, '--json'], away());
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.json).toMatchObject({ code: 'BUNDLE_NO_SPACE' });
    expect(String(r.json!.message)).toContain(small.dir);
    expect(readdirSync(small.dir).filter((f) => f !== 'lost+found')).toEqual([]);
    expect(await taggedIds()).toEqual(noneTagged());
  });

  it('uploads with progress to a temp folder, loads, tags, records the mapping on the host, removes the upload', { timeout: 90_000 }, async () => {
    const tmp = join(sb.home, 'remote-tmp');
    mkdirSync(tmp);
    const r = await run(['bundle', 'load', bundle, ...ssh(), '--tmp-dir', tmp, '--key', keys.pub, '--json'], away());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const res = r.json!.result as { uploaded_bytes: number; mapping_file: string; images: Array<{ action: string }> };
    const imageBytes = manifest.members.filter((m) => m.path.startsWith('images/')).reduce((a, m) => a + m.size, 0);
    expect(res.uploaded_bytes).toBe(imageBytes);
    expect(res.images.every((i) => i.action === 'loaded')).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
    expect(res.mapping_file).toBe(join(sshd.home, '.frameworks', 'bundles', `${manifest.release.version}.json`));
    expect(JSON.parse(readFileSync(res.mapping_file, 'utf8'))).toMatchObject({ version: manifest.release.version });
    expect(await taggedIds()).toEqual(Object.fromEntries(manifest.images.map((i) => [i.service, i.image_id])));
  });

  it('edge init --bundle --ssh loads the bundle on the remote host first, then writes the stack on its tags', { timeout: 90_000 }, async () => {
    await untag();
    const dir = join(sb.home, 'edge-remote');
    const r = await run(['edge', 'init', '--bundle', bundle, ...ssh(), '--dir', dir, '--domain', 'edge.test', '--tls', 'internal', '--project', uniqueName('fw-bundle')], away());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await taggedIds()).toEqual(Object.fromEntries(manifest.images.map((i) => [i.service, i.image_id])));
    const compose = readFileSync(join(dir, 'docker-compose.edge.yml'), 'utf8');
    for (const i of manifest.images) expect(compose).toContain(`image: "${i.local_tag}"`);
    expect(existsSync(join(sshd.home, '.frameworks', 'bundles', `${manifest.release.version}.json`))).toBe(true);
  });
});
