import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_CHANNELS, isFrameworksError, validateReleaseManifest, type FrameworksError } from '@frameworks/sdk';
import { EDGE_SERVICES, imageRef, parseImageOverrides, parseImageRef } from '../src/release/image-ref.js';
import { loadEdgeRelease, resolveRelease } from '../src/release/manifest.js';
import { ROOT } from './support/output-validators.js';

const tmp = mkdtempSync(join(tmpdir(), 'fw-release-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const FIXTURE = join(ROOT, 'test/fixtures/edge/release-manifest.yaml');
const REGISTRY_FIXTURE = join(ROOT, 'test/fixtures/edge/release-manifest.registry.yaml');
const DIGEST = `sha256:${'a'.repeat(64)}`;

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

async function failure(p: Promise<unknown>): Promise<FrameworksError> {
  try {
    await p;
  } catch (err) {
    if (isFrameworksError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

function caught(fn: () => unknown): FrameworksError {
  try {
    fn();
  } catch (err) {
    if (isFrameworksError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('built-in release', () => {
  it('passes its own schema and has stable and canary', async () => {
    for (const m of Object.values(BUILTIN_CHANNELS)) await expect(validateReleaseManifest(m, 'built-in')).resolves.toBeTruthy();
    expect(Object.keys(BUILTIN_CHANNELS).sort()).toEqual(['canary', 'stable']);
    const r = resolveRelease(await loadEdgeRelease({ home: tmp }));
    expect(r.refs.caddy).toMatch(/^caddy:/);
    expect(r.refs.mistserver).toMatch(/^livepeerframeworks\/mistserver:/);
    expect(r.refs.helmsman).toMatch(/^livepeerframeworks\/helmsman:/);
    expect(r.unpinned).toEqual([...EDGE_SERVICES]);
    expect(r.warning?.code).toBe('IMAGES_NOT_PINNED');
  });
});

describe('loading a manifest file', () => {
  it('loads the test fixtures (YAML); tags only need --allow-unpinned', async () => {
    const loaded = await loadEdgeRelease({ manifestFile: FIXTURE, home: tmp });
    expect(caught(() => resolveRelease(loaded)).code).toBe('RELEASE_UNPINNED');
    const r = resolveRelease(loaded, {}, { allowUnpinned: true });
    expect(r.refs).toEqual({ caddy: 'local/caddy:2.6.2', mistserver: 'local/mistserver:1', helmsman: 'local/helmsman:1' });
    expect(r.allowedUnpinned).toEqual([...EDGE_SERVICES]);
    expect(r.version).toBe('test-1');
    const reg = await loadEdgeRelease({ manifestFile: REGISTRY_FIXTURE, home: tmp });
    expect(resolveRelease(reg, {}, { allowUnpinned: true }).refs.helmsman).toBe('127.0.0.1:5000/edge/helmsman:1');
  });

  it('loads JSON and uses image@digest whenever a digest is present', async () => {
    const p = write(
      'm.json',
      JSON.stringify({
        platform_version: '2025.09.1',
        git_commit: 'abc',
        release_date: '2025-09-01T00:00:00Z',
        services: [{ name: 'helmsman', image: 'registry.example.com:5000/fw/helmsman', tag: 'v1.2.3', digest: DIGEST }],
        infrastructure: [{ name: 'caddy', image: 'caddy', tag: '2.10.0', digest: DIGEST }],
        external_dependencies: [{ name: 'mistserver', image: 'ghcr.io/org/mist', digest: DIGEST }],
      }),
    );
    const r = resolveRelease(await loadEdgeRelease({ manifestFile: p, home: tmp }));
    expect(r.refs).toEqual({ caddy: `caddy@${DIGEST}`, mistserver: `ghcr.io/org/mist@${DIGEST}`, helmsman: `registry.example.com:5000/fw/helmsman@${DIGEST}` });
    expect(r.unpinned).toEqual([]);
    expect(r.warning).toBeUndefined();
  });

  it('names the file and every bad key path (exit 4)', async () => {
    const p = write(
      'bad.yaml',
      [
        'platform_version: "v 1"',
        'release_date: yesterday',
        'services:',
        '  - { name: caddy, image: "Caddy Server", tag: "2.6.2" }',
        '  - { name: mistserver, image: local/mistserver, tag: "bad tag", digest: "sha256:xyz" }',
        '  - { name: caddy, image: caddy, tag: "1" }',
        'native_binaries:',
        '  - { name: fw, artifacts: [ { arch: linux-amd64, checksum: "md5:00" } ] }',
      ].join('\n'),
    );
    const err = await failure(loadEdgeRelease({ manifestFile: p, home: tmp }));
    expect(err.exitCode).toBe(4);
    expect(err.code).toBe('RELEASE_MANIFEST_INVALID');
    expect(err.message).toContain(p.replace(/^\/root/, '~'));
    for (const expected of [
      'platform_version: "v 1" is not a release version',
      'git_commit: is required',
      'release_date: "yesterday" is not an RFC 3339 time',
      'services[0].image: "Caddy Server" is not an image name',
      'services[1].tag: "bad tag" is not an image tag',
      'services[1].digest: "sha256:xyz" is not a digest',
      'services[2].name: "caddy" is already the name of services[0]',
      'native_binaries[0].artifacts[0].checksum: "md5:00" is not a checksum',
    ]) {
      expect(err.message).toContain(expected);
    }
  });

  it('YAML syntax errors give line and column; JSON errors say JSON; empty and missing files', async () => {
    const y = await failure(loadEdgeRelease({ manifestFile: write('syntax.yaml', 'platform_version: 1\nservices: [\n  x\n'), home: tmp }));
    expect(y.exitCode).toBe(4);
    expect(y.message).toMatch(/not valid YAML \(line \d+, column \d+\)/);
    const j = await failure(loadEdgeRelease({ manifestFile: write('syntax.json', '{"platform_version": 1,'), home: tmp }));
    expect(j.exitCode).toBe(4);
    expect(j.message).toMatch(/syntax\.json is invalid: not valid JSON/);
    const e = await failure(loadEdgeRelease({ manifestFile: write('empty.yaml', '# nothing\n'), home: tmp }));
    expect(e.message).toMatch(/empty/);
    const m = await failure(loadEdgeRelease({ manifestFile: join(tmp, 'missing.yaml'), home: tmp }));
    expect(m.code).toBe('RELEASE_SOURCE_NOT_FOUND');
    expect(m.exitCode).toBe(2);
  });

  it('a release without one of the three edge services is refused, naming it', async () => {
    const p = write('two.yaml', 'platform_version: v1\ngit_commit: a\nrelease_date: "2026-01-01T00:00:00Z"\nservices:\n  - { name: helmsman, image: h, digest: "' + DIGEST + '" }\ninfrastructure:\n  - { name: caddy, image: caddy, digest: "' + DIGEST + '" }\n');
    const err = await failure(loadEdgeRelease({ manifestFile: p, home: tmp }));
    expect(err.code).toBe('RELEASE_MISSING_SERVICE');
    expect(err.message).toContain('mistserver');
  });
});

describe('channels and overrides', () => {
  it('an unknown channel is a usage error naming the known ones', async () => {
    const err = await failure(loadEdgeRelease({ channel: 'nightly', home: tmp }));
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('UNKNOWN_CHANNEL');
    expect(err.message).toContain('stable, canary');
    expect(err.suggestions).toContain('--channel stable');
    expect((await failure(loadEdgeRelease({ channel: '__proto__', home: tmp }))).code).toBe('INVALID_INPUT');
  });

  it('--image overrides one service and keeps the rest', async () => {
    const o = parseImageOverrides(['mistserver=local/mistserver:dev', `helmsman=local/helmsman@${DIGEST}`]);
    const r = resolveRelease(await loadEdgeRelease({ manifestFile: FIXTURE, home: tmp }), o, { allowUnpinned: true });
    expect(r.refs).toEqual({ caddy: 'local/caddy:2.6.2', mistserver: 'local/mistserver:dev', helmsman: `local/helmsman@${DIGEST}` });
    expect(r.overridden).toEqual(['mistserver', 'helmsman']);
    expect(r.unpinned).toEqual(['caddy', 'mistserver']);
    expect(r.allowedUnpinned).toEqual(['caddy']);
  });

  it.each([
    ['nginx=nginx:1', /not an edge service/],
    ['mistserver', /expected <service>=<image reference>/],
    ['mistserver=local/mistserver', /no tag or digest/],
    ['mistserver=Local/Mist:1', /not an image name/],
    ['mistserver=local/mist:bad tag', /not a tag/],
    ['mistserver=local/mist@sha256:1234', /not a digest/],
    ['mistserver=local/mist:1\n', /not a tag/],
  ])('rejects --image %j', (value, message) => {
    const err = caught(() => parseImageOverrides([value]));
    expect(err.code).toBe('INVALID_IMAGE');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
  });

  it('parses registry hosts with ports and tag+digest', () => {
    expect(parseImageRef('127.0.0.1:5000/edge/caddy:2.6.2')).toEqual({ image: '127.0.0.1:5000/edge/caddy', tag: '2.6.2' });
    expect(parseImageRef(`caddy:2.10.0@${DIGEST}`)).toEqual({ image: 'caddy', tag: '2.10.0', digest: DIGEST });
    expect(imageRef({ image: 'caddy', tag: '2.10.0', digest: DIGEST })).toBe(`caddy@${DIGEST}`);
    expect(imageRef({ image: 'caddy', tag: '2.10.0' })).toBe('caddy:2.10.0');
  });
});
