import { rawGet } from '@frameworks/sdk';
import type { DevApp } from './apps.js';
import { devPaths } from './paths.js';
import { devState } from './state.js';

export interface StatusResult {
  app: DevApp;
  running: boolean;
  pid: number | null;
  port: number | null;
  url: string | null;
  dir: string | null;
  log: string;
  started_at: string | null;
  uptime_s: number | null;
  /** The HTTP status of GET <url> (null: not running or no answer). */
  http_status: number | null;
  answering: boolean;
  http_error: string | null;
}

/** Whether the dev server runs (pid file checked against the process), and whether it answers HTTP. */
export async function devStatus(app: DevApp, o: { env?: NodeJS.ProcessEnv; warning: (m: string, code: string) => void }): Promise<StatusResult> {
  const { logFile } = devPaths(app, o.env);
  const state = await devState(app, o.env);
  const none = { app, pid: null, port: null, url: null, dir: null, log: logFile, started_at: null, uptime_s: null, http_status: null, answering: false, http_error: null };
  if (!state.running) {
    if (state.stale) o.warning(state.stale, 'DEV_STALE_PID_FILE');
    return { ...none, running: false };
  }
  const r = state.record;
  const answer = await rawGet(new URL(r.url), { timeoutMs: 3000, maxBody: 64 * 1024 });
  return {
    app,
    running: true,
    pid: r.pid,
    port: r.port,
    url: r.url,
    dir: r.dir,
    log: r.log,
    started_at: r.started_at,
    uptime_s: Math.max(0, Math.round((Date.now() - Date.parse(r.started_at)) / 1000)),
    http_status: answer.status || null,
    answering: answer.status > 0,
    http_error: answer.status > 0 ? null : (answer.error ?? 'no answer'),
  };
}
