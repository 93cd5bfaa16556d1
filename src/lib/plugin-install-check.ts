import type { Config } from '@oclif/core';
import { ExitCode, FrameworksError, npmRegistry, probeNpmPackage } from '@frameworks/sdk';

/** How long the registry gets to answer whether it has the plugin: a dead one fails here, not after npm's retries. */
export const REGISTRY_PROBE_MS = 10_000;

/** The packages `plugins install <word>` tries, in order: `infra` is @frameworks/plugin-infra first, then `infra`. */
export function candidatePackages(word: string, config: Pick<Config, 'pjson'>): string[] {
  const name = word.replace(/@[^@/]*$/, (tag) => (word.startsWith('@') && word.indexOf('@', 1) === -1 ? tag : '')) || word;
  if (name.startsWith('@') || name.includes('/') || name.includes(':') || name.startsWith('.')) return [name];
  const { scope, pluginPrefix } = config.pjson.oclif as { scope?: string; pluginPrefix?: string };
  if (!scope) return [name];
  const prefix = pluginPrefix ?? 'plugin';
  return [`@${scope}/${name.startsWith(`${prefix}-`) ? name : `${prefix}-${name}`}`, name];
}

/**
 * Before oclif's install (whose npm retries a dead registry for minutes, silently, then blames the
 * package): ask the registry once, bounded, whether it has the plugin, and fail saying which package,
 * which registry and what to do. npm itself gets bounded retries too.
 */
export async function checkPluginInstall(argv: string[], config: Config): Promise<void> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const registry = npmRegistry();
  process.env.npm_config_fetch_retries ??= '1';
  process.env.npm_config_fetch_retry_maxtimeout ??= '10000';
  const bin = config.bin;
  for (const word of words) {
    const names = candidatePackages(word, config);
    if (names[0].includes(':') || names[0].startsWith('.') || (!names[0].startsWith('@') && names[0].includes('/'))) continue;
    let found = false;
    for (const name of names) {
      const probe = await probeNpmPackage(registry.url, name, REGISTRY_PROBE_MS);
      if (probe.state === 'unreachable') {
        throw new FrameworksError(
          `Cannot install ${names[0]}: the npm registry ${registry.url} (from ${registry.source}) did not answer (${probe.error}).`,
          {
            code: 'NPM_REGISTRY_UNREACHABLE',
            exitCode: ExitCode.NETWORK,
            name: 'NetworkError',
            suggestions: [`npm ping --registry ${registry.url}`, `FRAMEWORKS_NPM_REGISTRY=${'https://registry.npmjs.org'} ${bin} plugins install ${word}`],
          },
        );
      }
      if (probe.state !== 'missing') {
        found = true;
        break;
      }
    }
    if (!found) {
      const tried = names.length > 1 ? ` (tried ${names.join(' and ')})` : '';
      throw new FrameworksError(`Cannot install ${names[0]}: the npm registry ${registry.url} (from ${registry.source}) has no such package${tried}.`, {
        code: 'PLUGIN_NOT_FOUND',
        exitCode: ExitCode.FAILED,
        name: 'PluginNotFoundError',
        suggestions: [`npm view ${names[0]} --registry ${registry.url}`, `${bin} plugins`],
      });
    }
  }
}
