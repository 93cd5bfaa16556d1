import { Flags } from '@oclif/core';
import { renderKeyValues } from '@frameworks/cli-kit';
import { allowSecret, buildDeveloperTokenBody, buildGatewayDeveloperTokenInput, mask, type CreateDeveloperTokenInput } from '@frameworks/sdk';
import { AdminCommand, dryRunFlag, timeoutFlag } from '../../../lib/admin-command.js';

export default class TokensCreate extends AdminCommand<typeof TokensCreate> {
  static override summary = 'Create a developer API token (needs a user login).';
  static override description = `POST {control}/developer/tokens (Commodore). A user JWT is required (frameworks login --email …); the service token is not accepted.
The token value is printed ONCE, here (text and --json). --expires is a lifetime from now (30d, 720h) sent as an absolute expires_at; the server default is 30 days. --perms defaults to read,write on the server. In a gateway-only context (or with the Gateway fallback when the direct endpoint is unreachable) it goes through the Gateway's GraphQL (createDeveloperToken; --expires in whole days).`;
  static override examples = [
    { description: 'Create a developer API token named ci (shown once)', command: '<%= config.bin %> admin tokens create --name ci' },
    {
      description: 'Create a read-only token for 90 days, as JSON',
      command: '<%= config.bin %> admin tokens create --name dashboards --perms read --expires 90d --json',
    },
  ];
  static override flags = {
    name: Flags.string({ description: 'Token name (shown by list).', required: true }),
    expires: Flags.string({ description: 'Lifetime from now: 30d, 720h… (default on the server: 30 days).' }),
    perms: Flags.string({ description: 'Permissions, comma-separated (default on the server: read,write).' }),
    'dry-run': dryRunFlag,
    timeout: timeoutFlag,
  };
  static override authPolicy = 'jwt' as const;
  static override mutating = true;
  static override gatewayOffered = true;

  async run() {
    const f = this.flags;
    const input: CreateDeveloperTokenInput = { name: f.name, expiresIn: f.expires, permissions: f.perms?.split(',') };
    const body = buildDeveloperTokenBody(input); // validated before any credential or request
    const { client, url, era } = await this.commodore();
    const gateway = f['dry-run'] ? await this.gatewayOnlyUrl() : undefined;
    if (gateway) {
      const variables = { input: buildGatewayDeveloperTokenInput(input) };
      this.out(`Would send createDeveloperToken to ${gateway}:`);
      this.out(JSON.stringify(variables, null, 2));
      return { dry_run: true, request: { method: 'POST', url: gateway, operation: 'createDeveloperToken', variables } };
    }
    if (f['dry-run']) {
      this.out(era === 'grpc' ? `Would call commodore.DeveloperService/CreateAPIToken on ${url}:` : `Would POST ${url}/developer/tokens:`);
      this.out(JSON.stringify(body, null, 2));
      return { dry_run: true, request: { method: 'POST', url: `${url}/developer/tokens`, body } };
    }
    const token = await this.routed('control', { direct: () => client.createDeveloperToken(input), gateway: (g) => g.createDeveloperToken(input), mutation: true });
    this.auditTargets = [token.id];
    allowSecret(token.token_value);
    this.success(`Created developer token "${token.token_name}" (${token.id}).`);
    this.out(
      renderKeyValues([
        ['token', token.token_value],
        ['permissions', token.permissions.join(',')],
        // gRPC era: no expiry unless asked (contract §4.5).
        ['expires', token.expires_at ?? 'never'],
      ], '  '),
    );
    this.warning(`The token is shown only now (${mask(token.token_value)} from here on): store it securely.`, 'SHOWN_ONCE');
    this.next('frameworks admin tokens list');
    return { token: { id: token.id, token_value: token.token_value, token_name: token.token_name, permissions: token.permissions, expires_at: token.expires_at ?? null, created_at: token.created_at } };
  }
}
