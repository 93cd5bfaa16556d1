import { Flags } from '@oclif/core';
import { ServicesCommand, runFlags, type HostContext } from '../../lib/services-command.js';

export default class ServicesLogs extends ServicesCommand<typeof ServicesLogs> {
  static override summary = 'Logs of the planned central services (docker compose logs over the fragments).';
  static override description = 'Lines are printed as "<service> | <text>" (with a [host] prefix over --ssh). --follow streams until Ctrl-C (exit 130). Under --json the lines are collected (not with --follow).';
  static override examples = [
    { description: 'Show the last 50 lines of Foghorn', command: '<%= config.bin %> services logs --only foghorn --tail 50' },
    { description: 'Stream the lines of every service until Ctrl-C', command: '<%= config.bin %> services logs --follow' },
  ];

  static override flags = {
    ...runFlags,
    follow: Flags.boolean({ char: 'f', description: 'Stream new lines until Ctrl-C.', exclusive: ['json'] }),
    tail: Flags.string({ default: '100', description: 'Lines from the end of each container: a number or "all".' }),
    since: Flags.string({ description: 'Only lines since: RFC 3339, a Unix timestamp, or a duration ago (10m, 2h, 1d).' }),
  };

  async run() {
    const { resolveServiceList, openProject } = await import('../../lib/stack.js');
    const { parseWindow, usageError } = await import('@frameworks/sdk');
    const since = parseWindow(this.flags.since, undefined).since?.value;
    const tail = this.flags.tail === 'all' ? 'all' : Number(this.flags.tail);
    if (tail !== 'all' && !(Number.isInteger(tail) && tail >= 0)) throw usageError(`--tail ${this.flags.tail}: a number or "all".`, ['--tail 100'], 'INVALID_TAIL');
    const json = this.jsonEnabled();
    const outcomes = await this.onHosts(async (h: HostContext) => {
      const list = await resolveServiceList(h.executor, h.dir, this.flags.only, this.flags.project);
      const project = await openProject(h.executor, h.dir, list);
      const p = this.prefix(h);
      const r = await project.logs({
        services: list.services,
        follow: this.flags.follow,
        tail,
        ...(since ? { since } : {}),
        ...(json ? {} : { onLine: (l) => this.out(`${p}${l.service} | ${l.text}`) }),
      });
      return { dir: h.dir, project: list.project, services: list.services, lines: json ? r.lines.map((l) => ({ service: l.service, text: l.text })) : undefined };
    });
    const rows = this.settle(outcomes, 'services logs');
    return rows.length === 1 ? { host: rows[0].host, ...rows[0].result! } : { hosts: rows };
  }
}
