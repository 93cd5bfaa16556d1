import { Args, Flags } from '@oclif/core';
import { FrameworksCommand, viaFlags } from '@frameworks/cli-kit';
import { changeNodeMode, readDrainStatus, type NodeModeRoute } from '../../drain/drain.js';

export default class EdgeUndrain extends FrameworksCommand<typeof EdgeUndrain> {
  static override summary = 'Put an edge node back in normal mode: Foghorn routes viewers to it again.';
  static override description = `PUT /nodes/{node-id}/mode {"mode":"normal"} on Foghorn's HTTP port (the context's foghorn-http URL); also ends maintenance. The node must be known to Foghorn (drain-status answers), otherwise exit 1 and nothing is changed. No credential is sent (these routes have no authentication). In a gateway-only context (or with the Gateway fallback when the direct endpoint is unreachable) it goes through the Gateway's GraphQL (setNodeMode, with the JWT or the service token; the previous mode is then not known).`;

  static override examples = [
    { description: 'Route viewers to edge-ams-1 again', command: '<%= config.bin %> edge undrain edge-ams-1' },
  ];

  static override args = { 'node-id': Args.string({ required: true, description: 'Node id as Foghorn knows it.' }) };
  static completionValues = { 'node-id': 'nodes' };

  static override flags = {
    'dry-run': Flags.boolean({ description: 'Show the node\'s mode and viewers; change nothing.' }),
    ...viaFlags,
  };

  static override mutating = true;

  async run() {
    const nodeId = this.args['node-id'];
    this.auditTargets = [nodeId];
    const ctx = await this.context();
    const route: NodeModeRoute = { ctx, credential: () => this.credential('jwt-or-service'), dialer: await this.dialer() };
    if (this.flags['dry-run']) {
      const { url: foghorn, ...before } = await readDrainStatus(route, 'edge undrain --dry-run', nodeId);
      this.info(`Dry run: ${nodeId} is ${before.operational_mode} with ${before.active_viewers} viewer(s); would set normal. Nothing changed.`);
      return { node_id: nodeId, foghorn, dry_run: true, mode_before: before.operational_mode, active_viewers: before.active_viewers, would_set: 'normal' };
    }
    // Direct: drain-status then PUT on Foghorn; gateway-only or fallback: one setNodeMode on the Gateway.
    const { before, set, url: foghorn } = await changeNodeMode(route, 'edge undrain', nodeId, 'normal');
    this.success(`${nodeId} is back in normal mode${before === null ? '' : before === 'normal' ? ' (it was already)' : ` (was ${before})`}`);
    return { node_id: nodeId, foghorn, mode_before: before, operational_mode: set.operational_mode, active_viewers: set.active_viewers };
  }
}
