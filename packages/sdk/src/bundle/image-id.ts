import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { listTar, readRange, type TarEntry } from './tar.js';

/**
 * The image id a `docker save` archive will load as: the sha256 of its config blob, named by the
 * archive's own manifest.json (legacy `<id>.json` and OCI `blobs/sha256/<id>` layouts alike). Read
 * from the bundle before anything is loaded, so a bundle whose ids do not match loads nothing.
 */
export async function savedImageIds(fh: FileHandle, file: string, member: TarEntry): Promise<string[]> {
  const inner = await listTar(fh, `${file}:${member.path}`, member.offset, member.size);
  const m = inner.find((e) => e.path === 'manifest.json');
  if (!m) return [];
  let doc: Array<{ Config?: string }>;
  try {
    doc = JSON.parse((await readRange(fh, m.offset, m.size)).toString('utf8')) as Array<{ Config?: string }>;
  } catch {
    return [];
  }
  const ids: string[] = [];
  for (const image of Array.isArray(doc) ? doc : []) {
    const config = inner.find((e) => e.path === image.Config);
    if (!config) continue;
    ids.push(`sha256:${createHash('sha256').update(await readRange(fh, config.offset, config.size)).digest('hex')}`);
  }
  return ids;
}
