import { homedir } from 'node:os';
import { join } from 'node:path';

/** ~/.frameworks, or $FRAMEWORKS_HOME. Everything the CLI persists lives here. */
export function frameworksHome(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.FRAMEWORKS_HOME?.trim();
  return override ? override : join(homedir(), '.frameworks');
}

export interface FrameworksPaths {
  home: string;
  config: string;
  credentials: string;
  audit: string;
}

export function frameworksPaths(env: NodeJS.ProcessEnv = process.env): FrameworksPaths {
  const home = frameworksHome(env);
  return {
    home,
    config: join(home, 'config.yaml'),
    credentials: join(home, 'credentials.yaml'),
    audit: join(home, 'audit.log'),
  };
}

/** Show a path with ~ for the home directory: shorter, and the same on every machine in docs. */
export function tildify(path: string): string {
  const home = homedir();
  return path === home || path.startsWith(home + '/') ? '~' + path.slice(home.length) : path;
}
