import { ExitCode, FrameworksError } from '../errors.js';
import type { Executor } from '../exec/types.js';

export interface SpaceNeed {
  /** Folder whose filesystem must hold `bytes`. */
  path: string;
  what: string;
  bytes: number;
}

export interface SpaceCheck {
  path: string;
  what: string;
  mount: string;
  needed_bytes: number;
  available_bytes: number;
}

const gib = (n: number): string => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : `${(n / (1 << 20)).toFixed(1)} MiB`);

/**
 * `df -Pk` of every folder on the target; needs on one filesystem add up. Too little room is
 * BUNDLE_NO_SPACE (exit 1) before anything is uploaded or loaded. Undefined when df cannot tell.
 */
export async function checkFreeSpace(ex: Executor, needs: SpaceNeed[]): Promise<SpaceCheck[] | undefined> {
  const r = await ex.run(['df', '-Pk', ...needs.map((n) => n.path)]);
  if (r.code !== 0) return undefined;
  const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  if (rows.length !== needs.length) return undefined;
  const byMount = new Map<string, number>();
  const checks = needs.map((n, i) => {
    const mount = rows[i][5] ?? rows[i][0];
    byMount.set(mount, (byMount.get(mount) ?? 0) + n.bytes);
    return { path: n.path, what: n.what, mount, needed_bytes: n.bytes, available_bytes: Number(rows[i][3]) * 1024 };
  });
  for (const c of checks) {
    const needed = byMount.get(c.mount)!;
    if (needed > c.available_bytes) {
      throw new FrameworksError(
        `Not enough space on ${ex.name} for ${c.what}: ${gib(needed)} needed on ${c.mount} (${c.path}), ${gib(c.available_bytes)} free. Nothing was uploaded or loaded.`,
        { code: 'BUNDLE_NO_SPACE', exitCode: ExitCode.FAILED, result: checks, suggestions: [`df -h ${c.path}`, 'docker image prune   # or free space, or pass --tmp-dir on a larger filesystem'] },
      );
    }
    c.needed_bytes = needed;
  }
  return checks;
}
