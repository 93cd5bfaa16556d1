import { Flags } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import { checkTenantName } from '@frameworks/sdk';
import { tenantFlag } from '../../lib/infra-command.js';

export default class InfraHosts extends FrameworksCommand<typeof InfraHosts> {
  static override summary = 'Write the hosts a tenant\'s apply created as an SSH inventory.';
  static override description = `Write the hosts named by the tenant's outputs (central_hosts, ssh_user) as an SSH inventory: one user@host[:port] a line, # comments.

Read from what the last infra apply or infra output kept in <frameworks home>/infra/<tenant>/ (no Terraform run). The inventory is always kept there too, so every verb with --ssh takes --ssh @<tenant>; --out writes a copy (use it as --ssh @<file>).`;

  static override examples = [
    { description: 'Print the hosts of tenant acme-prod', command: '<%= config.bin %> infra hosts --tenant acme-prod' },
    { description: 'Write them to a file, then install the central tier there', command: '<%= config.bin %> infra hosts --tenant acme-prod --out hosts.txt' },
    { description: 'Use the inventory directly', command: '<%= config.bin %> services up --ssh @acme-prod --dir /opt/frameworks-central' },
  ];

  static override flags = {
    tenant: tenantFlag,
    out: Flags.string({ description: 'Also write the inventory to this file.' }),
  };

  static override mutating = true;

  async run() {
    const { readInfraRecord, inventoryText, infraRecordDir, writeAllOrNothing, LocalExecutor, ExitCode, FrameworksError } = await import('@frameworks/sdk');
    const { join, resolve } = await import('node:path');
    const tenant = checkTenantName(this.flags.tenant);
    const record = await readInfraRecord(tenant);
    if (!record.hosts.length) {
      throw new FrameworksError(`Tenant ${tenant}'s outputs name no host (output central_hosts is missing or empty).`, {
        code: 'INFRA_NO_HOSTS',
        exitCode: ExitCode.FAILED,
        suggestions: [`frameworks infra output --tenant ${tenant}`],
      });
    }
    const text = inventoryText(tenant, record.hosts);
    const files = [join(infraRecordDir(tenant), 'hosts'), ...(this.flags.out ? [resolve(this.flags.out)] : [])];
    await writeAllOrNothing(new LocalExecutor(), files.map((path) => ({ path, content: text })), { createDirs: true });
    this.auditTargets = [tenant];
    if (!this.jsonEnabled()) this.out(record.hosts.join('\n'));
    this.next(`frameworks services plan --ssh @${this.flags.out ? resolve(this.flags.out) : tenant}`);
    return { tenant, hosts: record.hosts, files, outputs_written_at: record.written_at };
  }
}
