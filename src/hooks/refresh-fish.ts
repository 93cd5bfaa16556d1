import type { Hook } from '@oclif/core';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

/** After a plugin install/uninstall, regenerate the fish script if the user set fish up. */
const hook: Hook<'plugins:postinstall'> = async function () {
  const path = join(this.config.cacheDir, 'autocomplete', 'functions', 'fish', `${this.config.bin}.fish`);
  try {
    await access(path);
  } catch {
    return;
  }
  await this.config.runCommand('autocomplete:fish', ['--refresh-cache']);
};
export default hook;
