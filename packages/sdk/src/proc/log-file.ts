import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** The last `n` lines of a text file (reads at most its last 1 MiB); undefined when there is no file. */
export async function tailLines(path: string, n: number): Promise<string[] | undefined> {
  return (await tailFile(path, n))?.lines;
}

/** The last `n` lines and the size they end at: where a follow (`followLines`) goes on without a gap. */
export async function tailFile(path: string, n: number): Promise<{ lines: string[]; size: number } | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, 1024 * 1024);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return { lines: n <= 0 ? [] : lines.slice(-n), size };
  } finally {
    await fh.close();
  }
}

/**
 * Follow a file as it grows (tail -f): every new complete line goes to `onLine`, until `signal`
 * aborts. Starts at `from` (a byte offset, default: the current end). A file truncated by a new run
 * is read again from its start.
 */
export async function followLines(path: string, onLine: (line: string) => void, signal: AbortSignal, from?: number): Promise<void> {
  let offset = from ?? (await stat(path)).size;
  let partial = '';
  while (!signal.aborted) {
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size < offset) offset = 0;
    if (size > offset) {
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(size - offset);
        await fh.read(buf, 0, buf.length, offset);
        offset = size;
        const lines = (partial + buf.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      } finally {
        await fh.close();
      }
    }
    await sleep(200, undefined, { signal }).catch(() => undefined);
  }
}
