import { Args } from '@oclif/core';
import { usageError } from '@frameworks/sdk';
import { AdminCommand, UUID, dryRunFlag, timeoutFlag, yesFlag } from '../../../lib/admin-command.js';

export default class BootstrapTokensRevoke extends AdminCommand<typeof BootstrapTokensRevoke> {
  static override summary = 'Revoke (delete) a bootstrap token.';
  static override description = `DELETE {quartermaster}/admin/bootstrap-tokens/<id>: the token can no longer enroll anything.
Asks for confirmation unless --yes; without a terminal (CI, --json, --no-input) it needs --yes (exit 2 otherwise). An unknown id is exit 1. In a gateway-only context (or with the Gateway fallback when the direct endpoint is unreachable) it goes through the Gateway's GraphQL (revokeBootstrapToken, the service token).`;
  static override examples = [
    { description: 'Revoke a bootstrap token, after asking', command: '<%= config.bin %> admin bootstrap-tokens revoke 0c7f5f8e-7d7a-4b1a-8f3e-3f2f6b2a1c11' },
    {
      description: 'Revoke it from a script, without asking',
      command: '<%= config.bin %> admin bootstrap-tokens revoke 0c7f5f8e-7d7a-4b1a-8f3e-3f2f6b2a1c11 --yes --json',
    },
  ];
  static override args = { id: Args.string({ required: true, description: 'Token id (UUID) from bootstrap-tokens list.' }) };
  static override flags = { yes: yesFlag, 'dry-run': dryRunFlag, timeout: timeoutFlag };
  static override authPolicy = 'jwt-or-service' as const;
  static override preferServiceToken = true;
  static override mutating = true;
  static override gatewayOffered = true;

  async run() {
    const { id } = this.args;
    this.auditTargets = [id];
    if (!UUID.test(id)) throw usageError(`"${id}" is not a bootstrap token id (a UUID).`, ['List ids with: frameworks admin bootstrap-tokens list'], 'INVALID_ID');
    const { client, url, era } = await this.quartermaster();
    if (this.flags['dry-run']) {
      const gateway = await this.gatewayOnlyUrl();
      const direct = era === 'grpc' ? `Would call quartermaster.BootstrapService/RevokeBootstrapToken on ${url}` : `Would DELETE ${url}/admin/bootstrap-tokens/${id}`;
      this.out(gateway ? `Would send revokeBootstrapToken(id: ${id}) to ${gateway}` : direct);
      return { dry_run: true, id, revoked: false };
    }
    if (!(await this.confirm(`Revoke bootstrap token ${id}?`))) {
      this.info('Nothing was revoked.');
      return { id, revoked: false };
    }
    const res = await this.routed('quartermaster', { direct: () => client.revokeBootstrapToken(id), gateway: (g) => g.revokeBootstrapToken(id), mutation: true });
    this.success(`Revoked bootstrap token ${id}.`);
    return { id, revoked: true, message: res.message ?? null };
  }
}
