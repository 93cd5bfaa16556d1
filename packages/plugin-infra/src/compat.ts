/**
 * Which core this plugin runs in. A user-installed plugin carries its own @frameworks/sdk and cli-kit
 * (npm installs them from the registry beside it), but it shares the core's config, credentials, audit log
 * and oclif; `frameworks.compatibility` in package.json names the core versions it was built for.
 * Only node: built-ins and semver here: this runs before anything else of the plugin loads.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface CompatProblem {
  /** e.g. @frameworks/sdk */
  name: string;
  /** What the plugin declares, e.g. ^0.1.0 */
  wants: string;
  /** What the core has (undefined: the core has no such package). */
  found?: string;
  /** The core is newer than the range (the plugin needs an update), else older (the core does). */
  coreNewer: boolean;
}

export interface PluginPjson {
  name: string;
  version: string;
  frameworks?: { compatibility?: Record<string, string> };
}

export type Semver = { satisfies(v: string, r: string, o?: object): boolean; gtr(v: string, r: string, o?: object): boolean };

/** semver, loaded when a check runs (only infra commands need it). */
export async function loadSemver(): Promise<Semver> {
  const name = 'semver'; // semver ships no types: typed here by the two functions used
  return ((await import(name)) as { default: Semver }).default;
}

/** Compare declared ranges with the versions found. Pre-release cores (0.2.0-rc.1) count as their release. */
export function compatProblems(declared: Record<string, string>, found: Record<string, string | undefined>, semver: Semver): CompatProblem[] {
  const problems: CompatProblem[] = [];
  for (const [name, wants] of Object.entries(declared)) {
    const have = found[name];
    if (have && semver.satisfies(have, wants, { includePrerelease: true })) continue;
    problems.push({ name, wants, found: have, coreNewer: Boolean(have && semver.gtr(have, wants, { includePrerelease: true })) });
  }
  return problems;
}

/** The version of `name` the core at `root` resolves (its own node_modules), or undefined. */
export function coreVersion(root: string, name: string): string | undefined {
  try {
    const req = createRequire(join(root, 'package.json'));
    return (JSON.parse(readFileSync(req.resolve(`${name}/package.json`), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export interface CompatVerdict {
  code: 'PLUGIN_INCOMPATIBLE';
  message: string;
  suggestions: string[];
}

/** One message naming both sides and the fix, or undefined when the core fits. */
export function compatVerdict(plugin: PluginPjson, core: { name: string; version: string; bin: string }, problems: CompatProblem[]): CompatVerdict | undefined {
  if (!problems.length) return undefined;
  const wants = problems.map((p) => `${p.name} ${p.wants}`).join(' and ');
  const has = problems.map((p) => `${p.name} ${p.found ?? '(none)'}`).join(' and ');
  const coreNewer = problems.every((p) => p.coreNewer);
  const fix = coreNewer
    ? `Update the plugin to a release made for this ${core.bin} (${core.bin} plugins update), or uninstall it.`
    : `Upgrade ${core.bin} to a release with ${wants}, or install a release of the plugin made for this one.`;
  return {
    code: 'PLUGIN_INCOMPATIBLE',
    message:
      `${plugin.name} ${plugin.version} does not work with this ${core.bin} (${core.name} ${core.version}): the plugin needs ${wants}, ` +
      `${core.bin} has ${has}. ${fix} Other ${core.bin} commands are not affected.`,
    suggestions: [
      ...(coreNewer ? [`${core.bin} plugins update`] : [`npm install --global ${core.name}@latest`]),
      `${core.bin} plugins uninstall ${plugin.name}`,
    ],
  };
}
