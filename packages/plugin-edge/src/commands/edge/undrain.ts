import { Args, Flags } from '@oclif/core';
import { FrameworksCommand, viaFlags } from '@frameworks/cli-kit';
import { SET_BY, foghornFor } from '../../drain/drain.js';

export default class EdgeUndrain extends FrameworksCommand<typeof EdgeUndrain> {
  static override summary = 'Put an edge node back in normal mode: Foghorn routes viewers to it again.';
  static override description = `PUT /nodes/{node-id}/mode {"mode":"normal"} on Foghorn's HTTP port (the context's foghorn-http URL); also ends maintenance. The node must be known to Foghorn (drain-status answers), otherwise exit 1 and nothing is changed. No credential is sent (these routes have no authentication).

With api: grpc (or auto finding today's Foghorn), the context's foghorn-grpc NodeControlService is used instead, with the service token or a JWT of the node's tenant.`;

  static override examples = ['<%= config.bin %> edge undrain edge-ams-1'];

  static override args = { 'node-id': Args.string({ required: true, description: 'Node id as Foghorn knows it.' }) };

  static override flags = {
    'dry-run': Flags.boolean({ description: 'Show the node\'s mode and viewers; change nothing.' }),
    ...viaFlags,
  };

  static override mutating = true;

  async run() {
    const nodeId = this.args['node-id'];
    this.auditTargets = [nodeId];
    const ctx = await this.context();
    const { client, url: foghorn } = await foghornFor(ctx, () => this.credential('jwt-or-service'), await this.dialer());
    const before = await client.drainStatus(nodeId);
    if (this.flags['dry-run']) {
      this.info(`Dry run: ${nodeId} is ${before.operational_mode} with ${before.active_viewers} viewer(s); would set normal. Nothing changed.`);
      return { node_id: nodeId, foghorn, dry_run: true, mode_before: before.operational_mode, active_viewers: before.active_viewers, would_set: 'normal' };
    }
    const set = await client.setMode(nodeId, 'normal', SET_BY);
    this.success(`${nodeId} is back in normal mode${before.operational_mode === 'normal' ? ' (it was already)' : ` (was ${before.operational_mode})`}`);
    return { node_id: nodeId, foghorn, mode_before: before.operational_mode, operational_mode: set.operational_mode, active_viewers: set.active_viewers };
  }
}
