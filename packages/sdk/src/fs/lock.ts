import { ExitCode, FrameworksError } from '../errors.js';

/**
 * Run `fn` while holding an advisory lock on `path` (a `<path>.lock` folder, proper-lockfile).
 * Concurrent frameworks processes serialise their read-modify-write cycles, so none loses
 * another's change. A lock older than 10 s is considered stale (crashed holder) and taken over.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const { lock } = await import('proper-lockfile');
  let release: () => Promise<void>;
  try {
    release = await lock(path, {
      realpath: false,
      stale: 10_000,
      update: 2_000,
      retries: { retries: 200, factor: 1.3, minTimeout: 5, maxTimeout: 150, randomize: true },
    });
  } catch (err) {
    throw new FrameworksError(`Could not lock ${path}: another frameworks process holds it.`, {
      code: 'LOCK_TIMEOUT',
      exitCode: ExitCode.FAILED,
      suggestions: [`Retry in a moment; if no frameworks command is running, remove ${path}.lock`],
      cause: err,
    });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
