// Image signatures, verified by the CLI itself (no cosign at run time, no transparency log), against
// images signed by the REAL cosign in the local registry in both storage formats. `cosign verify
// --insecure-ignore-tlog` is the independent cross-check: the CLI accepts exactly what it accepts.
// The deploying commands (edge init|update|enroll, services plan) refuse before anything changes.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import {
  attestSpdx, copyTag, cosignAvailable, cosignVerifies, generateKeyPair, pushTinyImage, signBlob, signBundle, signClassic, signingConfig, writeSpdx,
} from '../support/cosign.js';
import { docker, freePort, REGISTRY, requireDocker, uniqueName } from '../support/docker.js';
import { entryOf, manifestText } from '../support/release-files.js';

const SUITE = 'test/e2e/release-verify.test.ts';
const gate = await requireDocker(SUITE);
if (!gate.skip && !cosignAvailable()) throw new Error(`${SUITE}: cosign is not installed (bash scripts/infra.sh up installs it).`);

interface Verdict {
  image: string;
  digest: string;
  signed: boolean;
  format: string | null;
  key_fingerprint: string | null;
  digest_matched: boolean;
  code: string | null;
}

let sb: CliSandbox;
let dir: string;
let k1: { key: string; pub: string };
let repo: string;
const project = uniqueName('relver');
/** name → image@digest */
const refs: Record<string, string> = {};
const ref = (name: string) => refs[name]!;

/** Every case: how it was made, and what the CLI must say about it with key 1. */
const EXPECTED: Record<string, { code: string | null; format: string | null }> = {
  classic: { code: null, format: 'classic' },
  bundle: { code: null, format: 'bundle' },
  unsigned: { code: 'SIGNATURE_MISSING', format: null },
  'other-key': { code: 'SIGNATURE_INVALID', format: 'classic' },
  'other-key-bundle': { code: 'SIGNATURE_INVALID', format: 'bundle' },
  'moved-sig': { code: 'DIGEST_MISMATCH', format: 'classic' },
  'moved-bundle': { code: 'DIGEST_MISMATCH', format: 'bundle' },
};

function files(d: string): Record<string, string> {
  if (!existsSync(d)) return {};
  return Object.fromEntries(readdirSync(d).map((n) => [n, `${statSync(join(d, n)).mtimeMs}:${readFileSync(join(d, n), 'latin1')}`]));
}

async function containersOf(p: string): Promise<string> {
  return (await docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${p}`, '--format', '{{.Names}}'])).trim();
}

const verify = (...args: string[]) => sb.run(['release', 'verify', '--key', k1.pub, ...args]);
const verdicts = (r: CliResult) => (r.json!.result as { images: Verdict[] }).images;

beforeAll(async () => {
  if (gate.skip) return;
  sb = new CliSandbox('fw-e2e-relver-');
  dir = join(sb.home, 'keys');
  mkdirSync(dir);
  repo = `${project}/img`;
  const [key1, key2, sc] = await Promise.all([generateKeyPair(dir, 'k1'), generateKeyPair(dir, 'k2'), signingConfig(dir)]);
  k1 = key1;
  for (const name of Object.keys(EXPECTED)) refs[name] = `${REGISTRY}/${repo}@${await pushTinyImage(repo, name)}`;
  const tagOf = (name: string) => ref(name).split('@')[1]!.replace(':', '-');
  const spdx = join(dir, 'sbom.spdx.json');
  writeSpdx(spdx);
  await Promise.all([
    signClassic(dir, k1.key, ref('classic')).then(() => copyTag(repo, `${tagOf('classic')}.sig`, `${tagOf('moved-sig')}.sig`)),
    signBundle(dir, k1.key, sc, ref('bundle')).then(() => copyTag(repo, tagOf('bundle'), tagOf('moved-bundle'))),
    signClassic(dir, key2.key, ref('other-key')),
    signBundle(dir, key2.key, sc, ref('other-key-bundle')),
  ]);
  // SBOMs after the signatures (the bundle fallback index is copied above before it lists the attestation).
  await Promise.all([
    attestSpdx(dir, k1.key, ref('classic'), spdx),
    attestSpdx(dir, k1.key, ref('bundle'), spdx, sc),
    attestSpdx(dir, key2.key, ref('other-key'), spdx),
  ]);
}, 120_000);

afterAll(() => sb?.cleanup());

describe.skipIf(gate.skip)('release verify: the CLI agrees with cosign verify --key --insecure-ignore-tlog', () => {
  it('accepts both formats signed by the key, and rejects another key, another digest and no signature — exactly as cosign does', async () => {
    const names = Object.keys(EXPECTED);
    const r = await verify(...names.flatMap((n) => ['--image', ref(n)]), '--json');
    expect(r.code).toBe(1);
    const got = verdicts(r);
    const cosignSays = await Promise.all(names.map((n) => cosignVerifies(dir, k1.pub, ref(n))));
    names.forEach((name, i) => {
      const v = got[i]!;
      expect(`${v.image}@${v.digest}`, name).toBe(ref(name));
      expect({ name, code: v.code, format: v.format }).toEqual({ name, ...EXPECTED[name] });
      expect(v.signed, `${name}: cosign ${cosignSays[i] ? 'accepts' : 'rejects'} it`).toBe(cosignSays[i]);
      expect(v.digest_matched).toBe(v.signed);
    });
    expect(got.find((v) => v.signed)!.key_fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(r.json!.code).toBe('SIGNATURE_MISSING'); // the first failing image's code
  });

  it('prints a table per image and says that no transparency log was consulted; exit 0 when all are signed', async () => {
    const r = await verify('--image', ref('classic'), '--image', ref('bundle'));
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.includes(repo));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/✓\s+classic\s+[0-9a-f]{16}\s+✓/);
    expect(rows[1]).toMatch(/✓\s+bundle\s+[0-9a-f]{16}\s+✓/);
    expect(r.stderr).toContain('No transparency log was consulted');
  });

  it('names the failing image with its code (exit 1), text mode', async () => {
    const r = await verify('--image', ref('moved-sig'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(ref('moved-sig'));
    expect(r.stderr).toContain('DIGEST_MISMATCH');
  });

  it('verifies the images of a release manifest', async () => {
    const [image, digest] = ref('bundle').split('@');
    const manifest = join(dir, 'release.yaml');
    writeFileSync(manifest, manifestText('2026.12.1', [entryOf('helmsman', `${image}@${digest}`)]));
    // The same key checks the manifest's own signature first (unsigned: SIGNATURE_MISSING), then every image.
    expect((await verify('--manifest', manifest, '--json')).json).toMatchObject({ code: 'SIGNATURE_MISSING' });
    await signBlob(dir, k1.key, manifest);
    const r = await verify('--manifest', manifest, '--channel', 'stable', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(verdicts(r)).toMatchObject([{ signed: true, format: 'bundle', digest }]);
  });

  it('an unreachable registry is exit 6; no key is exit 2', async () => {
    const port = await freePort();
    const down = await verify('--image', `127.0.0.1:${port}/x/y@${ref('classic').split('@')[1]}`, '--json');
    expect(down.code).toBe(6);
    expect(down.json!.code).toBe('REGISTRY_UNREACHABLE');
    const nokey = await sb.run(['release', 'verify', '--image', ref('classic'), '--json']);
    expect(nokey.code).toBe(2);
    expect(nokey.json!.code).toBe('RELEASE_KEY_MISSING');
  });
});

describe.skipIf(gate.skip)('release sbom: the SPDX attestation, verified before it is shown', () => {
  it('lists the packages of a classic (.att) attestation', async () => {
    const r = await sb.run(['release', 'sbom', ref('classic'), '--key', k1.pub]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/busybox\s+1\.35\.0\s+GPL-2\.0-only/);
    expect(r.stdout).toMatch(/caddy\s+2\.6\.2\s+Apache-2\.0/);
    expect(r.stderr).toContain('No transparency log was consulted');
    // -o spdx-json: the verified SPDX document itself on stdout, nothing else.
    const doc = await sb.run(['release', 'sbom', ref('classic'), '--key', k1.pub, '-o', 'spdx-json']);
    expect(doc.code, doc.stderr).toBe(0);
    expect(JSON.parse(doc.stdout)).toMatchObject({ spdxVersion: expect.stringMatching(/^SPDX-/) });
  });

  it('reads a bundle-format attestation and writes the SPDX document with --output-file', async () => {
    const out = join(dir, 'out.spdx.json');
    const r = await sb.run(['release', 'sbom', ref('bundle'), '--key', k1.pub, '--output-file', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({ format: 'bundle', packages: [{ name: 'busybox', version: '1.35.0', license: 'GPL-2.0-only' }, { name: 'caddy' }] });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ spdxVersion: 'SPDX-2.3', name: 'relver-test' });
  });

  it('refuses an attestation by another key (SBOM_INVALID) and an image without one (SBOM_MISSING), showing nothing', async () => {
    const other = await sb.run(['release', 'sbom', ref('other-key'), '--key', k1.pub, '--json']);
    expect(other.code).toBe(1);
    expect(other.json!.code).toBe('SBOM_INVALID');
    expect(other.stdout).not.toContain('busybox');
    const none = await sb.run(['release', 'sbom', ref('unsigned'), '--key', k1.pub, '--json']);
    expect(none.code).toBe(1);
    expect(none.json!.code).toBe('SBOM_MISSING');
  });
});

describe.skipIf(gate.skip)('deploying commands verify before any change', () => {
  const initArgs = (d: string, helmsman: string) => [
    'edge', 'init', '--dir', d, '--domain', 'edge.example.com', '--tls', 'internal', '--project', project,
    '--image', `caddy=${ref('classic')}`, '--image', `mistserver=${ref('bundle')}`, '--image', `helmsman=${helmsman}`,
  ];

  it('edge init --verify always: an unsigned image is exit 1 SIGNATURE_MISSING naming it, and nothing is written', async () => {
    const d = join(sb.home, 'edge-unsigned');
    const r = await sb.run([...initArgs(d, ref('unsigned')), '--verify', 'always', '--key', k1.pub, '--json']);
    expect(r.code).toBe(1);
    expect(r.json!.code).toBe('SIGNATURE_MISSING');
    expect(r.json!.message).toContain(ref('unsigned'));
    expect(existsSync(d)).toBe(false);
  });

  it('edge init with a key (auto): every image signed, the stack is written', async () => {
    const d = join(sb.home, 'edge-signed');
    const r = await sb.run([...initArgs(d, ref('classic')), '--key', k1.pub]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('No transparency log was consulted');
    expect(readFileSync(join(d, 'docker-compose.edge.yml'), 'utf8')).toContain(ref('bundle'));
  });

  it('edge update and edge enroll refuse a bad signature before touching the stack: files and containers unchanged', async () => {
    const d = join(sb.home, 'edge-update');
    // Written without a key: verification is off (auto), as on a host configured before keys existed.
    const init = await sb.run(initArgs(d, ref('unsigned')));
    expect(init.code, init.stderr).toBe(0);
    const before = files(d);
    const update = await sb.run(['edge', 'update', '--dir', d, '--image', `helmsman=${ref('moved-sig')}`, '--key', k1.pub, '--json']);
    expect(update.code).toBe(1);
    expect(update.json!.code).toBe('DIGEST_MISMATCH');
    expect(update.json!.message).toContain(ref('moved-sig'));
    const enroll = await sb.run(['edge', 'enroll', '--dir', d, '--verify', 'always', '--key', k1.pub, '--json']);
    expect(enroll.code).toBe(1);
    expect(enroll.json!.code).toBe('SIGNATURE_MISSING');
    expect(files(d)).toEqual(before);
    expect(await containersOf(project)).toBe('');
  });

  it('edge update --verify always against a registry that is down: exit 6, nothing changed', async () => {
    const d = join(sb.home, 'edge-update');
    const before = files(d);
    const port = await freePort();
    const down = `127.0.0.1:${port}/x/y@${ref('classic').split('@')[1]}`;
    const r = await sb.run(['edge', 'update', '--dir', d, '--image', `helmsman=${down}`, '--verify', 'always', '--key', k1.pub, '--json']);
    expect(r.code).toBe(6);
    expect(r.json!.code).toBe('REGISTRY_UNREACHABLE');
    expect(files(d)).toEqual(before);
  });

  it('services plan --verify always: an image signed by another key is exit 1 SIGNATURE_INVALID, nothing written', async () => {
    const d = join(sb.home, 'central');
    const args = ['--profile', 'billing-only', '--image', `purser=${ref('other-key')}`, '--verify', 'always', '--key', k1.pub, '--json'];
    const r = await sb.run(['services', 'plan', '--dir', d, ...args]);
    expect(r.code).toBe(1);
    expect(r.json!.code).toBe('SIGNATURE_INVALID');
    expect(existsSync(d)).toBe(false);
  });

  it('services up --verify always: an unsigned image in the plan is exit 1 SIGNATURE_MISSING before compose pulls or starts anything', async () => {
    const d = join(sb.home, 'central-unsigned');
    const central = `${project}-central`;
    const plan = await sb.run(['services', 'plan', '--dir', d, '--profile', 'billing-only', '--project', central, '--image', `purser=${ref('unsigned')}`]);
    expect(plan.code, plan.stderr).toBe(0);
    const before = files(d);
    const up = await sb.run(['services', 'up', '--dir', d, '--verify', 'always', '--key', k1.pub, '--json']);
    expect(up.code).toBe(1);
    expect(up.json!.code).toBe('SIGNATURE_MISSING');
    expect(up.json!.message).toContain(ref('unsigned'));
    expect(files(d)).toEqual(before);
    expect(await containersOf(central)).toBe('');
  });
});
