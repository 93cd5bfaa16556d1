import { renderTable } from '@frameworks/cli-kit';
import { InfraCommand, tenantFlag } from '../../lib/infra-command.js';

export default class InfraOutput extends InfraCommand<typeof InfraOutput> {
  static override summary = "Show a tenant's Terraform outputs and the hosts they name.";
  static override description = `Read a tenant's outputs (terraform output -json) from its state and keep them for the hand-off: <frameworks home>/infra/<tenant>/outputs.json and hosts (read by infra hosts, --ssh @<tenant> and context create --from-infra).

Outputs the hand-off reads: central_hosts (list of [user@]host[:port], or objects {host, user, port}), ssh_user (the default user) and endpoints (map of context service key to URL). Sensitive outputs are shown as (sensitive), are null in --json and are never kept on disk.`;

  static override examples = [
    { description: 'Outputs of tenant acme-prod', command: '<%= config.bin %> infra output --tenant acme-prod' },
    { description: 'Read them from the control host that holds the state', command: '<%= config.bin %> infra output --tenant acme-prod --ssh ops@control-1 --json' },
  ];

  static override flags = { tenant: tenantFlag };

  async run() {
    const { recordOutputs } = await import('../../lib/apply-run.js');
    const { hostsFromOutputs, endpointsFromOutputs } = await import('@frameworks/sdk');
    const tenant = this.tenant();
    const retry = this.retryCommand('output', tenant);
    const r = await this.withTerraform('output', tenant, { lock: false }, async ({ tf, h, prepared }) => {
      await tf.init(prepared.backendConfig, retry);
      return { tenant, host: h.host, outputs: await recordOutputs(tf, tenant, retry) };
    });
    const hosts = hostsFromOutputs(r.outputs);
    const endpoints = endpointsFromOutputs(r.outputs);
    if (!this.jsonEnabled()) {
      const rows = Object.entries(r.outputs);
      if (!rows.length) this.info(`Tenant ${tenant} has no outputs (not applied yet?).`);
      else this.out(renderTable(rows, [
        { header: 'output', get: ([k]) => k },
        { header: 'value', get: ([, o]) => (o.sensitive ? '(sensitive)' : typeof o.value === 'string' ? o.value : JSON.stringify(o.value)) },
      ]));
      if (hosts.length) this.info(`Hosts: ${hosts.join(', ')}`);
    }
    if (hosts.length) this.next(`frameworks infra hosts --tenant ${tenant}`, `frameworks services plan --ssh @${tenant}`);
    return { ...r, hosts, endpoints };
  }
}
