import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '../src/config/store.js';
import { CredentialStore } from '../src/credentials/store.js';
import { frameworksPaths } from '../src/paths.js';
import { resolveContext } from '../src/config/resolve.js';
import { isFrameworksError, type FrameworksError } from '../src/errors.js';

let dir: string;
let paths: ReturnType<typeof frameworksPaths>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fw-sdk-'));
  paths = frameworksPaths({ FRAMEWORKS_HOME: join(dir, 'home') });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<FrameworksError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(isFrameworksError(err)).toBe(true);
  return err as FrameworksError;
}

describe('ConfigStore', () => {
  it('returns the built-in default context when no file exists, without writing one', async () => {
    const loaded = await new ConfigStore(paths).load();
    expect(loaded.exists).toBe(false);
    expect(loaded.doc.current).toBe('local');
    expect(() => statSync(paths.config)).toThrow();
  });

  it('writes 0600 in a 0700 folder and round-trips', async () => {
    const store = new ConfigStore(paths);
    await store.update((doc) => {
      doc.contexts.prod = { endpoints: { gateway: 'https://api.example.com' } };
    });
    expect(statSync(paths.config).mode & 0o777).toBe(0o600);
    expect(statSync(paths.home).mode & 0o777).toBe(0o700);
    const again = await store.load();
    expect(again.doc.contexts.prod.endpoints?.gateway).toBe('https://api.example.com');
  });

  it('names the file, line and column of a YAML syntax error (exit 4)', async () => {
    mkdirSync(paths.home, { recursive: true });
    writeFileSync(paths.config, 'version: 1\ncontexts:\n  local: {endpoints: [\n');
    const err = await rejection(new ConfigStore(paths).load());
    expect(err.exitCode).toBe(4);
    expect(err.code).toBe('CONFIG_MALFORMED');
    expect(err.message).toMatch(/config\.yaml is not valid YAML \(line \d+, column \d+\)/);
  });

  it('names the key path of every schema violation', async () => {
    mkdirSync(paths.home, { recursive: true });
    writeFileSync(
      paths.config,
      'version: 1\ncurrent: prod\ncontexts:\n  prod:\n    endpoints:\n      gateway: not a url\n      gatewy: http://x\n    executor: {type: ssh}\n',
    );
    const err = await rejection(new ConfigStore(paths).load());
    expect(err.exitCode).toBe(4);
    expect(err.message).toContain('contexts.prod.endpoints.gatewy: unknown key');
    expect(err.message).toContain('contexts.prod.executor.host: is required');
  });

  it('rejects an endpoint of the wrong kind and a current that names no context', async () => {
    mkdirSync(paths.home, { recursive: true });
    writeFileSync(paths.config, 'version: 1\ncurrent: nope\ncontexts:\n  a:\n    endpoints:\n      decklog-grpc: http://x:1\n      gateway: ftp://x\n');
    const err = await rejection(new ConfigStore(paths).load());
    expect(err.message).toContain('contexts.a.endpoints.gateway');
    expect(err.message).toContain('contexts.a.endpoints.decklog-grpc');
    expect(err.message).toContain('current: names context "nope"');
  });

  it('never writes an update that would make the file invalid', async () => {
    const store = new ConfigStore(paths);
    await store.update((doc) => void (doc.contexts.a = { endpoints: {} }));
    const before = readFileSync(paths.config, 'utf8');
    await rejection(store.update((doc) => void (doc.current = 'missing')));
    expect(readFileSync(paths.config, 'utf8')).toBe(before);
  });

  it('keeps every concurrent update (lock + re-read under the lock)', async () => {
    const store = new ConfigStore(paths);
    await store.update(() => undefined);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        new ConfigStore(paths).update((doc) => void (doc.contexts[`c${i}`] = { endpoints: { gateway: `http://h${i}:18000` } })),
      ),
    );
    const { doc } = await store.load();
    for (let i = 0; i < 25; i++) expect(doc.contexts[`c${i}`].endpoints?.gateway).toBe(`http://h${i}:18000`);
  });
});

describe('resolveContext precedence', () => {
  const doc = {
    version: 1 as const,
    current: 'file',
    contexts: { file: { endpoints: { gateway: 'http://file:1' } }, envctx: { endpoints: {} }, flagctx: { endpoints: {} } },
  };
  it('flag > env > config for the context name', () => {
    expect(resolveContext(doc, { env: {} }).name).toBe('file');
    expect(resolveContext(doc, { env: { FRAMEWORKS_CONTEXT: 'envctx' } }).name).toBe('envctx');
    expect(resolveContext(doc, { env: { FRAMEWORKS_CONTEXT: 'envctx' }, context: 'flagctx' }).name).toBe('flagctx');
  });
  it('flag > env > config > default for each endpoint', () => {
    expect(resolveContext(doc, { env: {} }).endpoints.gateway).toEqual({ value: 'http://file:1', source: 'config' });
    expect(resolveContext(doc, { env: {} }).endpoints.purser).toEqual({ value: 'http://localhost:18003', source: 'default' });
    const env = { FRAMEWORKS_GATEWAY_URL: 'http://env:1' };
    expect(resolveContext(doc, { env }).endpoints.gateway).toEqual({ value: 'http://env:1', source: 'env' });
    expect(resolveContext(doc, { env, endpointFlags: { gateway: 'http://flag:1' } }).endpoints.gateway).toEqual({ value: 'http://flag:1', source: 'flag' });
  });
  it('an unknown context is exit 4 with a did-you-mean', () => {
    try {
      resolveContext(doc, { context: 'fille', env: {} });
      expect.unreachable();
    } catch (e) {
      const err = e as FrameworksError;
      expect(err.exitCode).toBe(4);
      expect(err.code).toBe('CONTEXT_NOT_FOUND');
      expect(err.message).toContain('Did you mean "file"?');
      expect(err.suggestions).toContain('frameworks context show file');
      expect(err.suggestions.join('\n')).not.toMatch(/#|…/);
    }
  });
});

describe('CredentialStore', () => {
  it('stores 0600 and refuses a group-readable file with the chmod fix', async () => {
    const store = new CredentialStore(paths);
    await store.update('local', (c) => void (c.service_token = 'svc-token-123456'));
    expect(statSync(paths.credentials).mode & 0o777).toBe(0o600);
    expect((await store.get('local')).service_token).toBe('svc-token-123456');
    chmodSync(paths.credentials, 0o640);
    const err = await rejection(store.load());
    expect(err.code).toBe('CREDENTIALS_INSECURE');
    expect(err.suggestions[0]).toBe(`chmod 600 ${paths.credentials}`);
  });
});
