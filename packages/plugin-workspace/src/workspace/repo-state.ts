import type { Executor } from '@frameworks/sdk';
import { maskUrl } from '@frameworks/sdk/workspace';

/** One clone of the workspace as `git status` sees it. */
export interface RepoState {
  name: string;
  path: string;
  present: boolean;
  branch: string | null;
  commit: string | null;
  upstream: string | null;
  ahead: number | null;
  behind: number | null;
  dirty: string[];
  remote: string | null;
}

/** `git status --porcelain=v2 --branch`: branch, commit, upstream, ahead/behind and changed paths in one call. */
export function parsePorcelainV2(stdout: string): Pick<RepoState, 'branch' | 'commit' | 'upstream' | 'ahead' | 'behind' | 'dirty'> {
  const s: Pick<RepoState, 'branch' | 'commit' | 'upstream' | 'ahead' | 'behind' | 'dirty'> = { branch: null, commit: null, upstream: null, ahead: null, behind: null, dirty: [] };
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    if (line.startsWith('# branch.oid ')) s.commit = line.slice(13) === '(initial)' ? null : line.slice(13);
    else if (line.startsWith('# branch.head ')) s.branch = line.slice(14) === '(detached)' ? null : line.slice(14);
    else if (line.startsWith('# branch.upstream ')) s.upstream = line.slice(18);
    else if (line.startsWith('# branch.ab ')) {
      const m = /\+(\d+) -(\d+)/.exec(line);
      if (m) [s.ahead, s.behind] = [Number(m[1]), Number(m[2])];
    } else if (line.startsWith('1 ')) s.dirty.push(line.split(' ').slice(8).join(' '));
    else if (line.startsWith('2 ')) s.dirty.push(line.split(' ').slice(9).join(' ').split('\t')[0]);
    else if (line.startsWith('u ')) s.dirty.push(line.split(' ').slice(10).join(' '));
    else if (line.startsWith('? ')) s.dirty.push(line.slice(2));
  }
  return s;
}

/** The state of one clone; a folder that is not there is `present: false`, never an error. */
export async function repoState(executor: Executor, name: string, path: string): Promise<RepoState> {
  const empty: RepoState = { name, path, present: false, branch: null, commit: null, upstream: null, ahead: null, behind: null, dirty: [], remote: null };
  if (!(await executor.exists(`${path}/.git`))) return empty;
  const [status, remote] = await Promise.all([
    executor.run(['git', '-C', path, 'status', '--porcelain=v2', '--branch', '--untracked-files=normal']),
    executor.run(['git', '-C', path, 'remote', 'get-url', 'origin']),
  ]);
  if (status.code !== 0) return empty;
  return { ...empty, present: true, ...parsePorcelainV2(status.stdout), remote: remote.code === 0 ? maskUrl(remote.stdout.trim()) : null };
}
