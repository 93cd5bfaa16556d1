import type { Config } from '@oclif/core';
import { fishScript } from './shell-scripts.js';

/**
 * fish completion (oclif has none for fish): a small script that asks `frameworks __complete` what can
 * follow, so commands of plugins installed later and real values (contexts, hosts, keys) complete too.
 */
export function fishCompletion(config: Config): string {
  return fishScript(config.bin, config.version);
}
