import { posix, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { describeLockView, lockStatus } from '@frameworks/cli-kit';
import { LOCK_FILE } from '@frameworks/sdk';
import { EdgeCommand } from '../../../lib/edge-command.js';

export default class EdgeLockStatus extends EdgeCommand<typeof EdgeLockStatus> {
  static override summary = 'Show who holds the lock of the edge stack (or of edge tune --write).';
  static override description = `Show who holds the lock of the edge stack (or of edge tune --write on this host).

Every verb that changes the stack (init, enroll, update, cert --reload) holds ${LOCK_FILE} in --dir on the host it changes while it runs; edge tune --write holds /run/frameworks/edge-tune.lock (--tune). The lock records user@machine, pid, command, start time and --lock-message. Read-only verbs never look at it.`;
  static override examples = [
    { description: 'Show who holds the lock of the local stack', command: '<%= config.bin %> edge lock status' },
    {
      description: 'Show the lock of a remote stack, as JSON',
      command: '<%= config.bin %> edge lock status --ssh ops@edge-1 --dir /opt/frameworks-edge --json',
    },
  ];
  static override flags = {
    tune: Flags.boolean({ description: 'The host-wide lock of edge tune --write instead of the stack\'s.' }),
  };

  async run() {
    const outcomes = await this.onHosts(async (h) => {
      const v = await lockStatus(h, this.flags.tune ? '/run/frameworks/edge-tune.lock' : posix.join(h.remote ? h.dir : resolve(h.dir), LOCK_FILE));
      this.out(`${this.prefix(h)}${describeLockView(v)}`);
      return v;
    });
    const rows = this.settle(outcomes, 'edge lock status');
    return rows.length === 1 ? rows[0].result! : { hosts: rows };
  }
}
