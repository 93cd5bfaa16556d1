import { DevCommand } from '../../../lib/dev-command.js';

export default class DevStatus extends DevCommand<typeof DevStatus> {
  static override summary = 'State of the dev stack: each service, its image and whether it runs.';
  static override description = 'Containers of the dev project (frameworks-dev) by their Compose labels: service, state, health, image. Exit 1 when a service is not running; 0 when nothing runs (it says so).';
  static override examples = [{ description: 'Show the dev stack', command: '<%= config.bin %> workspace dev status' }];

  async run() {
    const { FrameworksError, ExitCode } = await import('@frameworks/sdk');
    const { renderTable } = await import('@frameworks/cli-kit');
    const { project } = await this.devProject();
    const containers = await project.ps({ services: this.flags.only });
    const rows = containers.map((c) => ({ service: c.service, name: c.name, state: c.state, health: c.health ?? null, image: c.image ?? null }));
    if (!rows.length) {
      this.out(`Nothing runs in ${project.name}.`);
      this.next('frameworks workspace dev up');
      return { project: project.name, services: rows };
    }
    this.out(
      renderTable(rows, [
        { header: 'service', get: (r) => r.service, id: true },
        { header: 'state', get: (r) => r.state },
        { header: 'health', get: (r) => r.health ?? '-' },
        { header: 'image', get: (r) => r.image ?? '' },
      ]),
    );
    const down = rows.filter((r) => r.state !== 'running');
    if (down.length) {
      throw new FrameworksError(`${down.map((r) => r.service).join(', ')} not running in ${project.name}.`, {
        code: 'DEV_STACK_DEGRADED',
        exitCode: ExitCode.FAILED,
        suggestions: [`frameworks workspace dev logs --only ${down[0].service}`, 'frameworks workspace dev up'],
        result: { project: project.name, services: rows },
      });
    }
    return { project: project.name, services: rows };
  }
}
