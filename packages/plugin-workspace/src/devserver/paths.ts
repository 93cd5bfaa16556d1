import { join } from 'node:path';
import { frameworksHome } from '@frameworks/sdk';
import type { DevApp } from './apps.js';

/** Where a dev server's pid file and log live: FRAMEWORKS_HOME/dev/<app>.pid|.log. */
export function devPaths(app: DevApp, env: NodeJS.ProcessEnv = process.env): { dir: string; pidFile: string; logFile: string } {
  const dir = join(frameworksHome(env), 'dev');
  return { dir, pidFile: join(dir, `${app}.pid`), logFile: join(dir, `${app}.log`) };
}
