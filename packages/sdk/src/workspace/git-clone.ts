import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ExitCode, FrameworksError } from '../errors.js';
import { LocalExecutor } from '../exec/local.js';
import type { Executor } from '../exec/types.js';
import { reasonOf, stderrTail } from '../tool-output.js';
import { maskUrl } from './url.js';
import { pidExists } from '../proc/pid-exists.js';

export interface CloneOptions {
  url: string;
  dest: string;
  ref?: string;
  depth?: number;
  signal?: AbortSignal;
  /** git's --progress lines ("Receiving objects:  45% (9/20)"), one phase at a time. */
  onProgress?: (line: string) => void;
  executor?: Executor;
}

/** The last complete progress line in a chunk of git's stderr (phases are redrawn with \r). */
export function gitProgressLine(chunk: string): string | undefined {
  const lines = chunk.split(/[\r\n]+/).map((l) => l.replace(/^remote:\s*/, '').trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) if (/^[A-Z][\w ]+:\s+\d+%/.test(lines[i]) || /^Cloning into/.test(lines[i])) return lines[i];
  return undefined;
}

/**
 * `git clone` into a hidden sibling of `dest`, renamed into place only when the clone is complete:
 * a URL that does not exist, a dropped connection or Ctrl-C leaves no half-cloned folder. The URL
 * goes to git as an argument (never through a shell) and is masked in every message.
 */
export async function cloneRepository(o: CloneOptions): Promise<{ display: string }> {
  const executor = o.executor ?? new LocalExecutor();
  const parent = dirname(o.dest);
  await mkdir(parent, { recursive: true });
  await removeStaleClones(parent, basename(o.dest));
  const tmp = join(parent, `.${basename(o.dest)}.clone-${process.pid}-${randomBytes(3).toString('hex')}`);
  const argv = ['git', 'clone', '--progress', ...(o.depth ? ['--depth', String(o.depth)] : []), ...(o.ref ? ['--branch', o.ref] : []), '--', o.url, tmp];
  try {
    const r = await executor.run(argv, {
      signal: o.signal,
      env: { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' },
      onStderr: (c) => {
        const line = gitProgressLine(c);
        if (line && o.onProgress) o.onProgress(line);
      },
    });
    if (r.code !== 0) {
      // git's first `fatal:` line says why ("does not appear to be a git repository"); later ones are boilerplate.
      const why = /^fatal: .*$/m.exec(r.stderr)?.[0] ?? (reasonOf(r.stderr) || `git exited with ${r.code}`);
      throw new FrameworksError(`Cloning ${maskUrl(o.url)} failed: ${why}`, {
        code: 'CLONE_FAILED',
        exitCode: unreachable(r.stderr) ? ExitCode.NETWORK : ExitCode.FAILED,
        suggestions: [`git ls-remote ${maskUrl(o.url)}`],
        detail: stderrTail(r.stderr),
      });
    }
    await rename(tmp, o.dest);
    return { display: r.display };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The server could not be reached (exit 6), as opposed to a repository that is not there (exit 1). */
function unreachable(stderr: string): boolean {
  if (/does not appear to be a git repository|not found|does not exist|repository .* not found/i.test(stderr)) return false;
  return /could not resolve|connection refused|timed out|failed to connect|unable to access|unable to connect|connection reset/i.test(stderr);
}

/** Hidden clone folders of an earlier run that was killed (kill -9): their pid is gone. */
async function removeStaleClones(parent: string, name: string): Promise<void> {
  const prefix = `.${name}.clone-`;
  for (const entry of await readdir(parent).catch(() => [] as string[])) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (pid && pid !== process.pid && pidExists(pid)) continue;
    await rm(join(parent, entry), { recursive: true, force: true });
  }
}


/** Move a finished file (a built binary) into place in one rename; the folder is made when missing. */
export async function placeFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await rename(from, to);
}

export async function removePath(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

export async function mtimeMs(path: string): Promise<number | undefined> {
  return (await stat(path).catch(() => undefined))?.mtimeMs;
}

export async function makeDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}

/**
 * Copy a finished file into place through a temp sibling and one rename, executable: readers (and a
 * Ctrl-C) see the old file or the new one, never half of one.
 */
export async function installFile(from: string, to: string, signal?: AbortSignal): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const tmp = join(dirname(to), `.${basename(to)}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`);
  try {
    await copyFile(from, tmp);
    await chmod(tmp, 0o755);
    signal?.throwIfAborted();
    await rename(tmp, to);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Whether two files hold the same bytes (size first, then content); a missing one is never the same. */
export async function sameContent(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  if (!sa || !sb || sa.size !== sb.size) return false;
  const [ba, bb] = await Promise.all([readFile(a), readFile(b)]);
  return ba.equals(bb);
}
