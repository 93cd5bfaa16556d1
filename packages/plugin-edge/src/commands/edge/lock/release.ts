import { posix, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { lockRelease } from '@frameworks/cli-kit';
import { LOCK_FILE, quoteArg } from '@frameworks/sdk';
import { EdgeCommand } from '../../../lib/edge-command.js';

export default class EdgeLockRelease extends EdgeCommand<typeof EdgeLockRelease> {
  static override summary = 'Remove the lock of the edge stack left by a run that is gone.';
  static override description = `A lock whose holder ran on this machine and is no longer running is removed as it is (the next run would take it over anyway). A lock whose process still runs, or one taken on another machine (whose process cannot be seen from here), is removed only with --force: make sure that run is really gone first (frameworks edge lock status says who and since when).`;
  static override examples = [
    { description: 'Remove the lock a finished or crashed run left on the local stack', command: '<%= config.bin %> edge lock release' },
    {
      description: 'Remove a lock taken on another machine (make sure that run is gone)',
      command: '<%= config.bin %> edge lock release --ssh ops@edge-1 --dir /opt/frameworks-edge --force',
    },
  ];
  static override flags = {
    force: Flags.boolean({ description: 'Remove the lock even when its holder may still run (another machine, or a live process).' }),
    tune: Flags.boolean({ description: 'The host-wide lock of edge tune --write instead of the stack\'s.' }),
  };
  static override mutating = true;

  async run() {
    const outcomes = await this.onHosts(async (h) => {
      const where = [
        ...(this.flags.dir ? [`--dir ${quoteArg(this.flags.dir)}`] : []),
        ...(h.remote ? [`--ssh ${quoteArg(h.host)}`] : []),
        ...(this.flags.tune ? ['--tune'] : []),
      ];
      const path = this.flags.tune ? '/run/frameworks/edge-tune.lock' : posix.join(h.remote ? h.dir : resolve(h.dir), LOCK_FILE);
      const r = await lockRelease(h, path, this.flags.force, ['frameworks edge lock release', ...where, '--force'].join(' '));
      if (r.released) this.success(`${this.prefix(h)}Lock ${r.path} ${r.note}.`);
      else this.info(`${this.prefix(h)}${r.path}: ${r.note}.`);
      return r;
    });
    const rows = this.settle(outcomes, 'edge lock release');
    return rows.length === 1 ? rows[0].result! : { hosts: rows };
  }
}
