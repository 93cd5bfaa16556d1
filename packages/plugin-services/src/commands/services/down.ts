import { Flags } from '@oclif/core';
import { lockFlags } from '@frameworks/cli-kit';
import { ServicesCommand, runFlags, type HostContext } from '../../lib/services-command.js';

export default class ServicesDown extends ServicesCommand<typeof ServicesDown> {
  static override summary = 'Stop the planned central services (or just those of --only).';
  static override description = `Stop the planned central services (docker compose down; with --only, stop and remove just those).

Without --only: docker compose -p <project> -f … down (containers and the project network; volumes are kept). With --only: docker compose … rm --stop --force <services>, so the other services keep running.

Asks for confirmation unless --yes; without a terminal (CI, --json, --no-input) it needs --yes (exit 2 otherwise).`;

  static override examples = [
    { description: 'Stop every planned central service', command: '<%= config.bin %> services down --yes' },
    { description: 'Stop only Purser; the others keep running', command: '<%= config.bin %> services down --only purser --yes' },
  ];

  static override flags = {
    ...runFlags,
    ...lockFlags,
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation.' }),
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const { resolveServiceList, openProject } = await import('../../lib/stack.js');
    const what = this.flags.only?.length ? `Stop and remove ${this.flags.only.join(',')}` : 'Stop and remove every planned central service';
    if (!this.flags.yes) {
      const { promptConfirm } = await import('@frameworks/cli-kit/prompts');
      const where = this.sshTargets().length ? ` on ${this.sshTargets().map((t) => t.spec).join(', ')}` : '';
      if (!(await promptConfirm(this.promptContext, `${what}${where}?`, '--yes'))) {
        this.info('Nothing was stopped.');
        return { stopped: false };
      }
    }
    const outcomes = await this.onHosts((h: HostContext) =>
      this.withLock(h, async () => {
        const list = await resolveServiceList(h.executor, h.dir, this.flags.only, this.flags.project);
        const project = await openProject(h.executor, h.dir, list);
        if (list.source === 'only') {
          const { ExitCode, FrameworksError } = await import('@frameworks/sdk');
          const c = await project.compose();
          const argv = [...c.argv, '-p', project.name, '--project-directory', project.workingDir, ...project.files.flatMap((f) => ['-f', f]), ...(project.envFile ? ['--env-file', project.envFile] : []), 'rm', '--stop', '--force', ...list.services];
          const r = await h.executor.run(argv);
          if (r.code !== 0) {
            throw new FrameworksError(`Stopping ${list.services.join(', ')} failed: ${r.stderr.trim().split('\n').slice(-3).join(' ') || `exit ${r.code}`}`, { code: 'COMPOSE_FAILED', exitCode: ExitCode.FAILED, suggestions: [r.display] });
          }
        } else {
          await project.down();
        }
        this.success(`${this.prefix(h)}Stopped ${list.services.join(', ')} (project ${list.project}).`);
        return { dir: h.dir, project: list.project, services: list.services, scope: list.source === 'only' ? 'only' : 'project' };
      }),
    );
    const rows = this.settle(outcomes, 'services down');
    return rows.length === 1 ? { stopped: true, host: rows[0].host, ...rows[0].result! } : { stopped: true, hosts: rows };
  }
}
