import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '../log.js';
import { processGroupMembers } from './proc-info.js';

export interface GroupStopResult {
  /** The last signal sent: SIGKILL when SIGTERM did not stop every member within the grace time. */
  signal: 'SIGTERM' | 'SIGKILL' | 'none';
  /** No member left. */
  stopped: boolean;
  /** Members still alive (only when not stopped). */
  left: number[];
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nobody left in the group
  }
}

async function waitEmpty(pgid: number, until: number): Promise<number[]> {
  for (;;) {
    const left = await processGroupMembers(pgid);
    if (left.length === 0 || Date.now() >= until) return left;
    await sleep(50);
  }
}

/** Stop a whole process group: SIGTERM, then SIGKILL to whoever is left after `graceMs`. */
export async function stopProcessGroup(pgid: number, graceMs: number): Promise<GroupStopResult> {
  if ((await processGroupMembers(pgid)).length === 0) return { signal: 'none', stopped: true, left: [] };
  trace(`kill -TERM -${pgid}`);
  signalGroup(pgid, 'SIGTERM');
  let left = await waitEmpty(pgid, Date.now() + graceMs);
  if (left.length === 0) return { signal: 'SIGTERM', stopped: true, left };
  trace(`kill -KILL -${pgid} (${left.length} left after ${graceMs} ms)`);
  signalGroup(pgid, 'SIGKILL');
  left = await waitEmpty(pgid, Date.now() + 3000);
  return { signal: 'SIGKILL', stopped: left.length === 0, left };
}
