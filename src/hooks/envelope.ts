import type { Hook } from '@oclif/core';
import { wrapForeignCommand } from '../lib/foreign-envelope.js';

/** Every command keeps one contract: oclif's own (plugins, autocomplete, help) are wrapped before they run. */
const hook: Hook<'prerun'> = async function (opts) {
  wrapForeignCommand(opts.Command as Parameters<typeof wrapForeignCommand>[0]);
};
export default hook;
