import { renderTable } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError } from '@frameworks/sdk';
import { ServicesCommand, runFlags, type HostContext } from '../../lib/services-command.js';

export default class ServicesStatus extends ServicesCommand<typeof ServicesStatus> {
  static override summary = 'State and health of every planned central service (table, or --json).';
  static override description = `Finds the project's containers by their Compose labels (Compose v1 and v2) and prints one row per service: state (running, exited, … or missing), health (healthy, unhealthy, starting, none), container, image and published ports.

Exit 1 (SERVICES_DEGRADED, the rows in result) when a service is not running or not healthy.`;

  static override examples = [
    { description: 'Show the state and health of the services planned in ./central', command: '<%= config.bin %> services status --dir ./central' },
    { description: 'Check Decklog from a script', command: '<%= config.bin %> services status --only decklog --json' },
  ];

  static override flags = { ...runFlags };

  async run() {
    const { resolveServiceList, openProject } = await import('../../lib/stack.js');
    const { statusRows } = await import('../../lib/status-rows.js');
    const outcomes = await this.onHosts(async (h: HostContext) => {
      const list = await resolveServiceList(h.executor, h.dir, this.flags.only, this.flags.project);
      if (list.edited.length) this.warning(`${this.prefix(h)}Edited by hand since the plan: ${list.edited.join(', ')}.`, 'FRAGMENT_EDITED');
      const project = await openProject(h.executor, h.dir, list);
      const rows = statusRows(list.services, await project.ps());
      if (!this.jsonEnabled()) {
        this.out(renderTable(rows, [
          { header: 'service', get: (r) => `${this.prefix(h)}${r.service}`, id: true },
          { header: 'state', get: (r) => `${r.ok ? '✓' : '✗'} ${r.state}` },
          { header: 'health', get: (r) => r.health },
          { header: 'container', get: (r) => r.container ?? '-' },
          { header: 'image', get: (r) => r.image ?? '-' },
          { header: 'ports', get: (r) => r.ports.join(', ') || '-' },
        ]));
      }
      const result = { dir: h.dir, project: list.project, source: list.source, services: rows };
      const bad = rows.filter((r) => !r.ok);
      if (bad.length) {
        throw new FrameworksError(`${bad.length} of ${rows.length} services ${bad.length === 1 ? 'is' : 'are'} not running and healthy: ${bad.map((r) => `${r.service} (${r.state}${r.health !== 'none' ? `, ${r.health}` : ''})`).join(', ')}.`, {
          code: 'SERVICES_DEGRADED',
          exitCode: ExitCode.FAILED,
          result,
          suggestions: [`frameworks services up${this.flags.dir ? ` --dir ${this.flags.dir}` : ''}`, `frameworks services logs --only ${bad.map((r) => r.service).join(',')}`],
        });
      }
      return result;
    });
    const rows = this.settle(outcomes, 'services status');
    return rows.length === 1 ? { host: rows[0].host, ...rows[0].result! } : { hosts: rows };
  }
}
