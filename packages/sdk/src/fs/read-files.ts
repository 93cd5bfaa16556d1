import { readFile } from 'node:fs/promises';
import { ExitCode, FrameworksError } from '../errors.js';
import { quoteArg as q } from '../exec/quote.js';
import type { Executor } from '../exec/types.js';

function unreadable(executor: Executor, path: string, reason: string, cause?: unknown): FrameworksError {
  return new FrameworksError(`Cannot read ${path}${executor.name === 'local' ? '' : ` on ${executor.name}`}: ${reason}`, {
    code: 'FILE_UNREADABLE',
    exitCode: ExitCode.FAILED,
    cause,
    suggestions: [`ls -l ${q(path)}   # check its permissions, or choose another folder with --dir`],
  });
}

/**
 * The content of each file, or undefined where none exists: locally with node:fs, on another host in
 * one round trip (base64 per file, so any byte survives the trip).
 */
export async function readFilesIfPresent(executor: Executor, paths: string[]): Promise<Array<string | undefined>> {
  if (executor.name === 'local') {
    return Promise.all(
      paths.map(async (p) => {
        try {
          return await readFile(p, 'utf8');
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
          throw unreadable(executor, p, (err as Error).message, err);
        }
      }),
    );
  }
  if (!paths.length) return [];
  const script = paths
    .map((p, i) =>
      [
        `p=${q(p)}`,
        `if [ ! -e "$p" ]; then echo '=M ${i}'`,
        `elif [ -f "$p" ] && [ -r "$p" ]; then echo '=F ${i}'; base64 < "$p" || exit 1`,
        `else echo '=U ${i}'; fi`,
      ].join('\n'),
    )
    .join('\n');
  const r = await executor.run(['sh', '-s'], { input: `export LC_ALL=C\n${script}\n` });
  if (r.code !== 0) throw unreadable(executor, paths[0], r.stderr.trim() || `exit ${r.code}`);
  const out: Array<string | undefined> = paths.map(() => undefined);
  // Base64 lines never start with "=", so "=X i" lines cannot be confused with data.
  let current = -1;
  const chunks: string[][] = paths.map(() => []);
  for (const line of r.stdout.split('\n')) {
    const m = /^=([MFU]) (\d+)$/.exec(line);
    if (m) {
      current = m[1] === 'F' ? Number(m[2]) : -1;
      if (m[1] === 'U') throw unreadable(executor, paths[Number(m[2])], 'permission denied, or not a regular file');
      if (m[1] === 'F') out[current] = '';
      continue;
    }
    if (current >= 0) chunks[current].push(line);
  }
  for (const [i, c] of chunks.entries()) if (out[i] !== undefined) out[i] = Buffer.from(c.join(''), 'base64').toString('utf8');
  return out;
}
