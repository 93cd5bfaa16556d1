import { isAbsolute, join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { FrameworksCommand, marks, renderKeyValues } from '@frameworks/cli-kit';
import { parseDuration, tildify, type ResolvedContext } from '@frameworks/sdk';
import { resolveWorkspaceDir, workspaceLayout } from './workspace-dir.js';
import { DEV_APPS, devCommand, type DevApp, type DevAppSpec } from '../devserver/apps.js';
import { errors } from '../devserver/errors.js';

/**
 * The four verbs of `web dev` and `marketing dev`. The two apps differ only in folder, default port
 * and wording (devserver/apps.ts), so each verb is one class here; the command files name the app
 * and take their help text from the `*Text(app)` helpers.
 */
export abstract class DevCommand extends FrameworksCommand<typeof DevCommand> {
  static app: DevApp;

  protected get app(): DevApp {
    return (this.constructor as typeof DevCommand).app;
  }

  protected get spec(): DevAppSpec {
    return DEV_APPS[this.app];
  }
}

interface Text {
  summary: string;
  description: string;
  examples: Array<{ description: string; command: string }>;
}

const sentence = (s: string) => s[0].toUpperCase() + s.slice(1);

/**
 * --dir, else the app's folder in the monorepo clone of the context's workspace (`workspace.dir`, recorded by
 * `workspace init`, which clones the monorepo into <dir>/monorepo).
 */
/** --dir names the app itself; else the app's folder in the workspace (FRAMEWORKS_WORKSPACE_DIR, the context's workspace.dir). */
function appDir(app: DevApp, flag: string | undefined, ctx: ResolvedContext): { dir: string; from: string } {
  if (flag) return { dir: isAbsolute(flag) ? flag : resolve(flag), from: '--dir' };
  const ws = resolveWorkspaceDir(undefined, ctx);
  if (ws.source === 'default') throw errors.dirRequired(app, DEV_APPS[app].folder);
  return { dir: join(workspaceLayout(ws.dir).monorepo, DEV_APPS[app].folder), from: `the workspace ${tildify(ws.dir)}` };
}

// ------------------------------------------------------------------------------------------- up

export function upText(app: DevApp): Text {
  const spec = DEV_APPS[app];
  return {
    summary: `Start the ${spec.title} dev server in the background; wait until it answers.`,
    description: [
      `Runs the app's "dev" script with its package manager (pnpm, npm or yarn, from the lockfile) in a process group of its own,`,
      `with PORT and --port set to the port and ${spec.gatewayVariable} to the current context's gateway endpoint.`,
      `Its pid file and log are FRAMEWORKS_HOME/dev/${app}.pid and ${app}.log. The command waits until the port answers HTTP,`,
      'then prints the URL; a server that exits first or does not answer in time is stopped, with the last lines of its log.',
      'A port already held by another program is named (pid and command) before anything starts.',
      `--dir defaults to monorepo/${spec.folder} in the workspace recorded by \`frameworks workspace init\`.`,
    ].join('\n'),
    examples: [
      { description: `Start the ${spec.title} from a monorepo checkout`, command: `<%= config.bin %> ${app} dev up --dir ~/src/monorepo/${spec.folder}` },
      { description: 'Start it on another port, installing its dependencies first', command: `<%= config.bin %> ${app} dev up --port ${spec.defaultPort + 1} --install` },
      { description: 'Show what would run, start nothing', command: `<%= config.bin %> ${app} dev up --dry-run` },
    ],
  };
}

export function upFlags(app: DevApp) {
  const spec = DEV_APPS[app];
  return {
    dir: Flags.string({ description: `The app folder (default: ${spec.folder} in the workspace of the context).` }),
    port: Flags.integer({ min: 1, max: 65535, description: `Port of the dev server (default ${spec.defaultPort}).` }),
    install: Flags.boolean({ description: 'Install the dependencies first when node_modules is missing (pnpm install, npm install, …).' }),
    timeout: Flags.string({ default: '60s', description: 'How long to wait for the first HTTP answer (install included): 90s, 2m.' }),
    'dry-run': Flags.boolean({ description: 'Show the folder, commands and environment; start nothing.' }),
  };
}

export abstract class DevUp extends DevCommand {
  static override mutating = true;

  async run() {
    const { devUp } = await import('../devserver/up.js');
    const { app, spec } = this;
    const f = this.flags as unknown as { dir?: string; port?: number; install: boolean; timeout: string; 'dry-run': boolean };
    const timeoutMs = parseDuration(f.timeout, '--timeout');
    const ctx = await this.context();
    const { dir, from } = appDir(app, f.dir, ctx);
    const port = f.port ?? spec.defaultPort;
    this.auditTargets = [`${app}:${port}`];
    const progress = this.progress();
    const r = await devUp({
      spec,
      dir,
      dirFrom: from,
      port,
      portGiven: f.port !== undefined,
      gatewayUrl: ctx.endpoints.gateway.value,
      install: Boolean(f.install),
      timeoutMs,
      dryRun: Boolean(f['dry-run']),
      argv: this.argv.filter((a) => a !== '--json'),
      onWait: (what, deadline) => progress.wait(what, deadline),
      warning: (m, code) => this.warning(m, code),
      signal: this.interrupted,
    });
    progress.stop();
    if (r.dry_run) {
      this.out(`Would start the ${spec.title} dev server in ${tildify(r.dir)}:`);
      if (r.install_command) this.out(`  $ ${r.install_command.join(' ')}`);
      this.out(`  $ PORT=${r.port} ${spec.gatewayVariable}=${r.gateway_url} ${r.command.join(' ')}`);
      this.out(`  pid file ${tildify(r.pid_file)}, log ${tildify(r.log)}; then wait for ${r.url}`);
      return r;
    }
    if (r.already_running) this.success(`The ${spec.title} dev server already runs at ${r.url} (pid ${r.pid}).`);
    else this.success(`${sentence(spec.title)} dev server at ${r.url} (pid ${r.pid}; HTTP ${r.http_status} after ${((r.ready_ms ?? 0) / 1000).toFixed(1)} s)`);
    this.info(`  log ${tildify(r.log)}`);
    this.next(`${devCommand(app, 'logs')} -f`, devCommand(app, 'down'));
    return r;
  }
}

// ----------------------------------------------------------------------------------------- down

export function downText(app: DevApp): Text {
  const spec = DEV_APPS[app];
  return {
    summary: `Stop the ${spec.title} dev server (its whole process group).`,
    description: `SIGTERM to the process group started by \`${app} dev up\`, SIGKILL to whatever is left after --timeout. Nothing running is not an error (exit 0); a stale pid file is removed.`,
    examples: [
      { description: `Stop the ${spec.title} dev server`, command: `<%= config.bin %> ${app} dev down` },
      { description: 'Give it 30 s to stop before SIGKILL', command: `<%= config.bin %> ${app} dev down --timeout 30s` },
    ],
  };
}

export const downFlags = {
  timeout: Flags.string({ default: '10s', description: 'How long SIGTERM may take before SIGKILL: 5s, 1m.' }),
  'dry-run': Flags.boolean({ description: 'Say what would be stopped; stop nothing.' }),
};

export abstract class DevDown extends DevCommand {
  static override mutating = true;

  async run() {
    const { devDown } = await import('../devserver/down.js');
    const { app, spec } = this;
    const f = this.flags as unknown as { timeout: string; 'dry-run': boolean };
    const graceMs = parseDuration(f.timeout, '--timeout');
    this.auditTargets = [app];
    const r = await devDown(app, { graceMs, dryRun: Boolean(f['dry-run']), warning: (m, code) => this.warning(m, code) });
    if (!r.was_running) this.out(`The ${spec.title} dev server is not running; nothing to stop.`);
    else if (r.dry_run) this.out(`Would stop the ${spec.title} dev server: process group ${r.pgid} (pid ${r.pid}).`);
    else this.success(`Stopped the ${spec.title} dev server (pid ${r.pid}, process group ${r.pgid}, ${r.signal}).`);
    return r;
  }
}

// --------------------------------------------------------------------------------------- status

export function statusText(app: DevApp): Text {
  const spec = DEV_APPS[app];
  return {
    summary: `Whether the ${spec.title} dev server runs, where, since when, if it answers.`,
    description: 'Reads the pid file (checked against the process start time: a stale one is removed, with a warning) and sends one GET to the URL.',
    examples: [
      { description: `Show the ${spec.title} dev server`, command: `<%= config.bin %> ${app} dev status` },
      { description: 'As JSON', command: `<%= config.bin %> ${app} dev status --json` },
    ],
  };
}

export abstract class DevStatus extends DevCommand {
  async run() {
    const { devStatus } = await import('../devserver/status.js');
    const { formatDuration } = await import('@frameworks/sdk');
    const { app, spec } = this;
    const r = await devStatus(app, { warning: (m, code) => this.warning(m, code) });
    if (!r.running) {
      this.out(`The ${spec.title} dev server is not running.`);
      this.next(`${devCommand(app, 'up')} --dir <the app folder>`);
      return r;
    }
    const http = r.answering ? `${marks.ok()} HTTP ${r.http_status}` : `${marks.fail()} no answer (${r.http_error})`;
    this.out(
      renderKeyValues([
        ['running', `yes (pid ${r.pid})`],
        ['url', r.url ?? '-'],
        ['port', String(r.port)],
        ['uptime', formatDuration((r.uptime_s ?? 0) * 1000)],
        ['http', http],
        ['dir', tildify(r.dir ?? '-')],
        ['log', tildify(r.log)],
      ]),
    );
    if (!r.answering) this.warning(`The ${spec.title} dev server runs but does not answer HTTP at ${r.url}.`, 'DEV_NOT_ANSWERING');
    return r;
  }
}

// ----------------------------------------------------------------------------------------- logs

export function logsText(app: DevApp): Text {
  const spec = DEV_APPS[app];
  return {
    summary: `The ${spec.title} dev server's log: the last lines, or follow it.`,
    description: `FRAMEWORKS_HOME/dev/${app}.log: the output of the last \`${app} dev up\` (install included). --follow streams new lines until Ctrl-C.`,
    examples: [
      { description: 'The last 50 lines', command: `<%= config.bin %> ${app} dev logs -n 50` },
      { description: 'Follow the log until Ctrl-C', command: `<%= config.bin %> ${app} dev logs -f` },
    ],
  };
}

export const logsFlags = {
  follow: Flags.boolean({ char: 'f', description: 'Stream new lines until Ctrl-C.', exclusive: ['json'] }),
  lines: Flags.integer({ char: 'n', min: 0, default: 100, description: 'How many lines from the end.' }),
};

export abstract class DevLogs extends DevCommand {
  async run() {
    const { tailFile, followLines } = await import('@frameworks/sdk');
    const { devPaths } = await import('../devserver/paths.js');
    const { app } = this;
    const f = this.flags as unknown as { follow: boolean; lines: number };
    const { logFile } = devPaths(app);
    const tail = await tailFile(logFile, f.lines);
    if (tail === undefined) throw errors.noLog(app, logFile);
    for (const l of tail.lines) this.out(l);
    // From where the tail ended: a line written meanwhile is printed once, never lost.
    if (f.follow) await followLines(logFile, (l) => this.out(l), this.interrupted, tail.size);
    return { app, log: logFile, lines: tail.lines };
  }
}
