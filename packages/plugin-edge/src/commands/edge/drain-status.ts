import { Args } from '@oclif/core';
import { FrameworksCommand, renderKeyValues, viaFlags } from '@frameworks/cli-kit';
import { readDrainStatus } from '../../drain/drain.js';

export default class EdgeDrainStatus extends FrameworksCommand<typeof EdgeDrainStatus> {
  static override summary = "An edge node's operational mode and active viewers, as Foghorn sees them.";
  static override description = `GET /nodes/{node-id}/drain-status on Foghorn's HTTP port (the context's foghorn-http URL). "idle" means active_viewers is 0 (the only count this route exposes). Unknown node: exit 1 (NOT_FOUND).`;

  static override examples = [
    { description: 'Show the mode of edge-ams-1 and its active viewers', command: '<%= config.bin %> edge drain-status edge-ams-1' },
    { description: 'The same as JSON, for a script that waits until the node is idle', command: '<%= config.bin %> edge drain-status edge-ams-1 --json' },
  ];

  static override flags = { ...viaFlags };
  static override args = { 'node-id': Args.string({ required: true, description: 'Node id as Foghorn knows it.' }) };
  static completionValues = { 'node-id': 'nodes' };

  async run() {
    const nodeId = this.args['node-id'];
    const ctx = await this.context();
    const { url: _foghorn, ...s } = await readDrainStatus({ ctx, credential: () => this.credential('jwt-or-service'), dialer: await this.dialer() }, 'edge drain-status', nodeId);
    // gRPC era: idle means no active stream (contract §5.2); REST era exposes viewers only.
    const idle = s.active_streams !== undefined ? s.active_streams <= 0 : s.active_viewers <= 0;
    this.out(renderKeyValues([
      ['node', s.node_id],
      ['mode', s.operational_mode],
      ['viewers', String(s.active_viewers)],
      ['idle', idle ? 'yes' : 'no'],
    ]));
    return { ...s, idle };
  }
}
