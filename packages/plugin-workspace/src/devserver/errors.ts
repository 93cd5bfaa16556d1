import { ExitCode, FrameworksError, tildify, usageError } from '@frameworks/sdk';
import { DEV_APPS, devCommand, type DevApp } from './apps.js';

const title = (app: DevApp) => DEV_APPS[app].title;

/** The last lines of a log as one block, indented, for an error's detail. */
export function logTail(lines: string[] | undefined): string {
  return (lines ?? []).join('\n');
}

export const errors = {
  dirRequired: (app: DevApp, folder: string) =>
    usageError(
      `No app folder: give --dir, or record a workspace (its ${folder} folder is then the default).`,
      [`${devCommand(app, 'up')} --dir ~/src/monorepo/${folder}`, 'frameworks workspace init'],
      'DEV_DIR_REQUIRED',
    ),
  dirNotFound: (app: DevApp, dir: string, from: string) =>
    usageError(`The app folder ${tildify(dir)} (${from}) does not exist.`, [`${devCommand(app, 'up')} --dir <the app folder>`], 'DEV_DIR_NOT_FOUND'),
  notAnApp: (app: DevApp, dir: string, why: string) =>
    usageError(`${tildify(dir)} is not an app this command can run: ${why}.`, [`${devCommand(app, 'up')} --dir <a folder whose package.json has a "dev" script>`], 'DEV_APP_INVALID'),
  portInUse: (app: DevApp, port: number, holder: string, pid: number | undefined, suggestPort: number) =>
    new FrameworksError(`Port ${port} is already in use by ${holder}; nothing was started.`, {
      code: 'DEV_PORT_IN_USE',
      suggestions: [`${devCommand(app, 'up')} --port ${suggestPort}`, ...(pid === undefined ? [`ss -ltnp 'sport = :${port}'`] : [`kill ${pid}   # then run up again`])],
    }),
  alreadyRunning: (app: DevApp, pid: number, url: string) =>
    new FrameworksError(`The ${title(app)} dev server already runs (pid ${pid}, ${url}) on another port.`, {
      code: 'DEV_ALREADY_RUNNING',
      suggestions: [devCommand(app, 'down'), devCommand(app, 'status')],
    }),
  packageManagerMissing: (pm: string, lockfile: string | undefined) =>
    new FrameworksError(`${pm} is not installed (or not on PATH), and ${lockfile ? `${tildify(lockfile)} says the app uses it` : 'the app asks for it'}.`, {
      code: 'DEV_PACKAGE_MANAGER_MISSING',
      suggestions: pm === 'npm' ? ['Install Node.js 22 with npm (https://nodejs.org)'] : [`corepack enable ${pm}`, `npm install --global ${pm}`],
    }),
  depsMissing: (app: DevApp, dir: string, pm: string, argv: string[]) =>
    new FrameworksError(`The app's dependencies are not installed (no node_modules in ${tildify(dir)}).`, {
      code: 'DEV_DEPENDENCIES_MISSING',
      suggestions: [[devCommand(app, 'up'), ...argv, '--install'].join(' '), `cd ${tildify(dir)} && ${pm} install`],
    }),
  installFailed: (app: DevApp, pm: string, code: number | null, log: string, tail: string[] | undefined) =>
    new FrameworksError(`${pm} install failed (exit ${code ?? 'by a signal'}); the dev server was not started.${tail?.length ? ` Last lines of ${tildify(log)}:\n${logTail(tail)}` : ''}`, {
      code: 'DEV_INSTALL_FAILED',
      suggestions: [`${devCommand(app, 'logs')} -n 50`],
      detail: logTail(tail),
    }),
  exited: (app: DevApp, log: string, tail: string[] | undefined) =>
    new FrameworksError(`The ${title(app)} dev server exited before it answered HTTP.${tail?.length ? ` Last lines of ${tildify(log)}:\n${logTail(tail)}` : ` ${tildify(log)} is empty.`}`, {
      code: 'DEV_SERVER_EXITED',
      suggestions: [`${devCommand(app, 'logs')} -n 50`],
      detail: logTail(tail),
    }),
  timeout: (app: DevApp, url: string, seconds: number, log: string, tail: string[] | undefined) =>
    new FrameworksError(`The ${title(app)} dev server did not answer HTTP at ${url} within ${seconds} s; it was stopped.${tail?.length ? ` Last lines of ${tildify(log)}:\n${logTail(tail)}` : ''}`, {
      code: 'DEV_SERVER_TIMEOUT',
      exitCode: ExitCode.NETWORK,
      suggestions: [`${devCommand(app, 'up')} --timeout ${Math.max(120, seconds * 2)}s`, `${devCommand(app, 'logs')} -n 50`],
      detail: logTail(tail),
    }),
  stopFailed: (app: DevApp, pgid: number, left: number[]) =>
    new FrameworksError(`Process group ${pgid} of the ${title(app)} dev server did not stop, even after SIGKILL (pids ${left.join(', ')} left).`, {
      code: 'DEV_STOP_FAILED',
      suggestions: [`ps -o pid,stat,cmd -g ${pgid}`],
    }),
  noLog: (app: DevApp, log: string) =>
    new FrameworksError(`No log yet: ${tildify(log)} does not exist (the ${title(app)} dev server has not been started here).`, {
      code: 'DEV_LOG_NOT_FOUND',
      suggestions: [`${devCommand(app, 'up')} --dir <the app folder>`],
    }),
};
