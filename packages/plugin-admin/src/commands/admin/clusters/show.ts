import { Args } from '@oclif/core';
import { renderKeyValues } from '@frameworks/cli-kit';
import { AdminCommand, orDash, timeoutFlag, withListHint } from '../../../lib/admin-command.js';

export default class ClustersShow extends AdminCommand<typeof ClustersShow> {
  static override summary = 'Show one cluster.';
  static override description = 'GET {quartermaster}/clusters/<id>. An unknown id is exit 1.';
  static override examples = [
    { description: 'Show cluster central-1', command: '<%= config.bin %> admin clusters show central-1' },
    { description: 'Show it as JSON', command: '<%= config.bin %> admin clusters show central-1 --json' },
  ];
  static override args = { id: Args.string({ required: true, description: 'cluster_id from admin clusters list.' }) };
  static override flags = { timeout: timeoutFlag };
  static override authPolicy = 'jwt-or-service' as const;
  static override preferServiceToken = true;

  async run() {
    const { id } = this.args;
    const { client } = await this.quartermaster();
    const c = await withListHint(client.getCluster(id), `Cluster ${id} not found.`, 'frameworks admin clusters list');
    this.out(
      renderKeyValues([
        ['cluster id', c.cluster_id],
        ['id', c.id],
        ['name', c.cluster_name],
        ['type', c.cluster_type],
        ['base url', c.base_url],
        ['active', c.is_active ? 'yes' : 'no'],
        ['health', c.health_status],
        ['streams', `${orDash(c.current_stream_count)}/${c.max_concurrent_streams}`],
        ['viewers', `${orDash(c.current_viewer_count)}/${c.max_concurrent_viewers}`],
        ['bandwidth', `${orDash(c.current_bandwidth_mbps)}/${c.max_bandwidth_mbps} Mbps`],
        ['periscope', orDash(c.periscope_url)],
        ['kafka brokers', c.kafka_brokers?.length ? c.kafka_brokers.join(',') : '-'],
        ['last seen', orDash(c.last_seen)],
        ['created', c.created_at],
        ['updated', c.updated_at],
      ]),
    );
    return { cluster: c };
  }
}
