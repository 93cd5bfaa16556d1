import { readFileSync } from 'node:fs';
import type { Hook } from '@oclif/core';
import { compatProblems, compatVerdict, coreVersion, loadSemver, type PluginPjson } from '../compat.js';

const TOPIC = 'infra';

function jsonWanted(argv: string[]): boolean {
  if (process.env.FRAMEWORKS_CONTENT_TYPE?.toLowerCase() === 'json') return true;
  return argv.some((a, i) => a === '--json' || a === '--output=json' || a === '-o=json' || ((a === '-o' || a === '--output') && argv[i + 1] === 'json'));
}

/**
 * Before any infra command (its help included) runs: does this core fit the versions the plugin was built
 * for? If not, one message naming both and the fix, exit 1 — no stack trace, and every other command of
 * the CLI runs as before (the hook returns at once for them).
 */
const hook: Hook<'init'> = async function (opts) {
  const id = opts.id ?? '';
  if (id !== TOPIC && !id.startsWith(`${TOPIC}:`) && !id.startsWith(`${TOPIC} `)) return;
  const pjson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PluginPjson;
  const declared = pjson.frameworks?.compatibility ?? {};
  const found = Object.fromEntries(Object.keys(declared).map((name) => [name, coreVersion(opts.config.root, name)]));
  const semver = await loadSemver();
  const core = { name: opts.config.pjson.name, version: opts.config.version, bin: opts.config.bin };
  const verdict = compatVerdict(pjson, core, compatProblems(declared, found, semver));
  if (!verdict) return;
  const argv = opts.argv ?? [];
  if (jsonWanted(argv)) {
    const doc = { status: 1, name: 'PluginIncompatibleError', code: verdict.code, message: verdict.message, suggestions: verdict.suggestions, warnings: [] };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else {
    const hints = process.env.FRAMEWORKS_NO_HINTS ? '' : verdict.suggestions.map((s) => `Next: ${s}\n`).join('');
    process.stderr.write(`✗ ${verdict.message}\n${hints}`);
  }
  // Exit here: oclif would otherwise go on to load and run the command against a core it does not fit.
  process.exit(1);
};
export default hook;
