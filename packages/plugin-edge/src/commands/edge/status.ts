import { Flags } from '@oclif/core';
import { ExitCode, FrameworksError, isFrameworksError, type HostOutcome } from '@frameworks/sdk';
import { EdgeCommand } from '../../lib/edge-command.js';
import type { StatusReport } from '../../status/run.js';

export default class EdgeStatus extends EdgeCommand<typeof EdgeStatus> {
  static override summary = 'Is the edge healthy? Services, HTTPS, certificate, DNS, Quartermaster.';
  static override description = `Is the edge healthy? Services, HTTPS, certificate, DNS, and what Quartermaster knows of the node.

For caddy, mistserver and helmsman (found by their compose labels, so Compose v1 and v2 stacks alike): state, health, restarts, image and digest, uptime. A missing service counts as down.

Then, all at once:
- HTTPS: a TLS handshake with SNI = the domain, and GET /health through Caddy (Helmsman answers);
- certificate: verified (system roots, or Caddy's internal root for tls internal), days left (warn < 30, fail < 7);
- DNS: the domain's A/AAAA, resolved by the host itself (getent ahosts), include one of the host's addresses (or --expect-ip); skipped for an IP address and for a test/internal name (.test, .internal, …) that does not resolve;
- node: Helmsman's node id and mode (its loopback /node/mode, through docker exec);
- Quartermaster: GET /nodes?node_type=edge with the context's credentials — best effort: unreachable or no credentials is a note.

Exits 1 when degraded (a service down or unhealthy, HTTPS or /health failing, the certificate failing, DNS pointing elsewhere), with the command that fixes or explains each problem. With several --ssh hosts: one row per host (services up/total, health, certificate days, verdict); exit 68 when only some hosts are degraded or unreachable, 1 when all are.`;
  static override examples = [
    { description: 'Is the local edge healthy?', command: '<%= config.bin %> edge status' },
    { description: 'Check the stack in /opt/frameworks/edge, as JSON', command: '<%= config.bin %> edge status --dir /opt/frameworks/edge --json' },
    { description: 'Check three hosts over SSH', command: '<%= config.bin %> edge status --ssh ops@edge-1,ops@edge-2,ops@edge-3' },
  ];
  static override flags = {
    domain: Flags.string({ description: 'Domain to check (default: EDGE_DOMAIN in <dir>/.edge.env).' }),
    'expect-ip': Flags.string({ multiple: true, delimiter: ',', description: "Address(es) the domain must resolve to, for a host behind NAT or a load balancer (default: the host's own addresses)." }),
  };

  async run() {
    const ctx = await this.context();
    const quartermaster = { baseUrl: ctx.endpoints.quartermaster.value, context: ctx.name, credential: () => this.credential('jwt-or-service') };
    const outcomes = await this.onHosts(async (h) => {
      const { collectStatus } = await import('../../status/run.js');
      const report = await collectStatus(h, { domain: this.flags.domain, expectIps: this.flags['expect-ip'], quartermaster });
      if (report.verdict === 'degraded') {
        throw new FrameworksError(`${h.host === 'local' ? 'The edge' : h.host} is degraded: ${report.problems.join('; ')}`, {
          code: 'EDGE_DEGRADED',
          exitCode: ExitCode.FAILED,
          result: report,
          suggestions: report.suggestions,
        });
      }
      return report;
    });
    await this.print(outcomes);

    if (outcomes.length === 1) {
      const [o] = outcomes;
      if (!o.ok) throw o.error!;
      for (const w of o.value!.warnings) this.warning(w, 'EDGE_STATUS_WARNING');
      this.next(...o.value!.suggestions.slice(0, 3));
      return o.value!;
    }
    // settle() decides the exit: all fine 0, some hosts bad 68, all bad 1 (all unreachable 6).
    return this.settle(outcomes, 'Edge status', (o) => {
      const r = reportOf(o);
      return {
        host: o.host,
        ok: o.ok,
        verdict: r ? r.verdict : 'failed',
        services: r ? `${r.summary.up}/${r.summary.total}` : null,
        health: r ? (r.problems[0] ?? `${r.summary.healthy}/${r.summary.total} healthy`) : null,
        cert_days: r?.cert?.days_left ?? null,
        report: r ?? null,
        error: o.ok || r ? null : { code: isFrameworksError(o.error) ? o.error.code : 'FAILED', message: o.error?.message ?? 'failed' },
        duration_ms: o.durationMs,
      };
    });
  }

  private async print(outcomes: HostOutcome<StatusReport>[]): Promise<void> {
    if (this.jsonEnabled()) return;
    const { renderFleet, renderStatus } = await import('../../status/render.js');
    if (outcomes.length === 1) {
      const r = reportOf(outcomes[0]);
      if (r) this.out(renderStatus(r));
      if (r?.verdict === 'healthy') this.out(`\n✓ healthy: ${r.summary.healthy}/${r.summary.total} services healthy${r.https?.ok ? ', HTTPS answers' : ''}${r.cert?.not_after ? `, certificate valid ${(await import('../../cert/evaluate.js')).formatLeft(Date.parse(r.cert.not_after) - Date.now())}` : ''}`);
      return;
    }
    this.out(renderFleet(outcomes.map((o) => ({ host: o.host, report: reportOf(o), error: o.error?.message }))));
  }
}

function reportOf(o: HostOutcome<StatusReport>): StatusReport | undefined {
  if (o.value) return o.value;
  const r = isFrameworksError(o.error) ? (o.error.result as StatusReport | undefined) : undefined;
  return r && typeof r === 'object' && Array.isArray((r as StatusReport).services) ? r : undefined;
}
