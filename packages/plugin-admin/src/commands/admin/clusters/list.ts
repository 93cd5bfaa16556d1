import { renderTable } from '@frameworks/cli-kit';
import { AdminCommand, orDash, timeoutFlag } from '../../../lib/admin-command.js';

export default class ClustersList extends AdminCommand<typeof ClustersList> {
  static override summary = 'List clusters registered in Quartermaster.';
  static override description = 'GET {quartermaster}/clusters, ordered by name. Needs the service token or a JWT (the service token is preferred when both are available).';
  static override examples = [
    { description: 'List the clusters in Quartermaster', command: '<%= config.bin %> admin clusters list' },
    { description: 'List them as JSON', command: '<%= config.bin %> admin clusters list --json' },
  ];
  static override flags = { timeout: timeoutFlag };
  static override authPolicy = 'jwt-or-service' as const;
  static override preferServiceToken = true;

  async run() {
    const { client } = await this.quartermaster();
    const clusters = await client.listClusters();
    if (clusters.length === 0) {
      this.info('No clusters found.');
    } else {
      this.out(
        renderTable(clusters, [
          { header: 'cluster id', get: (c) => c.cluster_id, id: true },
          { header: 'name', get: (c) => c.cluster_name },
          { header: 'type', get: (c) => c.cluster_type },
          { header: 'active', get: (c) => (c.is_active ? 'yes' : 'no') },
          { header: 'health', get: (c) => c.health_status },
          { header: 'streams', get: (c) => `${orDash(c.current_stream_count)}/${c.max_concurrent_streams}` },
          { header: 'viewers', get: (c) => `${orDash(c.current_viewer_count)}/${c.max_concurrent_viewers}` },
          { header: 'base url', get: (c) => c.base_url, optional: true },
        ]),
      );
    }
    return { clusters, count: clusters.length };
  }
}
