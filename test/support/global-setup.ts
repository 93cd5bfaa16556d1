import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** e2e tests run the built CLI: fail fast with the fix when it has not been built. */
export default function setup(): void {
  for (const f of ['oclif.manifest.json', 'dist/commands/context/init.js', 'packages/sdk/dist/index.js']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` before the e2e tests.`);
  }
}
