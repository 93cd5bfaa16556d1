import { Flags } from '@oclif/core';
import { renderTable, timeCell } from '@frameworks/cli-kit';
import { AdminCommand, orDash, timeoutFlag } from '../../../lib/admin-command.js';

export default class NodesList extends AdminCommand<typeof NodesList> {
  static override summary = 'List infrastructure nodes registered in Quartermaster.';
  static override description = 'GET {quartermaster}/nodes with optional filters. Needs the service token or a JWT (the service token is preferred when both are available).';
  static override examples = [
    { description: 'List every node in Quartermaster', command: '<%= config.bin %> admin nodes list' },
    {
      description: 'List the edge nodes of cluster central-1 in eu-west, as JSON',
      command: '<%= config.bin %> admin nodes list --cluster-id central-1 --type edge --region eu-west --json',
    },
  ];
  static override flags = {
    'cluster-id': Flags.string({ description: 'Only nodes of this cluster.' }),
    type: Flags.string({ description: 'Only nodes of this type (edge, …).' }),
    region: Flags.string({ description: 'Only nodes in this region.' }),
    timeout: timeoutFlag,
  };
  static override authPolicy = 'jwt-or-service' as const;
  static override preferServiceToken = true;

  async run() {
    const f = this.flags;
    const { client } = await this.quartermaster();
    const nodes = await client.listNodes({ clusterId: f['cluster-id'], nodeType: f.type, region: f.region });
    if (nodes.length === 0) {
      this.info('No nodes found.');
    } else {
      this.out(
        renderTable(nodes, [
          { header: 'node id', get: (n) => n.node_id, id: true },
          { header: 'name', get: (n) => orDash(n.node_name) },
          { header: 'cluster', get: (n) => n.cluster_id },
          { header: 'type', get: (n) => n.node_type },
          { header: 'region', get: (n) => orDash(n.region) },
          { header: 'external ip', get: (n) => orDash(n.external_ip) },
          { header: 'status', get: (n) => n.status },
          { header: 'health', get: (n) => orDash(n.health_score) },
          { header: 'last heartbeat', get: (n) => timeCell(n.dates.last_heartbeat) },
        ]),
      );
    }
    return { nodes, count: nodes.length };
  }
}
