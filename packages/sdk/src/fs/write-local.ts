import { constants } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, open, readdir, readlink, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { isLegacyTempName, isSideName, isStaleLegacyTemp } from './temp-names.js';
import { failureOfErrno } from './write-errors.js';
import { StepFailure, type Backend, type Entry, type Inspection, type Target, type WriteHooks } from './write-plan.js';

const reasonOf = (err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')}` : e.message;
};
const quietly = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch {
    // cleanup: what is already gone is fine
  }
};

/** Follow symlinks (up to 40, like the kernel) to the file that is really written; a dangling link gives its target. */
async function realTarget(path: string): Promise<string> {
  let p = posix.resolve(path);
  for (let i = 0; i < 40; i++) {
    let st;
    try {
      st = await lstat(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = posix.resolve(posix.dirname(p), await readlink(p));
  }
  throw new StepFailure('OTHER', 0, `${path}: too many levels of symbolic links`, true);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Some filesystems refuse fsync on a folder; the renames are atomic all the same.
  }
}

/** The transaction on this machine, with node:fs (errno codes, real fsync). */
export function localBackend(hooks: WriteHooks = {}): Backend {
  return {
    async inspect(paths): Promise<Inspection> {
      const targets: Target[] = [];
      const missing = new Set<string>();
      const sides = new Set<string>();
      const listed = new Set<string>();
      const legacy: string[] = [];
      for (const path of paths) {
        const real = await realTarget(path);
        let kind: Target['kind'] = 'missing';
        try {
          kind = (await stat(real)).isFile() ? 'file' : 'other';
        } catch {
          // missing
        }
        targets.push({ path, real, kind });
        const up: string[] = [];
        for (let d = posix.dirname(real); !(await exists(d)); d = posix.dirname(d)) up.unshift(d);
        for (const d of up) missing.add(d);
        const dir = posix.dirname(real);
        if (up.length || listed.has(dir)) continue;
        listed.add(dir);
        try {
          for (const name of await readdir(dir)) {
            if (isSideName(name)) sides.add(posix.join(dir, name));
            else if (isLegacyTempName(name)) {
              const st = await lstat(posix.join(dir, name)).catch(() => undefined);
              if (st?.isFile() && isStaleLegacyTemp(name, st.mtimeMs)) legacy.push(posix.join(dir, name));
            }
          }
        } catch {
          // an unreadable folder will fail the write with its own reason
        }
      }
      return { targets, missingDirs: [...missing].sort((a, b) => a.length - b.length), sideFiles: [...sides], legacyTemps: legacy };
    },

    async stage(entries: Entry[], o) {
      for (const s of o.stale) await quietly(unlink(s));
      const created: string[] = [];
      const written: string[] = [];
      const undo = async () => {
        for (const t of written) await quietly(unlink(t));
        for (const d of [...created].reverse()) await quietly(rmdir(d));
      };
      for (const d of o.createDirs) {
        try {
          await mkdir(d, { mode: 0o755 });
          created.push(d);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
          await undo();
          throw new StepFailure(failureOfErrno((err as NodeJS.ErrnoException).code), -1, `${d}: ${reasonOf(err)}`, true);
        }
      }
      for (const [i, e] of entries.entries()) {
        try {
          const fh = await open(e.tmp, 'wx', 0o600);
          written.push(e.tmp);
          try {
            await fh.writeFile(e.content, 'utf8');
            await fh.sync();
          } finally {
            await fh.close();
          }
          await chmod(e.tmp, e.mode); // the mode given to open() is narrowed by the umask
        } catch (err) {
          await undo();
          throw new StepFailure(failureOfErrno((err as NodeJS.ErrnoException).code), i, reasonOf(err), true);
        }
      }
      return { dirsCreated: created };
    },

    async commit(entries: Entry[]) {
      const cleanup = async (from: number) => {
        for (const e of entries.slice(from)) {
          await quietly(unlink(e.tmp));
          if (e.existed) await quietly(unlink(e.bak));
        }
      };
      // A second name for every file about to be replaced: a hard link (no copy), else a copy.
      for (const [i, e] of entries.entries()) {
        if (!e.existed) continue;
        try {
          await link(e.real, e.bak).catch(() => copyFile(e.real, e.bak, constants.COPYFILE_EXCL));
        } catch (err) {
          await cleanup(0);
          throw new StepFailure(failureOfErrno((err as NodeJS.ErrnoException).code), i, reasonOf(err), true);
        }
      }
      for (const [i, e] of entries.entries()) {
        try {
          await hooks.beforeRename?.(i, e.real);
          await rename(e.tmp, e.real);
        } catch (err) {
          // Put back what this run already replaced; a new file is removed again.
          const lost: Array<{ path: string; backup: string }> = [];
          for (const done of entries.slice(0, i).reverse()) {
            try {
              if (done.existed) await rename(done.bak, done.real);
              else await unlink(done.real);
            } catch {
              if (done.existed) lost.push({ path: done.real, backup: done.bak });
            }
          }
          await cleanup(i);
          throw new StepFailure(failureOfErrno((err as NodeJS.ErrnoException).code), i, reasonOf(err), lost.length === 0, lost);
        }
      }
      for (const e of entries) if (e.existed) await quietly(unlink(e.bak));
      for (const dir of new Set(entries.map((e) => posix.dirname(e.real)))) await fsyncDir(dir);
    },

    async removeDirs(dirs) {
      for (const d of [...dirs].reverse()) await quietly(rmdir(d));
    },
  };
}
