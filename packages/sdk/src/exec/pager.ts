import { spawnSync } from 'node:child_process';

/**
 * Show text through the user's pager (a shell command line such as `less -FRX`, as $PAGER is).
 * Returns false when the pager could not run or failed, so the caller prints the text itself.
 */
export function showInPager(text: string, pager: string): boolean {
  const r = spawnSync(pager, { shell: true, input: text, stdio: ['pipe', 'inherit', 'inherit'] });
  return !r.error && r.status === 0;
}
