import { checkPidFile, removePidFile, tildify, type PidRecord } from '@frameworks/sdk';
import type { DevApp } from './apps.js';
import { devPaths } from './paths.js';

/** The pid file of a dev server, with what the CLI adds to the SDK's record. */
export interface DevRecord extends PidRecord {
  app: DevApp;
  dir: string;
  port: number;
  url: string;
  log: string;
  package_manager: string;
  gateway_url: string;
}

export type DevState = { running: true; record: DevRecord } | { running: false; stale?: string };

/**
 * Whether the app's dev server runs, from its pid file. A pid file whose process is gone, or whose
 * pid now belongs to another program (same pid, other start time), is stale: removed, and said.
 */
export async function devState(app: DevApp, env: NodeJS.ProcessEnv = process.env): Promise<DevState> {
  const { pidFile } = devPaths(app, env);
  const s = await checkPidFile(pidFile);
  if (s.state === 'none') return { running: false };
  if (s.state === 'running') return { running: true, record: s.record as DevRecord };
  await removePidFile(pidFile);
  if (s.state === 'unreadable') return { running: false, stale: `Removed the unreadable pid file ${tildify(pidFile)}.` };
  const was = `pid ${s.record.pid} (${s.record.command.join(' ')})`;
  const why = s.reason === 'gone' ? 'that process is gone' : `that pid now belongs to another program (${s.now_running || 'unknown'}), which was left alone`;
  return { running: false, stale: `Removed the stale pid file ${tildify(pidFile)}: it named ${was}, but ${why}.` };
}
