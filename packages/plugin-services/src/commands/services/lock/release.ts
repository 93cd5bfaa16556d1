import { posix } from 'node:path';
import { Flags } from '@oclif/core';
import { lockRelease } from '@frameworks/cli-kit';
import { LOCK_FILE, quoteArg } from '@frameworks/sdk';
import { ServicesCommand } from '../../../lib/services-command.js';

export default class ServicesLockRelease extends ServicesCommand<typeof ServicesLockRelease> {
  static override summary = 'Remove the lock of the plan folder left by a run that is gone.';
  static override description = `A lock whose holder ran on this machine and is no longer running is removed as it is. A lock whose process still runs, or one taken on another machine (whose process cannot be seen from here), is removed only with --force: make sure that run is really gone first (frameworks services lock status says who and since when).`;
  static override examples = [
    { description: 'Remove the lock a finished or crashed run left on ./central', command: '<%= config.bin %> services lock release --dir ./central' },
    {
      description: 'Remove a lock taken on another machine (make sure that run is gone)',
      command: '<%= config.bin %> services lock release --ssh ops@central-1 --dir /opt/frameworks-central --force',
    },
  ];
  static override flags = {
    force: Flags.boolean({ description: 'Remove the lock even when its holder may still run (another machine, or a live process).' }),
  };
  static override mutating = true;

  async run() {
    const outcomes = await this.onHosts(async (h) => {
      const where = [...(this.flags.dir ? [`--dir ${quoteArg(this.flags.dir)}`] : []), ...(h.remote ? [`--ssh ${quoteArg(h.host)}`] : [])];
      const r = await lockRelease(h, posix.join(h.dir, LOCK_FILE), this.flags.force, ['frameworks services lock release', ...where, '--force'].join(' '));
      if (r.released) this.success(`${this.prefix(h)}Lock ${r.path} ${r.note}.`);
      else this.info(`${this.prefix(h)}${r.path}: ${r.note}.`);
      return r;
    });
    const rows = this.settle(outcomes, 'services lock release');
    return rows.length === 1 ? rows[0].result! : { hosts: rows };
  }
}
