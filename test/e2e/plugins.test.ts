/**
 * `frameworks plugins …` for real: oclif's plugin-plugins runs its bundled npm against an offline
 * verdaccio (scripts/infra.sh up) holding @frameworks/plugin-fixture, @frameworks/sdk and the SDK's
 * whole dependency closure. Nothing is mocked: the plugin is installed into the sandbox's data dir,
 * loaded by oclif, and its command runs the SDK it got from the registry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, ROOT, type CliResult } from '../support/cli.js';
import { REGISTRY_URL, publishDirs, publishSdk, registryGate, tarballSources } from '../support/registry.js';
import { registrySandbox } from '../support/plugin-sandbox.js';

const FIXTURE_DIR = join(ROOT, 'test/fixtures/plugin-fixture');
const PLUGIN = '@frameworks/plugin-fixture';
const NPM_TIMEOUT = 150_000;

const gate = await registryGate('test/e2e/plugins.test.ts');

function show(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

interface ListedPlugin {
  name: string;
  type: string;
  version: string;
}

describe.skipIf(gate.skip)('frameworks plugins install/uninstall from an offline npm registry', () => {
  const sandboxes: CliSandbox[] = [];
  const make = () => {
    const s = registrySandbox('fw-plugins-');
    sandboxes.push(s.sandbox);
    const run = (args: string[]) => s.sandbox.run(args, { env: s.env, timeoutMs: NPM_TIMEOUT });
    const listed = async (): Promise<ListedPlugin[]> => {
      const r = await run(['plugins', '--json']);
      expect(r.code, show(r)).toBe(0);
      // One envelope like every command's, with the plugins as a user reads them (no oclif internals).
      expect(r.json).toMatchObject({ status: 0, warnings: [] });
      const all = r.json!.result as ListedPlugin[];
      for (const p of all) expect(Object.keys(p).sort()).toEqual(expect.arrayContaining(['name', 'type', 'version']));
      expect(JSON.stringify(all)).not.toMatch(/"_base"|"options"|"commandIDs"/);
      return all.filter((p) => p.type === 'user' || p.type === 'link');
    };
    return { ...s, run, listed, dataDir: join(s.sandbox.home, '.local', 'share', 'frameworks') };
  };

  beforeAll(async () => {
    const { sdk, deps } = await publishSdk();
    const fixture = await publishDirs([FIXTURE_DIR]);
    console.log(
      `[registry] ${REGISTRY_URL}: SDK closure ${deps.total} packages (${deps.published} published, ${deps.skipped} already there) in ${deps.ms} ms, ` +
        `tarballs from ${JSON.stringify(tarballSources)}; @frameworks/sdk ${sdk.published + sdk.replaced ? 'published' : 'unchanged'}; ` +
        `${PLUGIN} ${fixture.published + fixture.replaced ? 'published' : 'unchanged'} (${fixture.ms} ms)`,
    );
  }, 120_000);

  afterAll(() => {
    for (const s of sandboxes) s.cleanup();
  });

  it(
    `installs ${PLUGIN}, lists it, runs its SDK-backed command, shows it in version --json, uninstalls it`,
    async () => {
      const { run, listed, dataDir } = make();
      const created = await run(['context', 'create', 'staging', '--set', 'gateway=https://api.staging.example.com', '--use']);
      expect(created.code, show(created)).toBe(0);

      const install = await run(['plugins', 'install', PLUGIN]);
      expect(install.code, show(install)).toBe(0);

      const list = await run(['plugins']);
      expect(list.code, show(list)).toBe(0);
      expect(list.stdout).toMatch(/^(fixture|@frameworks\/plugin-fixture) 0\.1\.0$/m);
      expect(await listed()).toEqual([expect.objectContaining({ name: PLUGIN, type: 'user', version: '0.1.0' })]);

      const hello = await run(['fixture', 'hello']);
      expect(hello.code, show(hello)).toBe(0);
      expect(hello.stdout).toContain('hello from plugin-fixture; current context: staging (config)');
      expect(hello.stdout).toContain('gateway: https://api.staging.example.com');
      expect(hello.stdout).toContain('config file: present');
      expect(hello.stdout).toContain('masked: fwk_…cdef (27 chars)');
      expect(hello.stdout).not.toContain('fwk_fixture0123456789abcdef');
      // The plugin's own copy of the SDK, installed from the registry, not the workspace one.
      const sdkUrl = pathToFileURL(join(dataDir, 'node_modules', '@frameworks', 'sdk')).href;
      expect(hello.stdout).toContain(`sdk: ${sdkUrl}/`);

      const version = await run(['version', '--json']);
      expect(version.code, show(version)).toBe(0);
      const plugins = (version.json?.result as { plugins: ListedPlugin[] }).plugins;
      expect(plugins).toContainEqual({ name: PLUGIN, version: '0.1.0', type: 'user' });
      expect(plugins.filter((p) => p.type === 'core').length).toBeGreaterThan(0);

      const uninstall = await run(['plugins', 'uninstall', PLUGIN]);
      expect(uninstall.code, show(uninstall)).toBe(0);
      expect(await listed()).toEqual([]);
      const gone = await run(['fixture', 'hello']);
      expect(gone.code, show(gone)).not.toBe(0);
      const after = await run(['version', '--json']);
      expect((after.json?.result as { plugins: ListedPlugin[] }).plugins.map((p) => p.name)).not.toContain(PLUGIN);
    },
    300_000,
  );

  it(
    'installs and uninstalls by the friendly name "fixture" (→ @frameworks/plugin-fixture)',
    async () => {
      // oclif expands a bare name to `@${scope}/${pluginPrefix}-${name}`: it adds the dash itself.
      const { oclif } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { oclif: { scope?: string; pluginPrefix?: string } };
      expect(
        `@${oclif.scope}/${oclif.pluginPrefix ?? 'plugin'}-fixture`,
        'package.json oclif.pluginPrefix must be "plugin" (oclif appends the "-"), or `plugins install fixture` looks up the wrong package',
      ).toBe(PLUGIN);

      const { run, listed } = make();
      const install = await run(['plugins', 'install', 'fixture']);
      expect(install.code, show(install)).toBe(0);
      expect(await listed()).toEqual([expect.objectContaining({ name: PLUGIN, type: 'user' })]);
      const list = await run(['plugins']);
      expect(list.stdout).toMatch(/^fixture 0\.1\.0$/m); // shown by its friendly name

      const hello = await run(['fixture', 'hello']);
      expect(hello.code, show(hello)).toBe(0);
      // No config.yaml in this sandbox: the SDK falls back to the built-in `local` context.
      expect(hello.stdout).toContain('hello from plugin-fixture; current context: local (config)');
      expect(hello.stdout).toContain('config file: absent');

      const uninstall = await run(['plugins', 'uninstall', 'fixture']);
      expect(uninstall.code, show(uninstall)).toBe(0);
      expect(await listed()).toEqual([]);
    },
    300_000,
  );

  it(
    'a package that is not a plugin: said as such (exit 1), removed again, and not a usage error',
    async () => {
      const { run, listed } = make();
      const r = await run(['plugins', 'install', '@frameworks/sdk', '--json']);
      expect(r.code, show(r)).toBe(1);
      expect(r.json).toMatchObject({
        status: 1,
        code: 'PLUGIN_INVALID',
        message: '"@frameworks/sdk" was found and installed, but it is not a frameworks plugin (it has no oclif commands); it was removed again.',
        suggestions: ['frameworks plugins'],
      });
      expect(await listed()).toEqual([]);
    },
    NPM_TIMEOUT,
  );

  it(
    'fails clearly for a plugin the registry does not have, and leaves the CLI working',
    async () => {
      const { run, listed } = make();
      const started = Date.now();
      const missing = await run(['plugins', 'install', '@frameworks/plugin-does-not-exist']);
      expect(missing.code, show(missing)).not.toBe(0);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`✗ Cannot install @frameworks/plugin-does-not-exist: the npm registry ${REGISTRY_URL} (from FRAMEWORKS_NPM_REGISTRY) has no such package.`);
      expect(missing.stderr).toContain(`Next: npm view @frameworks/plugin-does-not-exist --registry ${REGISTRY_URL}`);
      expect(missing.stderr).not.toContain('›');
      // fetch-retries=0 and a registry that answers 404: no minute-long retry loop.
      expect(Date.now() - started).toBeLessThan(30_000);

      expect(await listed()).toEqual([]);

      // A friendly name says which package it tried, in which registry, and what to do; --json: the envelope.
      // (Not "infra": test/e2e/infra-install.test.ts publishes @frameworks/plugin-infra to the same registry.)
      const absent = await run(['plugins', 'install', 'absent', '--json']);
      expect(absent.code, show(absent)).toBe(1);
      expect(absent.json).toMatchObject({
        status: 1,
        code: 'PLUGIN_NOT_FOUND',
        message: `Cannot install @frameworks/plugin-absent: the npm registry ${REGISTRY_URL} (from FRAMEWORKS_NPM_REGISTRY) has no such package (tried @frameworks/plugin-absent and absent).`,
        suggestions: [`npm view @frameworks/plugin-absent --registry ${REGISTRY_URL}`, 'frameworks plugins'],
      });

      const version = await run(['version', '--json']);
      expect(version.code, show(version)).toBe(0);
      expect((version.json?.result as { plugins: ListedPlugin[] }).plugins.every((p) => p.type === 'core')).toBe(true);
      const contexts = await run(['context', 'list']);
      expect(contexts.code, show(contexts)).toBe(0);
    },
    120_000,
  );
});
