import { ensurePrivateDir, removePidFile, stopProcessGroup, withFileLock } from '@frameworks/sdk';
import type { DevApp } from './apps.js';
import { errors } from './errors.js';
import { devPaths } from './paths.js';
import { devState } from './state.js';

export interface DownResult {
  app: DevApp;
  was_running: boolean;
  pid: number | null;
  pgid: number | null;
  /** The last signal sent to the group. */
  signal: 'SIGTERM' | 'SIGKILL' | 'none';
  dry_run: boolean;
}

/** Stop the app's dev server: its whole process group, SIGTERM then SIGKILL after `graceMs`; the pid file goes. */
export async function devDown(app: DevApp, o: { graceMs: number; dryRun: boolean; env?: NodeJS.ProcessEnv; warning: (m: string, code: string) => void }): Promise<DownResult> {
  const { dir, pidFile } = devPaths(app, o.env);
  await ensurePrivateDir(dir);
  return withFileLock(
    pidFile,
    async () => {
      const state = await devState(app, o.env);
      if (!state.running) {
        if (state.stale) o.warning(state.stale, 'DEV_STALE_PID_FILE');
        return { app, was_running: false, pid: null, pgid: null, signal: 'none' as const, dry_run: o.dryRun };
      }
      const { pid, pgid } = state.record;
      if (o.dryRun) return { app, was_running: true, pid, pgid, signal: 'none' as const, dry_run: true };
      const r = await stopProcessGroup(pgid, o.graceMs);
      if (!r.stopped) throw errors.stopFailed(app, pgid, r.left);
      await removePidFile(pidFile);
      return { app, was_running: true, pid, pgid, signal: r.signal, dry_run: false };
    },
    { onWarning: (m) => o.warning(m, 'STALE_LOCK_TAKEN_OVER') },
  );
}
