import {
  ensurePrivateDir,
  findOnPath,
  inspectNodeProject,
  isDirectory,
  portListener,
  processAlive,
  processGroupMembers,
  removePidFile,
  runToLog,
  spawnBackground,
  stopProcessGroup,
  tailLines,
  waitForHttp,
  withFileLock,
  writePidFile,
  type PackageManager,
} from '@frameworks/sdk';
import { type DevAppSpec } from './apps.js';
import { errors } from './errors.js';
import { devPaths } from './paths.js';
import { devState, type DevRecord } from './state.js';

export interface UpInput {
  spec: DevAppSpec;
  /** Absolute app folder, and where it came from (--dir, the workspace). */
  dir: string;
  dirFrom: string;
  port: number;
  /** --port was given (an app already running elsewhere is then an error, not an answer). */
  portGiven: boolean;
  gatewayUrl: string;
  install: boolean;
  timeoutMs: number;
  dryRun: boolean;
  /** The flags as typed, repeated in hints. */
  argv: string[];
  env?: NodeJS.ProcessEnv;
  onWait?: (what: string, deadline: number) => void;
  warning: (message: string, code: string) => void;
  signal?: AbortSignal;
}

export interface UpResult {
  app: string;
  url: string;
  port: number;
  pid: number | null;
  pgid: number | null;
  dir: string;
  log: string;
  pid_file: string;
  package_manager: PackageManager;
  command: string[];
  install_command: string[] | null;
  gateway_url: string;
  already_running: boolean;
  dry_run: boolean;
  http_status: number | null;
  ready_ms: number | null;
}

/** How the package manager runs the `dev` script with a port: npm needs `--` before the script's own flags. */
export function devArgv(pm: PackageManager, bin: string, port: number): string[] {
  return pm === 'npm' ? [bin, 'run', 'dev', '--', '--port', String(port)] : [bin, 'run', 'dev', '--port', String(port)];
}

export function devUrl(port: number): string {
  return `http://localhost:${port}/`;
}

function fromRecord(r: DevRecord, pidFile: string): UpResult {
  return {
    app: r.app,
    url: r.url,
    port: r.port,
    pid: r.pid,
    pgid: r.pgid,
    dir: r.dir,
    log: r.log,
    pid_file: pidFile,
    package_manager: r.package_manager as PackageManager,
    command: r.command,
    install_command: null,
    gateway_url: r.gateway_url,
    already_running: true,
    dry_run: false,
    http_status: null,
    ready_ms: null,
  };
}

/** Start the app's dev server in the background and wait until it answers HTTP (one run at a time per app). */
export async function devUp(o: UpInput): Promise<UpResult> {
  const { dir, pidFile } = devPaths(o.spec.app, o.env);
  await ensurePrivateDir(dir);
  // The pid file's lock: two `up`s of one app never both start a server.
  return withFileLock(pidFile, () => startLocked(o), { onWarning: (m) => o.warning(m, 'STALE_LOCK_TAKEN_OVER') });
}

async function startLocked(o: UpInput): Promise<UpResult> {
  const app = o.spec.app;
  const env = o.env ?? process.env;
  const { pidFile, logFile } = devPaths(app, env);
  const state = await devState(app, env);
  if (state.running) {
    if (o.portGiven && state.record.port !== o.port) throw errors.alreadyRunning(app, state.record.pid, state.record.url);
    return fromRecord(state.record, pidFile);
  }
  if (state.stale) o.warning(state.stale, 'DEV_STALE_PID_FILE');

  if (!(await isDirectory(o.dir))) throw errors.dirNotFound(app, o.dir, o.dirFrom);
  const project = await inspectNodeProject(o.dir);
  if (!project.scripts) throw errors.notAnApp(app, o.dir, 'no readable package.json');
  if (!project.scripts.dev) throw errors.notAnApp(app, o.dir, 'its package.json has no "dev" script');

  // Before anything starts: a port held by another program is named, with the program.
  const holder = await portListener(o.port);
  if (holder) {
    const who = holder.pid === undefined ? `a process this user cannot see (listening on ${holder.address})` : `pid ${holder.pid} (${holder.command ? holder.command.replace(/\s+/g, ' ').slice(0, 200) : 'unknown command'})`;
    throw errors.portInUse(app, o.port, who, holder.pid, o.port + 1);
  }

  const pm = project.packageManager;
  const bin = await findOnPath(pm, env);
  if (!bin) throw errors.packageManagerMissing(pm, project.lockfile);
  const installArgv = !project.hasNodeModules && o.install ? [bin, 'install'] : null;
  if (!project.hasNodeModules && !o.install) throw errors.depsMissing(app, o.dir, pm, o.argv);
  const argv = devArgv(pm, bin, o.port);
  const url = devUrl(o.port);
  const childEnv: NodeJS.ProcessEnv = { ...env, PORT: String(o.port), [o.spec.gatewayVariable]: o.gatewayUrl, BROWSER: 'none' };
  const base = {
    app,
    url,
    port: o.port,
    dir: o.dir,
    log: logFile,
    pid_file: pidFile,
    package_manager: pm,
    command: argv,
    install_command: installArgv,
    gateway_url: o.gatewayUrl,
    already_running: false,
  };
  if (o.dryRun) return { ...base, pid: null, pgid: null, dry_run: true, http_status: null, ready_ms: null };

  const deadline = Date.now() + o.timeoutMs;
  if (installArgv) {
    o.onWait?.(`Installing the ${o.spec.title}'s dependencies with ${pm}`, deadline);
    const r = await runToLog({ argv: installArgv, cwd: o.dir, env: childEnv, logFile, ...(o.signal ? { signal: o.signal } : {}) });
    if (r.exitCode !== 0) throw errors.installFailed(app, pm, r.exitCode, logFile, await tailLines(logFile, 15));
  }

  const started = Date.now();
  const proc = await spawnBackground({ argv, cwd: o.dir, env: childEnv, logFile });
  const record: DevRecord = {
    ...base,
    pid: proc.pid,
    pgid: proc.pgid,
    ...(proc.startTicks === undefined ? {} : { start_ticks: proc.startTicks }),
    started_at: new Date().toISOString(),
    command: argv,
  };
  await writePidFile(pidFile, record);

  o.onWait?.(`Waiting for the ${o.spec.title} to answer at ${url}`, deadline);
  // The group, not the leader: npm may exit while what it started still runs (it never should, but then we wait on).
  const alive = async () => (await processAlive(proc.pid)) || (await processGroupMembers(proc.pgid)).length > 0;
  const waited = await waitForHttp(url, { deadline, alive, ...(o.signal ? { signal: o.signal } : {}) });
  if (waited.outcome === 'answered') {
    return { ...base, pid: proc.pid, pgid: proc.pgid, dry_run: false, http_status: waited.answer.status, ready_ms: Date.now() - started };
  }
  // Nothing half up is left behind: stop whatever is left of the group and forget it.
  await stopProcessGroup(proc.pgid, 3000);
  await removePidFile(pidFile);
  const tail = await tailLines(logFile, 15);
  if (waited.outcome === 'exited') throw errors.exited(app, logFile, tail);
  throw errors.timeout(app, url, Math.round(o.timeoutMs / 1000), logFile, tail);
}
