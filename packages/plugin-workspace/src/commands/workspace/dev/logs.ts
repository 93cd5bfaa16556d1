import { Flags } from '@oclif/core';
import { DevCommand } from '../../../lib/dev-command.js';

export default class DevLogs extends DevCommand<typeof DevLogs> {
  static override summary = "Logs of the dev stack's services, as service | line.";
  static override description = 'docker compose logs of the dev project (frameworks-dev); --follow streams lines as they arrive until Ctrl-C.';
  static override examples = [
    { description: "Helmsman's last 50 lines", command: '<%= config.bin %> workspace dev logs --only helmsman --tail 50' },
    { description: 'Follow every service', command: '<%= config.bin %> workspace dev logs --follow' },
  ];
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'Stream new lines until Ctrl-C.' }),
    tail: Flags.integer({ min: 0, description: 'Lines from the end of each service (default: all).' }),
  };

  async run() {
    const { project } = await this.devProject();
    const lines: Array<{ service: string; line: string }> = [];
    await project.logs({
      services: this.flags.only,
      follow: this.flags.follow,
      tail: this.flags.tail,
      onLine: (l) => {
        lines.push({ service: l.service, line: l.text });
        this.out(`${l.service} | ${l.text}`);
      },
    });
    return { project: project.name, lines };
  }
}
