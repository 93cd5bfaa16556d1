import { isAbsolute, join, resolve } from 'node:path';
import type { ResolvedContext } from '@frameworks/sdk';

/** Where a workspace lives and how the CLI knew: shared by every command of this plugin. */
export interface WorkspaceDir {
  dir: string;
  source: 'flag' | 'env' | 'context' | 'default';
}

export const DEFAULT_WORKSPACE = 'frameworks-workspace';

/** --dir > FRAMEWORKS_WORKSPACE_DIR > the context's workspace.dir > ./frameworks-workspace; always absolute. */
export function resolveWorkspaceDir(flag: string | undefined, ctx: ResolvedContext | undefined, cwd = process.cwd()): WorkspaceDir {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  if (flag?.trim()) return { dir: abs(flag.trim()), source: 'flag' };
  const env = process.env.FRAMEWORKS_WORKSPACE_DIR?.trim();
  if (env) return { dir: abs(env), source: 'env' };
  const fromCtx = ctx?.config.workspace?.dir;
  if (fromCtx) return { dir: abs(fromCtx), source: 'context' };
  return { dir: join(cwd, DEFAULT_WORKSPACE), source: 'default' };
}

/** The folders inside a workspace: the two clones side by side (as upstream's dev compose expects), bin/ for binaries. */
export function workspaceLayout(dir: string) {
  return {
    monorepo: join(dir, 'monorepo'),
    mistserver: join(dir, 'mistserver'),
    bin: join(dir, 'bin'),
    staging: join(dir, '.build'),
  };
}
