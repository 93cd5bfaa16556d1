import { posix } from 'node:path';
import { ExitCode, FrameworksError } from '../errors.js';
import { quoteArg } from '../exec/quote.js';
import type { Executor } from '../exec/types.js';
import { tildify } from '../paths.js';

/** Why a write failed, as errno names; the SSH side recognises them from the remote stderr (LC_ALL=C). */
export type WriteFailure = 'ENOSPC' | 'EACCES' | 'EPERM' | 'EROFS' | 'OTHER';

const STDERR: Array<[RegExp, WriteFailure]> = [
  [/No space left on device|Disk quota exceeded/i, 'ENOSPC'],
  [/Read-only file system/i, 'EROFS'],
  [/Operation not permitted/i, 'EPERM'],
  [/Permission denied/i, 'EACCES'],
];

export function failureOfErrno(code: string | undefined): WriteFailure {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'ENOSPC';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return code;
  return 'OTHER';
}

export function failureOfStderr(stderr: string): WriteFailure {
  return STDERR.find(([re]) => re.test(stderr))?.[1] ?? 'OTHER';
}

export interface WriteFailureContext {
  executor: Executor;
  /** The file that could not be written (its real path). */
  path: string;
  failure: WriteFailure;
  /** The system's own words (errno message or the last stderr line). */
  reason: string;
  /** True when every file is as it was (failure before the renames, or the renames were undone). */
  untouched: boolean;
  /** Files whose previous content could not be put back, with where it was kept. */
  lost?: Array<{ path: string; backup: string }>;
}

/** `df -Pk` of the folder: which filesystem, where it is mounted, how much is free. */
async function whereOnDisk(executor: Executor, dir: string): Promise<string | undefined> {
  try {
    const r = await executor.run(['df', '-Pk', '--', dir]);
    const line = r.stdout.trim().split('\n')[1];
    if (r.code !== 0 || !line) return undefined;
    const cols = line.trim().split(/\s+/);
    const avail = Number(cols[3]);
    const free = Number.isFinite(avail) ? `${avail >= 1024 ? `${(avail / 1024).toFixed(1)} MiB` : `${avail} KiB`} free` : '';
    return `filesystem ${cols[0]} mounted on ${cols.slice(5).join(' ')}${free ? `, ${free}` : ''}`;
  } catch {
    return undefined;
  }
}

/** `ssh [-p port] user@host ` for hints that run on the host (names are user@host[:port]). */
function sshPrefix(name: string): string {
  if (name === 'local') return '';
  const m = /^(.*):(\d+)$/.exec(name);
  return m ? `ssh -p ${m[2]} ${quoteArg(m[1])} ` : `ssh ${quoteArg(name)} `;
}

/** One error per failure class, each with its own code and a runnable hint. */
export async function writeFailureError(c: WriteFailureContext): Promise<FrameworksError> {
  const dir = posix.dirname(c.path);
  const on = c.executor.name === 'local' ? '' : ` on ${c.executor.name}`;
  const shown = tildify(c.path);
  const outcome = c.lost?.length
    ? ` Some files could not be put back: ${c.lost.map((l) => `${l.path} (its previous content is in ${l.backup})`).join(', ')}.`
    : c.untouched
      ? ' Nothing was changed: every existing file is as it was.'
      : '';
  const ssh = sshPrefix(c.executor.name);
  switch (c.failure) {
    case 'ENOSPC': {
      const where = await whereOnDisk(c.executor, dir);
      return new FrameworksError(`Cannot write ${shown}${on}: the disk is full (${dir}${where ? `: ${where}` : ''}).${outcome}`, {
        code: 'DISK_FULL',
        exitCode: ExitCode.FAILED,
        suggestions: [`${ssh}df -h ${quoteArg(dir)}   # free space on that filesystem, then re-run`],
      });
    }
    case 'EROFS':
      return new FrameworksError(`Cannot write ${shown}${on}: the filesystem holding ${dir} is mounted read-only.${outcome}`, {
        code: 'READ_ONLY_FILESYSTEM',
        exitCode: ExitCode.FAILED,
        suggestions: [`${ssh}findmnt -T ${quoteArg(dir)}   # which mount; remount it read-write or choose another folder`],
      });
    case 'EPERM': {
      const why = `the operation is not permitted (${c.reason}); an immutable or append-only file refuses every change, even root's`;
      return new FrameworksError(`Cannot write ${shown}${on}: ${why}.${outcome}`, {
        code: 'WRITE_PERMISSION_DENIED',
        exitCode: ExitCode.FAILED,
        suggestions: [`${ssh}lsattr ${quoteArg(c.path)}   # an "i" or "a" flag: chattr -i ${quoteArg(c.path)} if it was not set on purpose`],
      });
    }
    case 'EACCES':
      return new FrameworksError(`Cannot write ${shown}${on}: permission denied (${c.reason}).${outcome}`, {
        code: 'WRITE_PERMISSION_DENIED',
        exitCode: ExitCode.FAILED,
        suggestions: [`${ssh}ls -ld ${quoteArg(dir)} ${quoteArg(c.path)}   # run as the owner of the folder, or choose another one`],
      });
    default:
      return new FrameworksError(`Cannot write ${shown}${on}: ${c.reason}.${outcome}`, {
        code: 'WRITE_FAILED',
        exitCode: ExitCode.FAILED,
        suggestions: [`${ssh}ls -ld ${quoteArg(dir)}   # check that the folder exists and can be written`],
      });
  }
}
