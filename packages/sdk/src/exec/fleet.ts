import { isFrameworksError, type FrameworksError } from '../errors.js';

export interface HostOutcome<T> {
  /** "local" or the --ssh spec. */
  host: string;
  ok: boolean;
  value?: T;
  error?: FrameworksError | Error;
  durationMs: number;
}

/**
 * Run `task` for every host with at most `parallel` at a time. A host's failure never stops the
 * others: every host gets an outcome, in the order the hosts were given.
 */
export async function runBounded<H, T>(
  hosts: H[],
  label: (h: H) => string,
  task: (h: H) => Promise<T>,
  parallel = 10,
): Promise<HostOutcome<T>[]> {
  const results: HostOutcome<T>[] = new Array(hosts.length);
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const i = next++;
      const started = performance.now();
      try {
        const value = await task(hosts[i]);
        results[i] = { host: label(hosts[i]), ok: true, value, durationMs: Math.round(performance.now() - started) };
      } catch (err) {
        results[i] = { host: label(hosts[i]), ok: false, error: err as Error, durationMs: Math.round(performance.now() - started) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, hosts.length)) }, worker));
  return results;
}

export function outcomeErrorCode(o: HostOutcome<unknown>): string | undefined {
  return o.error && isFrameworksError(o.error) ? o.error.code : o.error ? 'FAILED' : undefined;
}
