import { renderTable, timeCell } from '@frameworks/cli-kit';
import { AdminCommand, timeoutFlag } from '../../../lib/admin-command.js';

export default class TokensList extends AdminCommand<typeof TokensList> {
  static override summary = 'List your developer API tokens (values are never shown again).';
  static override description = `GET {control}/developer/tokens (Commodore): the logged-in user's tokens with their status (active, revoked, expired). Needs a user JWT.
Note: the MVP server fails to read the permissions column and usually returns an empty list (contract §4.2). In a gateway-only context (or with the Gateway fallback when the direct endpoint is unreachable) it goes through the Gateway's GraphQL (developerTokensConnection).`;
  static override examples = [
    { description: 'List your developer API tokens and their status', command: '<%= config.bin %> admin tokens list' },
    { description: 'List them as JSON', command: '<%= config.bin %> admin tokens list --json' },
  ];
  static override flags = { timeout: timeoutFlag };
  static override authPolicy = 'jwt' as const;
  static override gatewayOffered = true;

  async run() {
    const { client } = await this.commodore();
    const tokens = await this.routed('control', { direct: () => client.listDeveloperTokens(), gateway: (g) => g.listDeveloperTokens() });
    if (tokens.length === 0) {
      this.info('No developer tokens.');
      this.next('frameworks admin tokens create --name <name>');
    } else {
      this.out(
        renderTable(tokens, [
          { header: 'id', get: (t) => t.id, id: true },
          { header: 'name', get: (t) => t.token_name },
          { header: 'permissions', get: (t) => (t.permissions ?? []).join(',') || '-' },
          { header: 'status', get: (t) => t.status },
          { header: 'last used', get: (t) => timeCell(t.dates.last_used_at) },
          { header: 'expires', get: (t) => timeCell(t.dates.expires_at) },
        ]),
      );
    }
    return { tokens, count: tokens.length };
  }
}
