import { ExitCode, FrameworksError, type Executor } from '@frameworks/sdk';
import { repoState, type RepoState } from './repo-state.js';

export interface RepoOutcome {
  name: string;
  path: string;
  url: string;
  action: 'cloned' | 'fetched' | 'would-clone' | 'would-fetch';
  state: RepoState;
  /** Uncommitted files on a clone that was only fetched: left untouched. */
  left_untouched: boolean;
}

export interface CloneOrFetchOptions {
  executor: Executor;
  name: string;
  url: string;
  path: string;
  ref?: string;
  depth?: number;
  dryRun?: boolean;
  signal?: AbortSignal;
  onProgress: (line: string) => void;
}

/**
 * A missing clone is cloned (all or nothing); an existing one is only fetched, so a dirty working tree is
 * never touched; a folder that is there but is not a clone is refused.
 */
export async function cloneOrFetch(o: CloneOrFetchOptions): Promise<RepoOutcome> {
  const { cloneRepository, gitProgressLine, maskUrl } = await import('@frameworks/sdk/workspace');
  const shown = maskUrl(o.url);
  const before = await repoState(o.executor, o.name, o.path);
  if (!before.present) {
    const entries = await o.executor.run(['ls', '-A', o.path]);
    if (entries.code === 0 && entries.stdout.trim()) {
      throw new FrameworksError(`${o.path} exists and is not a git clone: ${o.name} cannot be cloned there, and nothing in it was touched.`, {
        code: 'WORKSPACE_NOT_A_CLONE',
        exitCode: ExitCode.FAILED,
        suggestions: [`ls -A ${o.path}`, `frameworks workspace init --dir <another folder>`],
      });
    }
    if (o.dryRun) return { name: o.name, path: o.path, url: shown, action: 'would-clone', state: before, left_untouched: false };
    o.onProgress(`Cloning ${shown}`);
    await cloneRepository({ url: o.url, dest: o.path, ref: o.ref, depth: o.depth, signal: o.signal, executor: o.executor, onProgress: o.onProgress });
    return { name: o.name, path: o.path, url: shown, action: 'cloned', state: await repoState(o.executor, o.name, o.path), left_untouched: false };
  }
  const dirty = before.dirty.length > 0;
  if (o.dryRun) return { name: o.name, path: o.path, url: shown, action: 'would-fetch', state: before, left_untouched: dirty };
  o.onProgress(`Fetching ${o.name}`);
  const r = await o.executor.run(['git', '-C', o.path, 'fetch', '--progress', '--prune', 'origin'], {
    signal: o.signal,
    env: { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' },
    onStderr: (c) => {
      const line = gitProgressLine(c);
      if (line) o.onProgress(line);
    },
  });
  if (r.code !== 0) {
    const { reasonOf, stderrTail } = await import('@frameworks/sdk/compose');
    throw new FrameworksError(`Fetching ${o.name} (${o.path}) failed: ${reasonOf(r.stderr) || `git exited with ${r.code}`}`, {
      code: 'FETCH_FAILED',
      exitCode: ExitCode.NETWORK,
      suggestions: [`git -C ${o.path} fetch origin`, `git -C ${o.path} remote -v`],
      detail: stderrTail(r.stderr),
    });
  }
  return { name: o.name, path: o.path, url: shown, action: 'fetched', state: await repoState(o.executor, o.name, o.path), left_untouched: dirty };
}
