import { Flags } from '@oclif/core';
import { DevCommand } from '../../../lib/dev-command.js';

export default class DevDown extends DevCommand<typeof DevDown> {
  static override summary = 'Stop the dev stack; volumes are kept unless --volumes.';
  static override description = `docker compose down on the dev project (frameworks-dev): containers and its network go, named volumes stay unless --volumes. With --only, stop and remove just those services. When nothing runs, it says so and exits 0.`;

  static override examples = [
    { description: 'Stop the dev stack, keep its data', command: '<%= config.bin %> workspace dev down' },
    { description: 'Stop it and delete its volumes', command: '<%= config.bin %> workspace dev down --volumes' },
  ];

  static override flags = {
    volumes: Flags.boolean({ description: "Delete the project's named volumes too." }),
  };

  static override mutating = true;

  async run() {
    const { FrameworksError, ExitCode } = await import('@frameworks/sdk');
    const { project, monorepo } = await this.devProject();
    this.auditTargets = [monorepo];
    const running = await project.list({ services: this.flags.only });
    if (!running.length) {
      this.success(`Nothing runs in ${project.name}${this.flags.only ? ` (${this.flags.only.join(', ')})` : ''}: nothing to stop.`);
      return { project: project.name, stopped: [], volumes_removed: false, was_running: false };
    }
    const services = [...new Set(running.map((c) => c.service))].sort();
    if (this.flags.only?.length) {
      const c = await project.compose();
      const argv = [...c.argv, '-p', project.name, '--project-directory', project.workingDir, ...project.files.flatMap((f) => ['-f', f]), 'rm', '--stop', '--force', ...(this.flags.volumes ? ['-v'] : []), ...this.flags.only];
      const r = await project.executor.run(argv);
      if (r.code !== 0) throw new FrameworksError(`Stopping ${this.flags.only.join(', ')} failed: ${r.stderr.trim().split('\n').at(-1)}`, { code: 'COMPOSE_FAILED', exitCode: ExitCode.FAILED, suggestions: [r.display] });
    } else {
      await project.down({ volumes: this.flags.volumes });
    }
    this.success(`Stopped ${services.join(', ')} (${project.name})${this.flags.volumes ? ', volumes removed' : '; volumes kept'}`);
    return { project: project.name, stopped: services, volumes_removed: Boolean(this.flags.volumes), was_running: true };
  }
}
