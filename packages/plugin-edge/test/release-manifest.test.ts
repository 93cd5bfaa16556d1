import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isFrameworksError, type FrameworksError } from '@frameworks/sdk';
import { EDGE_SERVICES, imageRef, parseImageOverrides, parseImageRef } from '../src/release/image-ref.js';
import { BUILTIN_MANIFEST, builtinManifest, loadReleaseManifest, resolveRelease, validateManifest } from '../src/release/manifest.js';
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

describe('built-in manifest', () => {
  it('passes its own schema and has stable and canary', async () => {
    await expect(validateManifest(BUILTIN_MANIFEST, 'built-in')).resolves.toBeTruthy();
    expect(Object.keys(BUILTIN_MANIFEST.channels).sort()).toEqual(['canary', 'stable']);
    const r = resolveRelease(builtinManifest(), 'stable');
    expect(r.refs.caddy).toMatch(/^caddy:/);
    expect(r.refs.mistserver).toMatch(/^livepeerframeworks\/mistserver:/);
    expect(r.refs.helmsman).toMatch(/^livepeerframeworks\/helmsman:/);
    expect(r.unpinned).toEqual([...EDGE_SERVICES]);
  });
});

describe('loading a manifest file', () => {
  it('loads the test fixtures (YAML)', async () => {
    const loaded = await loadReleaseManifest(FIXTURE);
    expect(resolveRelease(loaded, 'stable').refs).toEqual({ caddy: 'local/caddy:2.6.2', mistserver: 'local/mistserver:1', helmsman: 'local/helmsman:1' });
    expect(resolveRelease(loaded, 'canary').refs).toEqual({ caddy: 'local/caddy:2.6.2', mistserver: 'local/mistserver:1', helmsman: 'local/helmsman:2' });
    expect(resolveRelease(loaded, 'canary').version).toBe('test-2');
    const reg = await loadReleaseManifest(REGISTRY_FIXTURE);
    expect(resolveRelease(reg, 'stable').refs.helmsman).toBe('127.0.0.1:5000/edge/helmsman:1');
  });

  it('loads JSON and uses image@digest whenever a digest is present', async () => {
    const p = write(
      'm.json',
      JSON.stringify({
        schema_version: 1,
        channels: {
          stable: {
            version: '2025.09.1',
            images: {
              caddy: { image: 'caddy', tag: '2.10.0', digest: DIGEST },
              mistserver: { image: 'ghcr.io/org/mist', tag: '1' },
              helmsman: { image: 'registry.example.com:5000/fw/helmsman', tag: 'v1.2.3', digest: DIGEST },
            },
          },
        },
      }),
    );
    const r = resolveRelease(await loadReleaseManifest(p), 'stable');
    expect(r.refs).toEqual({ caddy: `caddy@${DIGEST}`, mistserver: 'ghcr.io/org/mist:1', helmsman: `registry.example.com:5000/fw/helmsman@${DIGEST}` });
    expect(r.unpinned).toEqual(['mistserver']);
  });

  it('names the file and every bad key path (exit 4)', async () => {
    const p = write(
      'bad.yaml',
      [
        'schema_version: 2',
        'extra: true',
        'channels:',
        '  Stable!: { images: {} }',
        '  stable:',
        '    images:',
        '      caddy: { image: "Caddy Server", tag: "2.6.2" }',
        '      mistserver: { image: local/mistserver, tag: "bad tag", digest: "sha256:xyz" }',
        '      nginx: { image: nginx, tag: "1" }',
        '  canary: { version: "ok" }',
      ].join('\n'),
    );
    const err = await failure(loadReleaseManifest(p));
    expect(err.exitCode).toBe(4);
    expect(err.code).toBe('EDGE_RELEASE_MANIFEST_INVALID');
    expect(err.message).toContain(p);
    for (const expected of [
      'schema_version: must be 1',
      'extra: unknown key',
      'channels: "Stable!" is not a valid channel name',
      'channels.stable.images.caddy.image: "Caddy Server" is not an image name',
      'channels.stable.images.mistserver.tag: "bad tag" is not an image tag',
      'channels.stable.images.mistserver.digest: "sha256:xyz" is not a digest',
      'channels.stable.images.helmsman: is required',
      'channels.stable.images.nginx: unknown service',
      'channels.canary.images: is required',
    ]) {
      expect(err.message).toContain(expected);
    }
  });

  it('YAML syntax errors give line and column; JSON errors say JSON; empty and missing files', async () => {
    const y = await failure(loadReleaseManifest(write('syntax.yaml', 'schema_version: 1\nchannels: [\n  stable\n')));
    expect(y.exitCode).toBe(4);
    expect(y.message).toMatch(/not valid YAML \(line \d+, column \d+\)/);
    const j = await failure(loadReleaseManifest(write('syntax.json', '{"schema_version": 1,')));
    expect(j.exitCode).toBe(4);
    expect(j.message).toMatch(/syntax\.json is invalid: not valid JSON/);
    const e = await failure(loadReleaseManifest(write('empty.yaml', '# nothing\n')));
    expect(e.message).toMatch(/empty/);
    const m = await failure(loadReleaseManifest(join(tmp, 'missing.yaml')));
    expect(m.code).toBe('EDGE_RELEASE_MANIFEST_NOT_FOUND');
    expect(m.exitCode).toBe(2);
  });
});

describe('channels and overrides', () => {
  it('an unknown channel is a usage error naming the known ones', () => {
    const err = caught(() => resolveRelease(builtinManifest(), 'nightly'));
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('UNKNOWN_CHANNEL');
    expect(err.message).toContain('stable, canary');
    expect(err.suggestions).toContain('--channel stable');
    expect(caught(() => resolveRelease(builtinManifest(), '__proto__')).code).toBe('UNKNOWN_CHANNEL');
  });

  it('--image overrides one service and keeps the rest', async () => {
    const o = parseImageOverrides(['mistserver=local/mistserver:dev', `helmsman=local/helmsman@${DIGEST}`]);
    const r = resolveRelease(await loadReleaseManifest(FIXTURE), 'stable', o);
    expect(r.refs).toEqual({ caddy: 'local/caddy:2.6.2', mistserver: 'local/mistserver:dev', helmsman: `local/helmsman@${DIGEST}` });
    expect(r.overridden).toEqual(['mistserver', 'helmsman']);
    expect(r.unpinned).toEqual(['caddy', 'mistserver']);
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
