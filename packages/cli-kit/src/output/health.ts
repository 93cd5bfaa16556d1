import { paint } from './style.js';

/**
 * The one status vocabulary of every check (context check, services health, edge status, doctor):
 * ok — answers and is healthy; degraded — answers but not fully (starting, a warning); down — does
 * not answer or reports unhealthy; unknown — nothing to tell. The raw word goes to a detail column
 * and stays in --json beside it (`condition`).
 */
export type Condition = 'ok' | 'degraded' | 'down' | 'unknown';
export const CONDITIONS: readonly Condition[] = ['ok', 'degraded', 'down', 'unknown'];

const LOOK: Record<Condition, { mark: string; style: 'green' | 'yellow' | 'red' | 'dim' }> = {
  ok: { mark: '✓', style: 'green' },
  degraded: { mark: '⚠', style: 'yellow' },
  down: { mark: '✗', style: 'red' },
  unknown: { mark: '?', style: 'dim' },
};

/** `✓ ok`, `⚠ degraded`, `✗ down`, `? unknown`, coloured on a terminal. */
export function conditionCell(c: Condition, stream: NodeJS.WriteStream = process.stdout): string {
  return paint(`${LOOK[c].mark} ${c}`, LOOK[c].style, stream);
}

/**
 * The condition of a raw health word from a server or an engine: healthy/ok/serving/up/running →
 * ok; starting/degraded/warn(ing)/draining → degraded; unhealthy/down/failed/not_serving/exited/dead
 * → down; anything else (none, unknown, empty) → unknown.
 */
export function conditionOf(raw: string | null | undefined): Condition {
  const w = (raw ?? '').trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (['healthy', 'ok', 'serving', 'up', 'running', 'pass', 'active'].includes(w)) return 'ok';
  if (['starting', 'degraded', 'warn', 'warning', 'draining', 'restarting', 'paused'].includes(w)) return 'degraded';
  if (['unhealthy', 'down', 'failed', 'fail', 'not_serving', 'exited', 'dead', 'unreachable', 'error'].includes(w)) return 'down';
  return 'unknown';
}
