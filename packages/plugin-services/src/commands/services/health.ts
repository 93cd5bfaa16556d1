import { Flags } from '@oclif/core';
import { FrameworksCommand, conditionCell, conditionOf, renderTable, timeCell, viaFlags } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError, QUARTERMASTER_AUTH, refuseInGatewayOnly, selectQuartermaster, usageError, type ServiceInstanceHealth } from '@frameworks/sdk';

/** "ok" is what the MVP CLI also counted as healthy (contract §3.1). */
export const isHealthy = (status: string | undefined): boolean => status === 'healthy' || status === 'ok';

/** Whole seconds since `d`; null when unknown. */
export const ageSeconds = (d: Date | undefined, now = Date.now()): number | null => (d ? Math.max(0, Math.round((now - d.getTime()) / 1000)) : null);

export default class ServicesHealth extends FrameworksCommand<typeof ServicesHealth> {
  static override summary = 'Health of the service instances Quartermaster polls (table, or --json).';
  static override description = `Asks Quartermaster (the context's quartermaster URL) for the instances it health-checks: GET /services/health, or /services/{id}/health with --service-id. --type first discovers the instances of that service type, then asks for the health of each service id found (as the MVP CLI did).

Quartermaster only lists instances that are running or starting and were checked in the last 180 s.

Auth: the user's JWT when there is one (frameworks login; Quartermaster then shows only the clusters the tenant owns or was granted, all of them for a provider tenant), else the service token (FRAMEWORKS_SERVICE_TOKEN, or frameworks login --service-token-stdin).

Exit 0 with the table (also when it is empty). With --unhealthy the command is a check: it lists only instances whose status is not healthy and exits 1 (SERVICES_UNHEALTHY, the rows in result) when there is any.`;

  static override examples = [
    { description: 'Show the health of every instance Quartermaster polls', command: '<%= config.bin %> services health' },
    { description: 'Show the health of the Foghorn instances', command: '<%= config.bin %> services health --type foghorn' },
    { description: 'Alert when anything is unhealthy', command: '<%= config.bin %> services health --unhealthy --json' },
  ];

  static override flags = {
    ...viaFlags,
    type: Flags.string({ description: 'Only instances of this service type (catalog name, e.g. foghorn, periscope_ingest).', exclusive: ['service-id'] }),
    'service-id': Flags.string({ description: 'Only instances of this service id.' }),
    unhealthy: Flags.boolean({ description: 'Only instances that are not healthy; exit 1 when there is any.' }),
  };

  static override authPolicy = QUARTERMASTER_AUTH.servicesHealth;

  async run() {
    const f = this.flags;
    if (f.type !== undefined && !f.type.trim()) throw usageError('--type needs a service type.', ['e.g. --type foghorn'], 'TYPE_REQUIRED');
    const ctx = await this.context();
    const credential = await this.credential();
    refuseInGatewayOnly(ctx.config, 'services health', { service: 'Quartermaster', key: 'quartermaster', url: ctx.endpoints.quartermaster.value });
    // REST or gRPC as the context says (api: rest|grpc|auto); the results have one shape.
    const { client: qm } = await selectQuartermaster({ ctx, credential, timeoutMs: 15_000, dialer: await this.dialer() });

    let instances: ServiceInstanceHealth[];
    let serviceIds: string[] | undefined;
    if (f.type) {
      serviceIds = [...new Set((await qm.discover({ type: f.type })).map((i) => i.service_id))];
      instances = [];
      for (const id of serviceIds) instances.push(...(await qm.servicesHealth({ serviceId: id })));
    } else {
      instances = await qm.servicesHealth(f['service-id'] ? { serviceId: f['service-id'] } : {});
    }
    const shown = f.unhealthy ? instances.filter((i) => !isHealthy(i.status)) : instances;
    const now = Date.now();
    const rows = shown.map((i) => ({ ...i, condition: conditionOf(i.status), last_check_age_s: ageSeconds(i.dates.last_health_check, now) }));

    if (!this.jsonEnabled()) {
      if (rows.length) {
        this.out(
          renderTable(rows, [
            { header: 'service', get: (r) => r.service_id, keep: true },
            { header: 'instance', get: (r) => r.instance_id, id: true },
            { header: 'cluster', get: (r) => r.cluster_id },
            { header: 'host:port', get: (r) => `${r.host || '-'}:${r.port}`, optional: true },
            { header: 'protocol', get: (r) => r.protocol || '-', optional: true },
            { header: 'status', get: (r) => conditionCell(r.condition), keep: true },
            { header: 'detail', get: (r) => r.status || '-' },
            { header: 'last check', get: (r) => timeCell(r.last_health_check, now), keep: true },
          ]),
        );
      } else if (f.unhealthy && instances.length) {
        this.success(`All ${instances.length} instance${instances.length === 1 ? ' is' : 's are'} healthy.`);
      } else {
        const what = f.type ? ` of type ${f.type}${serviceIds?.length ? '' : ' (discovery found none)'}` : f['service-id'] ? ` of ${f['service-id']}` : '';
        this.info(`No instance${what} was health-checked by Quartermaster in the last 180 s.`);
      }
    }
    const result = {
      quartermaster: ctx.endpoints.quartermaster.value,
      ...(f.type ? { type: f.type, service_ids: serviceIds } : {}),
      ...(f['service-id'] ? { service_id: f['service-id'] } : {}),
      count: rows.length,
      instances: rows,
    };
    if (f.unhealthy && rows.length) {
      throw new FrameworksError(
        `${rows.length} of ${instances.length} instance${instances.length === 1 ? ' is' : 's are'} not healthy: ${rows.map((r) => `${r.service_id}/${r.instance_id} (${r.status || 'unknown'})`).join(', ')}.`,
        { code: 'SERVICES_UNHEALTHY', exitCode: ExitCode.FAILED, result, suggestions: ['frameworks services discover --type <type>   # where they run'] },
      );
    }
    if (!rows.length && !f.unhealthy) this.next('frameworks services discover --type <type>');
    return result;
  }
}
