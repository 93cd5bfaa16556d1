import { access, constants, readFile, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';

export type PackageManager = 'pnpm' | 'npm' | 'yarn';

/** What a Node.js app folder holds, as a dev server needs it. */
export interface NodeProject {
  dir: string;
  /** package.json scripts (undefined: no readable package.json). */
  scripts?: Record<string, string>;
  packageManager: PackageManager;
  /** The lockfile that decided it (in the folder or a parent: a pnpm workspace keeps one at its root). */
  lockfile?: string;
  /** node_modules exists in the folder. */
  hasNodeModules: boolean;
}

const LOCKFILES: Array<[string, PackageManager]> = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['package-lock.json', 'npm'],
  ['yarn.lock', 'yarn'],
];

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Read an app folder: scripts, the package manager (lockfile, else package.json `packageManager`, else npm), node_modules. */
export async function inspectNodeProject(dir: string): Promise<NodeProject> {
  let pkg: { scripts?: Record<string, string>; packageManager?: string } | undefined;
  try {
    pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    pkg = undefined;
  }
  let packageManager: PackageManager | undefined;
  let lockfile: string | undefined;
  for (let d = dir; !packageManager; d = dirname(d)) {
    for (const [file, pm] of LOCKFILES) {
      if (await exists(join(d, file))) {
        packageManager = pm;
        lockfile = join(d, file);
        break;
      }
    }
    if (dirname(d) === d || (await exists(join(d, '.git')))) break;
  }
  const declared = /^(pnpm|npm|yarn)@/.exec(pkg?.packageManager ?? '')?.[1] as PackageManager | undefined;
  const hasNodeModules = await stat(join(dir, 'node_modules')).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return { dir, scripts: pkg ? (pkg.scripts ?? {}) : undefined, packageManager: packageManager ?? declared ?? 'npm', lockfile, hasNodeModules };
}

/** The full path of an executable found on PATH, or undefined. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const d of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(d, name);
    if (await access(p, constants.X_OK).then(() => true, () => false)) return p;
  }
  return undefined;
}

/** Whether a folder exists. */
export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
