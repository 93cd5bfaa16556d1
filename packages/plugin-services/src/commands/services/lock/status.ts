import { posix } from 'node:path';
import { describeLockView, lockStatus } from '@frameworks/cli-kit';
import { LOCK_FILE } from '@frameworks/sdk';
import { ServicesCommand } from '../../../lib/services-command.js';

export default class ServicesLockStatus extends ServicesCommand<typeof ServicesLockStatus> {
  static override summary = 'Show who holds the lock of the plan folder.';
  static override description = `Show who holds the lock of the plan folder (services up and down hold it while they run).

services up and down hold ${LOCK_FILE} in --dir on the host they change while they run; it records user@machine, pid, command, start time and --lock-message. Read-only verbs never look at it.`;
  static override examples = [
    { description: 'Show who holds the lock of ./central', command: '<%= config.bin %> services lock status --dir ./central' },
    {
      description: 'Show the lock of a remote plan folder, as JSON',
      command: '<%= config.bin %> services lock status --ssh ops@central-1 --dir /opt/frameworks-central --json',
    },
  ];

  async run() {
    const outcomes = await this.onHosts(async (h) => {
      const v = await lockStatus(h, posix.join(h.dir, LOCK_FILE));
      this.out(`${this.prefix(h)}${describeLockView(v)}`);
      return v;
    });
    const rows = this.settle(outcomes, 'services lock status');
    return rows.length === 1 ? rows[0].result! : { hosts: rows };
  }
}
