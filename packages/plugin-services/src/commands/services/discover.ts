import { Flags } from '@oclif/core';
import { FrameworksCommand, conditionCell, conditionOf, renderTable, timeCell, viaFlags } from '@frameworks/cli-kit';
import { QUARTERMASTER_AUTH, refuseInGatewayOnly, selectQuartermaster, usageError } from '@frameworks/sdk';
import { isHealthy } from './health.js';

export default class ServicesDiscover extends FrameworksCommand<typeof ServicesDiscover> {
  static override summary = 'Instances of a service type that Quartermaster knows (table, or --json).';
  static override description = `GET /service-discovery?type=<type>[&cluster_id=<id>] on the context's quartermaster URL. Discovery has no status filter: stopped instances are listed too (use --healthy-only). Discovery replies carry no host; \`frameworks services health --type <type>\` shows host:port and protocol.

Auth: the user's JWT when there is one (Quartermaster then lists only the clusters the tenant owns or was granted), else the service token (FRAMEWORKS_SERVICE_TOKEN, or frameworks login --service-token-stdin). Exit 0, also when nothing is found.`;

  static override examples = [
    { description: 'List the Foghorn instances Quartermaster knows', command: '<%= config.bin %> services discover --type foghorn' },
    {
      description: 'Only the healthy Foghorn instances of cluster central-1, as JSON',
      command: '<%= config.bin %> services discover --type foghorn --cluster-id central-1 --healthy-only --json',
    },
  ];

  static override flags = {
    ...viaFlags,
    type: Flags.string({ required: true, description: 'Service type (catalog name, e.g. foghorn, periscope_ingest).' }),
    'cluster-id': Flags.string({ description: 'Only instances in this cluster.' }),
    'healthy-only': Flags.boolean({ description: 'Only instances whose health is healthy.' }),
  };

  static override authPolicy = QUARTERMASTER_AUTH.discover;

  async run() {
    const f = this.flags;
    if (!f.type.trim()) throw usageError('--type needs a service type.', ['e.g. --type foghorn'], 'TYPE_REQUIRED');
    const ctx = await this.context();
    const credential = await this.credential();
    refuseInGatewayOnly(ctx.config, 'services discover', { service: 'Quartermaster', key: 'quartermaster', url: ctx.endpoints.quartermaster.value });
    // REST or gRPC as the context says (api: rest|grpc|auto); the results have one shape.
    const { client: qm } = await selectQuartermaster({ ctx, credential, timeoutMs: 15_000, dialer: await this.dialer() });
    const all = await qm.discover({ type: f.type, clusterId: f['cluster-id'] });
    const instances = f['healthy-only'] ? all.filter((i) => isHealthy(i.health_status)) : all;
    const now = Date.now();
    if (!this.jsonEnabled()) {
      if (instances.length) {
        this.out(
          renderTable(instances, [
            { header: 'service', get: (r) => r.service_id },
            { header: 'instance', get: (r) => r.instance_id, id: true },
            { header: 'cluster', get: (r) => r.cluster_id },
            { header: 'node', get: (r) => r.node_id || '-' },
            { header: 'port', get: (r) => (r.port ? String(r.port) : '-') },
            { header: 'version', get: (r) => r.version || '-' },
            { header: 'status', get: (r) => r.status || '-' },
            { header: 'health', get: (r) => healthText(r.health_status) },
            { header: 'last check', get: (r) => timeCell(r.dates.last_health_check, now) },
          ]),
        );
      } else {
        this.info(`No ${f['healthy-only'] && all.length ? 'healthy ' : ''}instance of type ${f.type}${f['cluster-id'] ? ` in cluster ${f['cluster-id']}` : ''}${f['healthy-only'] && all.length ? ` (${all.length} not healthy)` : ''}.`);
      }
    }
    return {
      quartermaster: ctx.endpoints.quartermaster.value,
      type: f.type,
      ...(f['cluster-id'] ? { cluster_id: f['cluster-id'] } : {}),
      count: instances.length,
      instances,
    };
  }
}

/** `✓ ok`, `✗ down (unhealthy)`: the shared vocabulary, with the server's word when it says more. */
function healthText(raw: string | undefined): string {
  const c = conditionOf(raw);
  return `${conditionCell(c)}${raw && raw !== c && !(c === 'ok' && raw === 'healthy') ? ` (${raw})` : ''}`;
}
