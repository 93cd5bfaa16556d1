import type { Dialer } from './dialer.js';

/**
 * A tunnelled Dialer that connects on its first `forward()`: a run that sends nothing (--dry-run,
 * bad input) opens no SSH connection, and one that does opens exactly one. A failed connect is
 * the error of every later forward() too (one attempt per run).
 */
export function lazyDialer(describe: string, open: () => Promise<Dialer>): Dialer {
  let opened: Promise<Dialer> | undefined;
  return {
    describe,
    tunnelled: true,
    forward: async (host, port) => (await (opened ??= open())).forward(host, port),
    close: async () => {
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}
