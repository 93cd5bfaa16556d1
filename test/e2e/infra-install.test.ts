/**
 * @frameworks/plugin-infra installed for real, as a third-party plugin: packed and published to the offline
 * registry (with @frameworks/sdk, @frameworks/cli-kit and every dependency), then `frameworks plugins install`
 * into a clean FRAMEWORKS_HOME/XDG. Each run publishes versions of its own (0.1.0-e2e.<stamp>.<n>), so
 * `plugins update` has something newer to find. One sandbox and its npm cache serve the whole journey.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from '../support/cli.js';
import { INFRA_PLUGIN_DIR } from '../support/infra-plugin.js';
import { registrySandbox } from '../support/plugin-sandbox.js';
import { REGISTRY_URL, publishPluginVersion, registryGate } from '../support/registry.js';

const PLUGIN = '@frameworks/plugin-infra';
const NPM_TIMEOUT = 150_000;
const stamp = `${Date.now()}`;
const V1 = `0.1.0-e2e.${stamp}.1`;
const V2 = `0.1.0-e2e.${stamp}.2`;
const INCOMPATIBLE = `0.1.0-e2e.${stamp}.3`;

const gate = await registryGate('test/e2e/infra-install.test.ts');
const show = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

interface Listed {
  name: string;
  version: string;
  type: string;
}

describe.skipIf(gate.skip)('plugin-infra: installable from the registry like any third-party plugin', () => {
  const { sandbox, env, dataDir } = registrySandbox('fw-infra-install-');
  const run = (args: string[]) => sandbox.run(args, { env, timeoutMs: NPM_TIMEOUT });
  const userPlugins = async (): Promise<Listed[]> => {
    const r = await run(['version', '--json']);
    expect(r.code, show(r)).toBe(0);
    return (r.json!.result as { plugins: Listed[] }).plugins.filter((p) => p.type === 'user');
  };

  beforeAll(async () => {
    const { deps, workspaces, plugin } = await publishPluginVersion(INFRA_PLUGIN_DIR, { version: V1 });
    const sdk = workspaces.published + workspaces.replaced;
    console.log(`[registry] ${REGISTRY_URL}: ${deps.total} dependencies (${deps.published} new), sdk+cli-kit ${sdk} (re)published, ` +
      `${plugin.name}@${plugin.version}`);
  }, 120_000);
  afterAll(() => sandbox.cleanup());

  it(
    'install, --help, version lists its own version, a command runs from the registry copy, update, uninstall (short name)',
    async () => {
      const install = await run(['plugins', 'install', PLUGIN]);
      expect(install.code, show(install)).toBe(0);
      // Its SDK and cli-kit came from the registry, beside it in the data dir: the core's are not reachable from there.
      for (const dep of ['sdk', 'cli-kit']) expect(existsSync(join(dataDir, 'node_modules', '@frameworks', dep, 'package.json')), dep).toBe(true);

      const help = await run(['infra', '--help']);
      expect(help.code, show(help)).toBe(0);
      expect(help.stdout).toContain('infra init');
      expect(await userPlugins()).toEqual([{ name: PLUGIN, version: V1, type: 'user' }]);

      const dir = join(sandbox.home, 'infra');
      const init = await run(['infra', 'init', '--dir', dir, '--tenant', 'acme', '--json']);
      expect(init.code, show(init)).toBe(0);
      expect(readFileSync(join(dir, 'modules/network/security.tf'), 'utf8')).toContain('from_port         = 18002');

      await publishPluginVersion(INFRA_PLUGIN_DIR, { version: V2 });
      const update = await run(['plugins', 'update']);
      expect(update.code, show(update)).toBe(0);
      expect(await userPlugins()).toEqual([{ name: PLUGIN, version: V2, type: 'user' }]);

      // The short form (pluginPrefix: "infra" is @frameworks/plugin-infra) for uninstall here, for install below.
      const uninstall = await run(['plugins', 'uninstall', 'infra']);
      expect(uninstall.code, show(uninstall)).toBe(0);
      expect(await userPlugins()).toEqual([]);
      const gone = await run(['infra', 'init', '--dir', dir]);
      expect(gone.code, show(gone)).not.toBe(0);
    },
    300_000,
  );

  it(
    'install by short name a release made for another core: one clear message naming both versions and the fix; every other command works',
    async () => {
      await publishPluginVersion(INFRA_PLUGIN_DIR, {
        version: INCOMPATIBLE,
        tag: 'incompatible', // never `latest`: the next install of the plugin gets a working one
        patch: { frameworks: { compatibility: { '@frameworks/sdk': '^9.0.0', '@frameworks/cli-kit': '^9.0.0' } } },
      });
      const install = await run(['plugins', 'install', `infra@${INCOMPATIBLE}`]);
      expect(install.code, show(install)).toBe(0);
      const list = await run(['plugins']);
      expect(list.stdout).toMatch(new RegExp(`^infra ${INCOMPATIBLE.replace(/\./g, '\\.')}`, 'm'));

      const r = await run(['infra', 'init', '--dir', join(sandbox.home, 'never')]);
      expect(r.code, show(r)).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines.filter((l) => l.startsWith('✗')), show(r)).toHaveLength(1);
      expect(lines[0]).toBe(
        `✗ ${PLUGIN} ${INCOMPATIBLE} does not work with this frameworks (@frameworks/cli 0.1.0): the plugin needs @frameworks/sdk ^9.0.0 and ` +
          '@frameworks/cli-kit ^9.0.0, frameworks has @frameworks/sdk 0.1.0 and @frameworks/cli-kit 0.1.0. Upgrade frameworks to a release with ' +
          '@frameworks/sdk ^9.0.0 and @frameworks/cli-kit ^9.0.0, or install a release of the plugin made for this one. ' +
          'Other frameworks commands are not affected.',
      );
      expect(lines.slice(1)).toEqual(['Next: npm install --global @frameworks/cli@latest', `Next: frameworks plugins uninstall ${PLUGIN}`]);
      expect(r.stderr).not.toMatch(/\n\s+at |Error:/); // no stack trace
      expect(existsSync(join(sandbox.home, 'never'))).toBe(false);

      const json = await run(['infra', 'init', '--json']);
      expect(json.code, show(json)).toBe(1);
      const suggestions = ['npm install --global @frameworks/cli@latest', `frameworks plugins uninstall ${PLUGIN}`];
      expect(json.json).toMatchObject({ status: 1, code: 'PLUGIN_INCOMPATIBLE', suggestions });
      const help = await run(['infra', '--help']);
      expect(help.code).toBe(1);
      expect(help.stderr).toContain('does not work with this frameworks');

      // The rest of the CLI is untouched, and says which plugin is installed.
      const contexts = await run(['context', 'list']);
      expect(contexts.code, show(contexts)).toBe(0);
      expect(contexts.stderr).not.toContain('does not work');
      expect(await userPlugins()).toEqual([{ name: PLUGIN, version: INCOMPATIBLE, type: 'user' }]);
      const uninstall = await run(['plugins', 'uninstall', PLUGIN]);
      expect(uninstall.code, show(uninstall)).toBe(0);
    },
    300_000,
  );
});
