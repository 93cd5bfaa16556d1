import { Args } from '@oclif/core';
import { AdminCommand, dryRunFlag, timeoutFlag, withListHint, yesFlag } from '../../../lib/admin-command.js';

export default class TokensRevoke extends AdminCommand<typeof TokensRevoke> {
  static override summary = 'Revoke one of your developer API tokens.';
  static override description = `DELETE {control}/developer/tokens/<id> (Commodore; a soft revoke). Needs a user JWT.
Asks for confirmation unless --yes; without a terminal (CI, --json, --no-input) it needs --yes (exit 2 otherwise). An unknown or already revoked id is exit 1.`;
  static override examples = ['<%= config.bin %> admin tokens revoke b3c1e2d4-5f6a-4b7c-8d9e-0f1a2b3c4d5e --yes'];
  static override args = { id: Args.string({ required: true, description: 'Token id from admin tokens list.' }) };
  static override flags = { yes: yesFlag, 'dry-run': dryRunFlag, timeout: timeoutFlag };
  static override authPolicy = 'jwt' as const;
  static override mutating = true;

  async run() {
    const { id } = this.args;
    this.auditTargets = [id];
    const { client, url } = await this.commodore();
    if (this.flags['dry-run']) {
      this.out(`Would DELETE ${url}/developer/tokens/${id}`);
      return { dry_run: true, id, revoked: false };
    }
    if (!(await this.confirm(`Revoke developer token ${id}?`))) {
      this.info('Nothing was revoked.');
      return { id, revoked: false };
    }
    const res = await withListHint(client.revokeDeveloperToken(id), `Developer token ${id} not found or already revoked.`, 'frameworks admin tokens list');
    this.success(`Revoked developer token "${res.token_name}" (${id}).`);
    return { id, revoked: true, token_name: res.token_name, revoked_at: res.revoked_at };
  }
}
