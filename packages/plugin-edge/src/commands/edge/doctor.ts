import { Flags } from '@oclif/core';
import { paint } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError, isFrameworksError, type HostOutcome } from '@frameworks/sdk';
import { EdgeCommand } from '../../lib/edge-command.js';
import type { DoctorReport, SectionName } from '../../doctor/run.js';

export default class EdgeDoctor extends EdgeCommand<typeof EdgeDoctor> {
  static override summary = 'Diagnose an edge node in one report, each failure with its fix.';
  static override description = `Diagnose an edge node in one report: host preflight, services, HTTPS and certificate, each failure with the command that fixes it.

Runs, at the same time:
- preflight: every \`edge preflight\` check (DNS, ports — the ones the stack publishes —, clock, Docker and Compose, disk, /dev/shm, open files, sysctls);
- services: caddy, mistserver, helmsman (state, health), Helmsman's node id, Quartermaster's view (informational);
- https: TLS handshake with SNI = the domain, GET /health through Caddy;
- cert: verification and days left (warn < 30, fail < 7; Caddy's internal certificates are judged on their 12-hour life).

Every failing (and warning) item carries \`fix\`: the exact command that fixes or explains it — \`frameworks edge tune --write\` for sysctls, \`frameworks edge logs <service> --dir …\` for an unhealthy service, the stack's \`docker compose … up -d\` for a stopped one, … The remedy is chosen by the kind of check, never by matching words in its name. The "Next:" list gathers them, failures first.

--json: {host, ok, sections: {preflight, services, https, cert}, next_steps: […]} (each section {ok, items: [{id, category, status, value, hint?, fix?}]}). Exits 1 when anything fails; with several --ssh hosts, 68 when only some do.`;
  static override examples = [
    { description: 'Diagnose the local edge node, each failure with its fix', command: '<%= config.bin %> edge doctor' },
    { description: 'Diagnose the stack in /opt/frameworks/edge, as JSON', command: '<%= config.bin %> edge doctor --dir /opt/frameworks/edge --json' },
    { description: 'Diagnose without the host preflight checks', command: '<%= config.bin %> edge doctor --skip preflight' },
    { description: 'Diagnose two hosts over SSH', command: '<%= config.bin %> edge doctor --ssh ops@edge-1,ops@edge-2' },
  ];
  static override flags = {
    domain: Flags.string({ description: 'Domain to check (default: EDGE_DOMAIN in <dir>/.edge.env).' }),
    'expect-ip': Flags.string({ multiple: true, delimiter: ',', description: "Address(es) the domain must resolve to, for a host behind NAT or a load balancer (default: the host's own addresses)." }),
    skip: Flags.string({ multiple: true, delimiter: ',', options: ['preflight', 'services', 'https', 'cert'], description: 'Sections to leave out (repeatable or comma-separated).' }),
  };

  async run() {
    const ctx = await this.context();
    const remote = this.sshTargets().length > 0;
    const { sampleHttpDate } = await import('../../preflight/clock.js');
    const gateway = ctx.endpoints.gateway.value;
    const quartermaster = { baseUrl: ctx.endpoints.quartermaster.value, context: ctx.name, credential: () => this.credential('jwt-or-service') };
    const outcomes = await this.onHosts(async (h) => {
      const { runDoctor } = await import('../../doctor/run.js');
      const report = await runDoctor(h, {
        domain: this.flags.domain,
        expectIps: this.flags['expect-ip'],
        skip: this.flags.skip as SectionName[] | undefined,
        // A local run reads the clock of the context's gateway; over SSH the CLI's own clock is the reference.
        ...(remote ? {} : { referenceClock: () => sampleHttpDate(gateway) }),
        quartermaster,
      });
      if (!report.ok) {
        throw new FrameworksError(`${h.host === 'local' ? 'Edge doctor' : `Edge doctor on ${h.host}`}: ${report.summary.fail} check${report.summary.fail === 1 ? '' : 's'} failed.`, {
          code: 'EDGE_DOCTOR_FAILED',
          exitCode: ExitCode.FAILED,
          result: report,
          suggestions: report.next_steps,
        });
      }
      return report;
    });
    await this.print(outcomes);

    if (outcomes.length === 1) {
      const [o] = outcomes;
      if (!o.ok) throw o.error!;
      if (!this.jsonEnabled()) this.out(`\n✓ Edge node healthy — all checks passed${o.value!.summary.warn ? ` (${o.value!.summary.warn} warnings)` : ''}.`);
      this.next(...o.value!.next_steps.slice(0, 5));
      return o.value!;
    }
    return this.settle(outcomes, 'Edge doctor');
  }

  private async print(outcomes: HostOutcome<DoctorReport>[]): Promise<void> {
    if (this.jsonEnabled()) return;
    const { renderDoctor } = await import('../../doctor/render.js');
    for (const o of outcomes) {
      if (outcomes.length > 1) this.out(paint(`\n── ${o.host} ──`, 'bold'));
      const r = reportOf(o);
      if (r) this.out(renderDoctor(r));
      else this.out(`✗ ${o.error?.message ?? 'failed'}`);
    }
  }
}

function reportOf(o: HostOutcome<DoctorReport>): DoctorReport | undefined {
  if (o.value) return o.value;
  const r = isFrameworksError(o.error) ? (o.error.result as DoctorReport | undefined) : undefined;
  return r && typeof r === 'object' && 'sections' in r ? r : undefined;
}
