import { renderTable, timeCell } from '@frameworks/cli-kit';
import { mask } from '@frameworks/sdk';
import { AdminCommand, orDash, timeoutFlag } from '../../../lib/admin-command.js';

export default class BootstrapTokensList extends AdminCommand<typeof BootstrapTokensList> {
  static override summary = 'List bootstrap tokens, newest first (values masked).';
  static override description = `GET {quartermaster}/admin/bootstrap-tokens: used and expired tokens included. The server returns full token values at MVP; they are masked here and in --json (a token is shown whole only by create).
Needs the service token or a provider JWT (the service token is preferred when both are available). In a gateway-only context (or with the Gateway fallback when the direct endpoint is unreachable) it goes through the Gateway's GraphQL (bootstrapTokensConnection, the service token).`;
  static override examples = [
    { description: 'List bootstrap tokens, newest first, values masked', command: '<%= config.bin %> admin bootstrap-tokens list' },
    { description: 'List them as JSON', command: '<%= config.bin %> admin bootstrap-tokens list --json' },
  ];
  static override flags = { timeout: timeoutFlag };
  static override authPolicy = 'jwt-or-service' as const;
  static override preferServiceToken = true;
  static override gatewayOffered = true;

  async run() {
    const { client } = await this.quartermaster();
    const now = Date.now();
    const tokens = (await this.routed('quartermaster', { direct: () => client.listBootstrapTokens(), gateway: (g) => g.listBootstrapTokens() })).map((t) => ({
      ...t,
      token: mask(t.token),
      status: t.used_at ? 'used' : t.dates.expires_at && t.dates.expires_at.getTime() <= now ? 'expired' : 'active',
    }));
    if (tokens.length === 0) {
      this.info('No bootstrap tokens.');
      this.next('frameworks admin bootstrap-tokens create --tenant-id <uuid>');
    } else {
      this.out(
        renderTable(tokens, [
          { header: 'id', get: (t) => t.id, id: true },
          { header: 'kind', get: (t) => t.kind, keep: true },
          { header: 'status', get: (t) => t.status, keep: true },
          { header: 'tenant', get: (t) => orDash(t.tenant_id), optional: true },
          { header: 'cluster', get: (t) => orDash(t.cluster_id) },
          { header: 'token', get: (t) => t.token, optional: true },
          { header: 'expires', get: (t) => timeCell(t.expires_at, now), keep: true },
        ]),
      );
    }
    return { tokens, count: tokens.length };
  }
}
