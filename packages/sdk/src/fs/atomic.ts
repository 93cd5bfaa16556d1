import { chmod, mkdir, stat } from 'node:fs/promises';
import { LocalExecutor } from '../exec/local.js';
import { writeAllOrNothing } from './write-all-or-nothing.js';

/**
 * Write one file on this machine so that readers see either the old or the new content, never a torn
 * one: the one writer (writeAllOrNothing) with a single file. A symlink is written through to its target.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  await writeAllOrNothing(new LocalExecutor(), [{ path, content: data, mode }]);
}

/** Create the folder (and its parents) when missing; an existing one is left as it is. */
export async function ensureDir(dir: string, mode = 0o755): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
}

/** Create the folder with 0700 when missing; tighten it when it exists with a wider mode. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await stat(dir);
  if ((st.mode & 0o077) !== 0) await chmod(dir, 0o700);
}
