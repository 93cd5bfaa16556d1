#!/usr/bin/env node
// The command and flag surface of the CLI (every command of the core and the bundled plugins: its
// arguments and flags with their types, options, defaults and groups), from the built manifests.
//   node scripts/command-surface.mjs            print it
//   node scripts/command-surface.mjs --update   rewrite test/snapshots/command-surface.json
// test/unit/command-surface.test.ts fails when the built surface differs from the snapshot: a
// removed or renamed flag is a breaking change for scripts, so it is made on purpose, in review.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const SNAPSHOT = join(ROOT, 'test/snapshots/command-surface.json');
const PACKAGES = ['.', 'packages/plugin-edge', 'packages/plugin-services', 'packages/plugin-admin', 'packages/plugin-release', 'packages/plugin-workspace', 'packages/plugin-infra'];

export function surface() {
  const out = {};
  for (const p of PACKAGES) {
    const { commands } = JSON.parse(readFileSync(join(ROOT, p, 'oclif.manifest.json'), 'utf8'));
    for (const [id, c] of Object.entries(commands)) {
      out[id.split(':').join(' ')] = {
        package: p === '.' ? '@frameworks/cli' : JSON.parse(readFileSync(join(ROOT, p, 'package.json'), 'utf8')).name,
        args: Object.values(c.args ?? {}).map((a) => ({ name: a.name, required: Boolean(a.required), ...(a.options ? { options: a.options } : {}) })),
        flags: Object.fromEntries(
          Object.entries(c.flags ?? {})
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, f]) => [name, {
              type: f.type,
              ...(f.char ? { char: f.char } : {}),
              ...(f.required ? { required: true } : {}),
              ...(f.multiple ? { multiple: true } : {}),
              ...(f.options ? { options: f.options } : {}),
              ...(f.default !== undefined && typeof f.default !== 'function' ? { default: f.default } : {}),
              ...(f.aliases?.length ? { aliases: f.aliases } : {}),
            }]),
        ),
      };
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = JSON.stringify(surface(), null, 2) + '\n';
  if (process.argv.includes('--update')) {
    writeFileSync(`${SNAPSHOT}.tmp`, text);
    renameSync(`${SNAPSHOT}.tmp`, SNAPSHOT);
    console.log(`wrote ${SNAPSHOT}`);
  } else process.stdout.write(text);
}
