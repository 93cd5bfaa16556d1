/**
 * A small ext4 filesystem of its own (a loop device, as root): to fill up (ENOSPC) and to hold
 * immutable files (chattr +i), without touching the machine's real disks. CI runs as root with
 * /dev/loop-control. umount() is safe to call twice and after a failed mount.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoopFs {
  /** Where it is mounted. */
  dir: string;
  /** Write zeros until the filesystem is full (root's reserved blocks included). */
  fill(): Promise<void>;
  /** Remove what fill() wrote. */
  unfill(): void;
  umount(): Promise<void>;
}

export async function mountLoopFs(sizeMiB = 4): Promise<LoopFs> {
  const base = mkdtempSync(join(tmpdir(), 'fw-loopfs-'));
  const img = join(base, 'fs.img');
  const dir = join(base, 'mnt');
  mkdirSync(dir);
  let mounted = false;
  const umount = async () => {
    if (mounted) {
      // Immutable files are not an obstacle to umount; a lazy umount survives a test that left a process inside.
      await run('umount', ['-l', dir]).catch(() => undefined);
      mounted = false;
    }
    rmSync(base, { recursive: true, force: true });
  };
  try {
    await run('truncate', ['-s', `${sizeMiB}M`, img]);
    await run('mkfs.ext4', ['-q', '-F', img]);
    await run('mount', ['-o', 'loop', img, dir]);
    mounted = true;
  } catch (err) {
    await umount();
    throw new Error(`cannot mount a loop filesystem (root and /dev/loop-control needed): ${(err as Error).message}`, { cause: err });
  }
  const fillers: string[] = [];
  return {
    dir,
    async fill() {
      // dd stops with "No space left on device": that is the point. ext4 gives back the blocks it held
      // for delayed allocation once synced, so fill again until no block is free (root's reserve included).
      for (let i = 0; i < 20; i++) {
        const filler = join(dir, `filler-${fillers.length}`);
        fillers.push(filler);
        await run('dd', ['if=/dev/zero', `of=${filler}`, i === 0 ? 'bs=64k' : 'bs=1k']).catch(() => undefined);
        await run('sync', []);
        if (i > 0 && statSync(filler).size === 0) return; // not one more byte fits
      }
      throw new Error(`could not fill ${dir}`);
    },
    unfill() {
      for (const f of fillers.splice(0)) rmSync(f, { force: true });
    },
    umount,
  };
}
