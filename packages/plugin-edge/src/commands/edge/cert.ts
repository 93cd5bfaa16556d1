import { Flags } from '@oclif/core';
import { lockFlags, paint } from '@frameworks/cli-kit';
import { isFrameworksError, usageError, type HostContext, type HostOutcome } from '@frameworks/sdk';
import { EdgeCommand } from '../../lib/edge-command.js';
import type { CertResult } from '../../cert/run.js';

export default class EdgeCert extends EdgeCommand<typeof EdgeCert> {
  static override summary = "Show the edge's TLS certificate and whether it verifies; --reload reloads Caddy.";
  static override description = `Show the edge's TLS certificate: subject, issuer, SANs, validity, days left, whether it verifies; --reload reloads Caddy first.

Dials the edge over TLS the way a browser would once DNS is in place (SNI = the domain from --domain or EDGE_DOMAIN; the domain's address, else the host's) and verifies the certificate: against the system roots for ACME, against Caddy's internal root (read from the caddy container) for \`tls internal\`.

Thresholds: a publicly issued certificate warns below 30 days left (exit 0 with a warning) and fails below 7 days, when expired, or when it does not verify (exit 1). Caddy's internal CA issues 12-hour certificates and renews them itself: those warn when less than a sixth of their life is left and fail only when expired or not verifying.

--reload runs \`caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile\` inside the caddy container (found by its compose labels), then checks again. A failed reload exits 1 with Caddy's error; Caddy keeps the previous config.

With several --ssh hosts: one result per host; exit 68 when only some fail.`;
  static override examples = [
    { description: 'Show the certificate of the local edge and whether it verifies', command: '<%= config.bin %> edge cert' },
    { description: 'Reload Caddy first, for the stack in /opt/frameworks/edge', command: '<%= config.bin %> edge cert --reload --dir /opt/frameworks/edge' },
    { description: 'Check the certificates of two hosts over SSH, as JSON', command: '<%= config.bin %> edge cert --ssh ops@edge-1,ops@edge-2 --json' },
  ];
  static override flags = {
    domain: Flags.string({ description: 'Domain to check (default: EDGE_DOMAIN in <dir>/.edge.env).' }),
    reload: Flags.boolean({ description: 'Reload Caddy inside its container (caddy reload), then check the certificate again.' }),
    address: Flags.string({ hidden: true, description: 'For testing (or NAT): dial host:port instead of the domain / the host, still with SNI = the domain.' }),
    ca: Flags.string({ hidden: true, description: 'For testing: verify against this PEM CA file instead of the system roots / Caddy internal root.' }),
    ...lockFlags,
  };
  static override mutating = false;

  /** --reload changes the running Caddy: that run is audited like the other changes. */
  protected override mutates(): boolean {
    return Boolean(this.flags?.reload);
  }

  async run() {
    const { parseAddress, certForHost } = await import('../../cert/run.js');
    const address = this.flags.address ? parseAddress(this.flags.address) : undefined;
    let ca: string | undefined;
    if (this.flags.ca) {
      const { readFile } = await import('node:fs/promises');
      ca = await readFile(this.flags.ca, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw usageError(`--ca ${this.flags.ca}: cannot read it (${err.code ?? err.message}).`, ['Give a PEM file with the CA certificate(s)'], 'CA_UNREADABLE');
      });
    }
    const overrides = { ...(address ? { address } : {}), ...(ca !== undefined ? { ca } : {}) };
    const check = (h: HostContext) => certForHost(h, { domain: this.flags.domain, reload: this.flags.reload, overrides });
    // --reload changes the running Caddy: under the stack's lock. A plain check never waits for it.
    const outcomes = await this.onHosts((h) => (this.flags.reload ? this.withLock(h, () => check(h)) : check(h)));
    await this.print(outcomes);
    for (const o of outcomes) {
      const r = resultOf(o);
      if (r?.status === 'warn') this.warning(`${outcomes.length > 1 ? `${o.host}: ` : ''}${r.domain}: ${r.message}`, r.code);
    }
    if (outcomes.length === 1) {
      const [o] = outcomes;
      if (!o.ok) throw o.error!;
      if (o.value!.status === 'warn') this.next(...(await import('../../cert/run.js')).certSuggestions({ host: o.host, dir: o.value!.dir, remote: o.host !== 'local' }, o.value!.code));
      return o.value!;
    }
    return this.settle(outcomes, 'Certificate check');
  }

  private async print(outcomes: HostOutcome<CertResult>[]): Promise<void> {
    if (this.jsonEnabled()) return;
    const { renderCert } = await import('../../cert/render.js');
    for (const o of outcomes) {
      if (outcomes.length > 1) this.out(paint(`\n── ${o.host} ──`, 'bold'));
      const r = resultOf(o);
      if (r?.reload) this.out(`${r.reload.ok ? '✓' : '✗'} caddy reload (${r.reload.duration_ms} ms)`);
      if (r && r.url) this.out(renderCert(r));
      else if (outcomes.length > 1) this.out(`✗ ${o.error?.message ?? 'failed'}`);
    }
  }
}

function resultOf(o: HostOutcome<CertResult>): CertResult | undefined {
  if (o.value) return o.value;
  const r = isFrameworksError(o.error) ? (o.error.result as CertResult | undefined) : undefined;
  return r && typeof r === 'object' && 'host' in r ? r : undefined;
}
