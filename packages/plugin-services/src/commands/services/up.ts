import { Flags } from '@oclif/core';
import { lockFlags, renderTable } from '@frameworks/cli-kit';
import { ServicesCommand, runFlags, type HostContext } from '../../lib/services-command.js';

export default class ServicesUp extends ServicesCommand<typeof ServicesUp> {
  static override summary = 'Start the planned central services (docker compose up -d over the fragments) and wait until they are healthy.';
  static override description = `One Compose project (name from plan.yaml) over every selected fragment: docker compose -p <project> -f svc-a.yml -f svc-b.yml … --env-file .central.env up -d, then waits until every container runs and passes its healthcheck (--no-wait skips that).

Services: --only, else plan.yaml's list, else every svc-*.yml in --dir. A fragment edited by hand since the plan (its sha256 differs from plan.yaml) is used as it is, with a warning (FRAGMENT_EDITED): the files on disk are what runs.

Ctrl-C exits 130; up writes no file, so nothing is left half-written (containers already started keep running: services status shows them).`;

  static override examples = [
    '<%= config.bin %> services up --dir ./central',
    '<%= config.bin %> services up --only quartermaster,commodore',
    '<%= config.bin %> services up --ssh ops@central-1 --dir /opt/frameworks-central',
  ];

  static override flags = {
    ...runFlags,
    ...lockFlags,
    wait: Flags.boolean({ default: true, allowNo: true, description: 'Wait until every service runs and is healthy (--no-wait: return after up -d).' }),
    timeout: Flags.integer({ default: 180, min: 1, description: 'Seconds to wait for health.' }),
    pull: Flags.string({ options: ['always', 'missing', 'never'], default: 'missing', description: 'Pull images first: always, missing (default) or never (Compose v2).' }),
  };

  static override mutating = true;

  async run() {
    const { resolveServiceList, openProject } = await import('../../lib/stack.js');
    const { statusRows } = await import('../../lib/status-rows.js');
    const outcomes = await this.onHosts((h: HostContext) =>
      this.withLock(h, async () => {
        const list = await resolveServiceList(h.executor, h.dir, this.flags.only, this.flags.project);
        if (list.edited.length) this.warning(`${this.prefix(h)}Edited by hand since the plan: ${list.edited.join(', ')} (running them as they are; services plan --force would replace them).`, 'FRAGMENT_EDITED');
        const project = await openProject(h.executor, h.dir, list);
        this.info(`${this.prefix(h)}Starting ${list.services.join(', ')} (project ${list.project})…`);
        const containers = await project.up({
          pull: this.flags.pull as 'always' | 'missing' | 'never',
          ...(this.flags.wait ? { wait: { timeoutMs: this.flags.timeout * 1000 } } : {}),
        });
        const rows = statusRows(list.services, containers);
        if (!this.jsonEnabled()) {
          this.out(renderTable(rows, [
            { header: 'service', get: (r) => `${this.prefix(h)}${r.service}` },
            { header: 'state', get: (r) => r.state },
            { header: 'health', get: (r) => r.health },
            { header: 'ports', get: (r) => r.ports.join(', ') },
          ]));
        }
        return { dir: h.dir, project: list.project, source: list.source, services: rows, edited: list.edited };
      }),
    );
    const rows = this.settle(outcomes, 'services up');
    this.next(`frameworks services status${this.flags.dir ? ` --dir ${this.flags.dir}` : ''}`);
    return rows.length === 1 ? { host: rows[0].host, ...rows[0].result! } : { hosts: rows };
  }
}
