import type { Executor } from '@frameworks/sdk';

/** Local tags workspace builds create (never pushed): `frameworks-helmsman:<tag>`, `frameworks-mistserver:<tag>`. */
export const HELMSMAN_IMAGE = 'frameworks-helmsman';
export const MIST_IMAGE = 'frameworks-mistserver';

export interface LocalImage {
  ref: string;
  id: string;
  created: string;
  used_by: string[];
}

/** The workspace's images in the engine; undefined when the engine cannot be asked. */
export async function localImages(ex: Executor): Promise<LocalImage[] | undefined> {
  const argv = ['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}'];
  for (const r of [HELMSMAN_IMAGE, MIST_IMAGE, 'mistserver']) argv.push('--filter', `reference=${r}`);
  try {
    const r = await ex.run(argv, { timeoutMs: 10_000 });
    if (r.code !== 0) return undefined;
    return r.stdout
      .split('\n')
      .filter((l) => l.trim() && !l.includes('<none>'))
      .map((l) => {
        const [ref, id, created] = l.split('\t');
        return { ref, id, created, used_by: [] };
      });
  } catch {
    return undefined;
  }
}

/** Which stack files name each image (exactly, as `image: ref` or an env value). */
export async function markUsers(ex: Executor, images: LocalImage[], files: string[]): Promise<void> {
  const contents = await Promise.all(files.map((f) => ex.readFile(f).catch(() => undefined)));
  for (const img of images) {
    const re = new RegExp(`(^|[\\s=:"'])${img.ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.:@/-])`, 'm');
    img.used_by = files.filter((_f, i) => contents[i] !== undefined && re.test(contents[i]!));
  }
}
