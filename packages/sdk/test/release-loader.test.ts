import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareVersions, isFrameworksError, parseReleaseSource, type FrameworksError } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'fw-relsrc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function failure(fn: () => unknown): FrameworksError {
  try {
    fn();
  } catch (err) {
    if (isFrameworksError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('release source specs', () => {
  it.each([
    ['https://github.com/acme/gitops.git', 'git', 'https://github.com/acme/gitops.git', undefined],
    ['https://github.com/acme/gitops.git#v1', 'git', 'https://github.com/acme/gitops.git', 'v1'],
    ['git+https://git.example.com/acme/gitops', 'git', 'https://git.example.com/acme/gitops', undefined],
    ['git://127.0.0.1:9418/rel.git', 'git', 'git://127.0.0.1:9418/rel.git', undefined],
    ['file:///srv/releases.git#main', 'git', 'file:///srv/releases.git', 'main'],
    ['git@github.com:acme/gitops.git', 'git', 'git@github.com:acme/gitops.git', undefined],
    ['https://raw.example.com/acme/gitops/main/', 'http', 'https://raw.example.com/acme/gitops/main', undefined],
    ['http://127.0.0.1:8080/rel', 'http', 'http://127.0.0.1:8080/rel', undefined],
    ['http://localhost/rel', 'http', 'http://localhost/rel', undefined],
    ['built-in', 'built-in', 'built-in', undefined],
  ])('%s is a %s source', (spec, kind, location, ref) => {
    const p = parseReleaseSource(spec);
    expect(p).toMatchObject({ kind, location });
    expect(p.ref).toBe(ref);
  });

  it('a folder is stored absolute; a missing path, plain remote HTTP and an empty spec are exit 2', () => {
    expect(parseReleaseSource(tmp)).toMatchObject({ kind: 'folder', location: tmp });
    expect(parseReleaseSource('.', tmp)).toMatchObject({ kind: 'folder', location: tmp });
    expect(failure(() => parseReleaseSource(join(tmp, 'nope'))).code).toBe('RELEASE_SOURCE_NOT_FOUND');
    const insecure = failure(() => parseReleaseSource('http://releases.example.com/x'));
    expect([insecure.code, insecure.exitCode]).toEqual(['RELEASE_SOURCE_INSECURE', 2]);
    expect(insecure.suggestions).toEqual(['--release-source https://releases.example.com/x']);
    expect(failure(() => parseReleaseSource('  ')).code).toBe('RELEASE_SOURCE_INVALID');
  });
});

describe('versions', () => {
  it('orders releases and pre-releases as min_cli_version needs', () => {
    expect(compareVersions('0.1.0', '0.2.0')).toBeLessThan(0);
    expect(compareVersions('v1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0-rc2', '1.0.0')).toBeLessThan(0);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
  });
});
