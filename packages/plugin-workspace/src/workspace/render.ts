import type { RepoOutcome } from './clone-or-fetch.js';
import type { RepoState } from './repo-state.js';

const VERB: Record<RepoOutcome['action'], string> = { cloned: 'Cloned', fetched: 'Fetched', 'would-clone': 'Would clone', 'would-fetch': 'Would fetch' };

export function repoLine(o: RepoOutcome): string {
  return `${VERB[o.action]} ${o.name} (${o.url}) → ${o.path}${o.state.present ? `: ${stateSummary(o.state)}` : ''}`;
}

/** `main @ 1a2b3c4, 2 dirty, ↑1 ↓3` */
export function stateSummary(s: RepoState): string {
  const parts = [`${s.branch ?? '(detached)'} @ ${s.commit?.slice(0, 7) ?? '(no commit)'}`];
  parts.push(s.dirty.length ? `${s.dirty.length} dirty` : 'clean');
  if (s.ahead !== null) parts.push(`ahead ${s.ahead}, behind ${s.behind}`);
  else parts.push('no upstream');
  return parts.join(', ');
}
