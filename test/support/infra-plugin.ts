/**
 * @frameworks/plugin-infra is not bundled with the core: a sandbox gets it as a user-installed plugin, the
 * way `frameworks plugins install` leaves it (the data dir's package.json lists it, node_modules holds it),
 * except that node_modules/@frameworks/plugin-infra is a symlink to the built workspace package — so its
 * imports of @frameworks/sdk and cli-kit resolve to the workspace's, and no registry is needed.
 * (test/e2e/infra-install.test.ts installs it from the registry for real.)
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type CliSandbox } from './cli.js';

export const INFRA_PLUGIN_DIR = join(ROOT, 'packages/plugin-infra');

export function addInfraPlugin(sandbox: CliSandbox): void {
  const data = join(sandbox.home, '.local', 'share', 'frameworks');
  mkdirSync(join(data, 'node_modules', '@frameworks'), { recursive: true });
  symlinkSync(INFRA_PLUGIN_DIR, join(data, 'node_modules', '@frameworks', 'plugin-infra'), 'dir');
  const pjson = {
    private: true,
    oclif: { schema: 1, plugins: [{ name: '@frameworks/plugin-infra', type: 'user', tag: 'latest' }] },
    dependencies: { '@frameworks/plugin-infra': 'latest' },
  };
  writeFileSync(join(data, 'package.json'), JSON.stringify(pjson, null, 2));
}
