import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { writeAllOrNothing, type WriteAllResult } from '../fs/write-all-or-nothing.js';
import type { Executor } from './types.js';

/**
 * Copy a local folder to `remoteDir` through an executor (over SSH: one all-or-nothing write), so a
 * control host runs exactly the files committed here. `skip(rel)` leaves out paths (relative, with /)
 * that belong to the host itself: state, caches, saved plans.
 */
export async function uploadTree(executor: Executor, localDir: string, remoteDir: string, skip: (rel: string, isDir: boolean) => boolean = () => false): Promise<WriteAllResult> {
  const files: Array<{ path: string; content: string; mode: number }> = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const rel = relative(localDir, full).split(sep).join('/');
      if (skip(rel, entry.isDirectory())) continue;
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push({ path: posix.join(remoteDir, rel), content: await readFile(full, 'utf8'), mode: (await stat(full)).mode & 0o777 });
    }
  };
  await walk(localDir);
  return writeAllOrNothing(executor, files, { createDirs: true });
}
