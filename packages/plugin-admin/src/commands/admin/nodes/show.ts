import { Args } from '@oclif/core';
import { renderKeyValues } from '@frameworks/cli-kit';
import { AdminCommand, orDash, timeoutFlag, withListHint } from '../../../lib/admin-command.js';

export default class NodesShow extends AdminCommand<typeof NodesShow> {
  static override summary = 'Show one infrastructure node.';
  static override description = 'Looks the node up by node_id (or row id) in GET {quartermaster}/nodes (the MVP GET /nodes/{id} always answers 404). An unknown id is exit 1.';
  static override examples = [
    { description: 'Show node edge-ams-1', command: '<%= config.bin %> admin nodes show edge-ams-1' },
    { description: 'Show it as JSON', command: '<%= config.bin %> admin nodes show edge-ams-1 --json' },
  ];
  static override args = { id: Args.string({ required: true, description: 'node_id (or row id) from admin nodes list.' }) };
  static completionValues = { id: 'nodes' };
  static override flags = { timeout: timeoutFlag };
  static override authPolicy = 'jwt-or-service' as const;
  static override preferServiceToken = true;

  async run() {
    const { id } = this.args;
    const { client } = await this.quartermaster();
    const n = await withListHint(client.getNode(id), `Node ${id} not found.`, 'frameworks admin nodes list');
    const obj = (o: Record<string, unknown> | undefined) => (o && Object.keys(o).length ? JSON.stringify(o) : '-');
    this.out(
      renderKeyValues([
        ['node id', n.node_id],
        ['id', n.id],
        ['name', orDash(n.node_name)],
        ['cluster', n.cluster_id],
        ['type', n.node_type],
        ['status', n.status],
        ['health score', orDash(n.health_score)],
        ['region', orDash(n.region)],
        ['zone', orDash(n.availability_zone)],
        ['external ip', orDash(n.external_ip)],
        ['internal ip', orDash(n.internal_ip)],
        ['wireguard ip', orDash(n.wireguard_ip)],
        ['last heartbeat', orDash(n.last_heartbeat)],
        ['tags', obj(n.tags)],
        ['metadata', obj(n.metadata)],
        ['created', n.created_at],
        ['updated', n.updated_at],
      ]),
    );
    return { node: n };
  }
}
