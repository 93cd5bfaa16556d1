import { Args } from '@oclif/core';
import { AdminCommand, dryRunFlag, timeoutFlag, withListHint, yesFlag } from '../../../lib/admin-command.js';

export default class TokensRevoke extends AdminCommand<typeof TokensRevoke> {
  static override summary = 'Revoke one of your developer API tokens.';
  static override description = `DELETE {control}/developer/tokens/<id> (Commodore; a soft revoke). Needs a user JWT.
Asks for confirmation unless --yes; without a terminal (CI, --json, --no-input) it needs --yes (exit 2 otherwise). An unknown or already revoked id is exit 1. In a gateway-only context (or with the Gateway fallback when the direct endpoint is unreachable) it goes through the Gateway's GraphQL (revokeDeveloperToken).`;
  static override examples = [
    {
      description: 'Revoke one of your developer API tokens without asking',
      command: '<%= config.bin %> admin tokens revoke b3c1e2d4-5f6a-4b7c-8d9e-0f1a2b3c4d5e --yes',
    },
  ];
  static override args = { id: Args.string({ required: true, description: 'Token id from admin tokens list.' }) };
  static override flags = { yes: yesFlag, 'dry-run': dryRunFlag, timeout: timeoutFlag };
  static override authPolicy = 'jwt' as const;
  static override mutating = true;
  static override gatewayOffered = true;

  async run() {
    const { id } = this.args;
    this.auditTargets = [id];
    const { client, url, era } = await this.commodore();
    if (this.flags['dry-run']) {
      const gateway = await this.gatewayOnlyUrl();
      const direct = era === 'grpc' ? `Would call commodore.DeveloperService/RevokeAPIToken on ${url}` : `Would DELETE ${url}/developer/tokens/${id}`;
      this.out(gateway ? `Would send revokeDeveloperToken(id: ${id}) to ${gateway}` : direct);
      return { dry_run: true, id, revoked: false };
    }
    if (!(await this.confirm(`Revoke developer token ${id}?`))) {
      this.info('Nothing was revoked.');
      return { id, revoked: false };
    }
    const revoke = this.routed('control', { direct: () => client.revokeDeveloperToken(id), gateway: (g) => g.revokeDeveloperToken(id), mutation: true });
    const res = await withListHint(revoke, `Developer token ${id} not found or already revoked.`, 'frameworks admin tokens list');
    this.success(`Revoked developer token "${res.token_name}" (${id}).`);
    return { id, revoked: true, token_name: res.token_name, revoked_at: res.revoked_at };
  }
}
