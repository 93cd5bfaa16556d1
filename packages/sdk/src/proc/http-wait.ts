import { setTimeout as sleep } from 'node:timers/promises';
import { rawGet, type RawAnswer } from '../clients/raw-http.js';

export type HttpWaitResult = { outcome: 'answered'; answer: RawAnswer; ms: number } | { outcome: 'exited'; ms: number } | { outcome: 'timeout'; ms: number; last?: RawAnswer };

export interface HttpWaitOptions {
  /** Epoch ms. */
  deadline: number;
  /** Asked between tries: false ends the wait at once (the server died). */
  alive?: () => Promise<boolean>;
  signal?: AbortSignal;
  /** Pause between tries (default 50 ms: a dev server's first answer is what the user waits for). */
  intervalMs?: number;
}

/** Wait until `url` answers HTTP at all (any status), the process behind it dies, or the deadline passes. */
export async function waitForHttp(url: string, o: HttpWaitOptions): Promise<HttpWaitResult> {
  const started = Date.now();
  let last: RawAnswer | undefined;
  for (;;) {
    const left = o.deadline - Date.now();
    if (left <= 0) return { outcome: 'timeout', ms: Date.now() - started, last };
    last = await rawGet(new URL(url), { timeoutMs: Math.min(left, 5000), maxBody: 64 * 1024, ...(o.signal ? { signal: o.signal } : {}) });
    if (last.status > 0) return { outcome: 'answered', answer: last, ms: Date.now() - started };
    if (o.signal?.aborted) return { outcome: 'timeout', ms: Date.now() - started, last };
    if (o.alive && !(await o.alive())) return { outcome: 'exited', ms: Date.now() - started };
    await sleep(o.intervalMs ?? 50);
  }
}
