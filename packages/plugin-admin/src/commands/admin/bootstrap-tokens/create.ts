import { Flags } from '@oclif/core';
import { renderKeyValues } from '@frameworks/cli-kit';
import { allowSecret, buildBootstrapTokenBody, buildGatewayBootstrapInput, mask, type BootstrapTokenKind, type CreateBootstrapTokenInput } from '@frameworks/sdk';
import { AdminCommand, dryRunFlag, orDash, parseMetadata, timeoutFlag } from '../../../lib/admin-command.js';

export default class BootstrapTokensCreate extends AdminCommand<typeof BootstrapTokensCreate> {
  static override summary = 'Create a bootstrap (enrollment) token for an edge node or a service.';
  static override description = `POST {quartermaster}/admin/bootstrap-tokens. Needs the service token or a JWT of a provider tenant; when both are available the service token is sent (a non-provider JWT would get 403).
The token value is printed ONCE, here (text and --json); list shows it masked. Store it now.
--ttl takes 90m, 24h, 30d… (days are sent as hours: 30d → 720h). An edge_node token needs --tenant-id. In a gateway-only context (or with the Gateway fallback when the direct endpoint is unreachable) it goes through the Gateway's GraphQL (createBootstrapToken with the service token: --kind service only, --ttl in whole days, no tenant, cluster, IP or metadata).`;
  static override examples = [
    {
      description: 'Create an edge node token for a tenant in cluster central-1',
      command: '<%= config.bin %> admin bootstrap-tokens create --tenant-id 5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10 --cluster-id central-1 --metadata site=ams',
    },
    {
      description: 'Create a service token valid 1 hour, usable only from 203.0.113.7',
      command: '<%= config.bin %> admin bootstrap-tokens create --kind service --ttl 1h --expected-ip 203.0.113.7',
    },
    {
      description: 'Show the request a 7-day token would send; create nothing',
      command: '<%= config.bin %> admin bootstrap-tokens create --tenant-id 5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10 --ttl 7d --dry-run',
    },
  ];
  static override flags = {
    kind: Flags.string({ description: 'What the token enrolls.', options: ['edge_node', 'service'], default: 'edge_node' }),
    'tenant-id': Flags.string({ description: 'Tenant (UUID) the node belongs to; required for edge_node.' }),
    'cluster-id': Flags.string({ description: 'Cluster to enroll into.' }),
    'expected-ip': Flags.string({ description: 'Only this IPv4/IPv6 address may use the token.' }),
    ttl: Flags.string({ description: 'Lifetime: 90m, 24h, 30d…', default: '24h' }),
    metadata: Flags.string({ description: 'key=value pairs, comma-separated; repeatable.', multiple: true }),
    'dry-run': dryRunFlag,
    timeout: timeoutFlag,
  };
  static override authPolicy = 'jwt-or-service' as const;
  static override preferServiceToken = true;
  static override mutating = true;
  static override gatewayOffered = true;

  async run() {
    const f = this.flags;
    // Validated before any credential or request: a bad value is exit 2 with nothing sent.
    const input: CreateBootstrapTokenInput = {
      kind: f.kind as BootstrapTokenKind,
      tenantId: f['tenant-id'],
      clusterId: f['cluster-id'],
      expectedIp: f['expected-ip'],
      ttl: f.ttl,
      metadata: parseMetadata(f.metadata),
    };
    const body = buildBootstrapTokenBody(input);
    const { client, url, credential, era } = await this.quartermaster();
    const gateway = f['dry-run'] ? await this.gatewayOnlyUrl() : undefined;
    if (gateway) {
      const variables = { input: buildGatewayBootstrapInput(input, url) };
      this.out(`Would send createBootstrapToken to ${gateway} as the service token:`);
      this.out(JSON.stringify(variables, null, 2));
      return { dry_run: true, request: { method: 'POST', url: gateway, operation: 'createBootstrapToken', credential: credential?.kind ?? null, variables } };
    }
    if (f['dry-run']) {
      const target = era === 'grpc' ? `quartermaster.BootstrapService/CreateBootstrapToken on ${url}` : `POST ${url}/admin/bootstrap-tokens`;
      this.out(`Would call ${target} as ${credential?.kind === 'service' ? 'the service token' : 'the JWT'}:`);
      this.out(JSON.stringify(body, null, 2));
      return { dry_run: true, request: { method: 'POST', url: `${url}/admin/bootstrap-tokens`, credential: credential?.kind ?? null, body } };
    }
    const token = await this.routed('quartermaster', { direct: () => client.createBootstrapToken(input), gateway: (g) => g.createBootstrapToken(input), mutation: true });
    this.auditTargets = [token.id];
    // The one place the value is shown whole (redaction stays on for everything else).
    allowSecret(token.token);
    this.success(`Created ${token.kind} bootstrap token ${token.id}.`);
    this.out(
      renderKeyValues([
        ['token', token.token],
        ['kind', token.kind],
        ['tenant', orDash(token.tenant_id)],
        ['cluster', orDash(token.cluster_id)],
        ['expected ip', orDash(token.expected_ip)],
        ['metadata', token.metadata ? Object.entries(token.metadata).map(([k, v]) => `${k}=${String(v)}`).join(',') : '-'],
        ['expires', token.expires_at],
      ], '  '),
    );
    this.warning(`The token is shown only now (${mask(token.token)} from here on): store it securely.`, 'SHOWN_ONCE');
    this.next('frameworks edge enroll --token-stdin   (on the edge node)', 'frameworks admin bootstrap-tokens list');
    return { token };
  }
}
