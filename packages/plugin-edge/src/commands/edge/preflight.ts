import { Flags } from '@oclif/core';
import { paint } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError, isFrameworksError, usageError, type HostOutcome } from '@frameworks/sdk';
import { EdgeCommand } from '../../lib/edge-command.js';
import type { PreflightReport } from '../../preflight/types.js';

export default class EdgePreflight extends EdgeCommand<typeof EdgePreflight> {
  static override summary = 'Check that a host can run an edge node (DNS, ports, Docker, disk, sysctls).';
  static override description = `Check that a host can run an edge node: DNS, ports 80/443, clock, Docker and Compose, disk, /dev/shm, sysctls, open files.

Every check runs on the host itself (over --ssh on a remote one), all at the same time:
- dns: A/AAAA of --domain (default EDGE_DOMAIN in <dir>/.edge.env) resolve, to this host or --expect-ip
- port-80, port-443: free, or held by this edge stack (not another container or process)
- clock: NTP synchronised; offset vs the context gateway's Date header (over SSH: vs this machine); warn > 1 s, fail > 5 s
- docker, compose: engine reachable (≥ 20.10); Compose v2 or v1, reported
- disk-root, disk-docker: ≥ 20 GiB and ≥ 10 % free on / and on Docker's data root
- shm: /dev/shm mounted, and its size
- nofile: the engine grants containers nofile=1048576 (a throw-away container from a local image; never pulls)
- sysctl:<key>: each value against the edge tune targets

Each check reports pass, warn, fail or skip with the value seen, the threshold and a hint. Exits 1 when any check fails; with several --ssh hosts, 68 when only some hosts fail.`;
  static override examples = [
    { description: 'Check that this host can run an edge node', command: '<%= config.bin %> edge preflight' },
    {
      description: 'Also check that edge-1.example.com resolves to 203.0.113.7',
      command: '<%= config.bin %> edge preflight --domain edge-1.example.com --expect-ip 203.0.113.7',
    },
    {
      description: 'Check two hosts over SSH, as JSON',
      command: '<%= config.bin %> edge preflight --ssh ops@edge-1,ops@edge-2 --dir /opt/frameworks/edge --json',
    },
  ];
  static override flags = {
    domain: Flags.string({ description: 'Domain whose A/AAAA records must point at the host (default: EDGE_DOMAIN in <dir>/.edge.env; no domain: the DNS check is skipped).' }),
    'expect-ip': Flags.string({
      multiple: true,
      delimiter: ',',
      description: "Address(es) the domain must resolve to, for a host behind NAT or a load balancer (default: the host's own addresses).",
    }),
    ports: Flags.string({ hidden: true, description: 'For testing: comma-separated ports to check instead of 80,443.' }),
  };

  async run() {
    const ports = parsePorts(this.flags.ports);
    // A local run reads the clock of the context's gateway; over SSH the CLI's own clock is the reference.
    const gateway = this.sshTargets().length ? undefined : (await this.context()).endpoints.gateway.value;
    const outcomes = await this.onHosts(async (h) => {
      const [{ runPreflight }, { sampleHttpDate }, { suggestionsFor }] = await Promise.all([
        import('../../preflight/run.js'),
        import('../../preflight/clock.js'),
        import('../../preflight/remediation.js'),
      ]);
      const report = await runPreflight(h.executor, {
        host: h.host,
        dir: h.dir,
        remote: h.remote,
        domain: this.flags.domain,
        expectIps: this.flags['expect-ip'],
        ports,
        referenceClock: gateway ? () => sampleHttpDate(gateway) : undefined,
      });
      if (!report.summary.ok) {
        const failed = report.checks.filter((c) => c.status === 'fail');
        throw new FrameworksError(`Preflight failed on ${h.host}: ${failed.length} of ${report.summary.total} checks failed (${failed.map((c) => c.id).join(', ')}).`, {
          code: 'PREFLIGHT_FAILED',
          exitCode: ExitCode.FAILED,
          result: report,
          suggestions: suggestionsFor(failed),
        });
      }
      return report;
    });
    await this.print(outcomes);

    if (outcomes.length === 1) {
      const [o] = outcomes;
      if (!o.ok) throw o.error!;
      const { suggestionsFor } = await import('../../preflight/remediation.js');
      this.next(...suggestionsFor(o.value!.checks).slice(0, 3));
      return o.value!;
    }
    return this.settle(outcomes, 'Preflight');
  }

  private async print(outcomes: HostOutcome<PreflightReport>[]): Promise<void> {
    if (this.jsonEnabled()) return;
    const { renderPreflight } = await import('../../preflight/render.js');
    for (const o of outcomes) {
      const report = reportOf(o);
      if (outcomes.length > 1) this.out(paint(`\n── ${o.host} ──`, 'bold'));
      if (report) this.out(renderPreflight(report));
      // A host that never reported (SSH refused, …) shows its error in the section.
      else if (outcomes.length > 1) this.out(`✗ ${o.error?.message ?? 'failed'}`);
    }
  }
}

function reportOf(o: HostOutcome<PreflightReport>): PreflightReport | undefined {
  if (o.value) return o.value;
  const r = isFrameworksError(o.error) ? (o.error.result as PreflightReport | undefined) : undefined;
  return r && Array.isArray(r.checks) ? r : undefined;
}

function parsePorts(spec: string | undefined): number[] | undefined {
  if (!spec) return undefined;
  const ports = spec.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    throw usageError(`--ports "${spec}" is not a list of TCP ports.`, ['e.g. --ports 80,443'], 'INVALID_PORTS');
  }
  return ports;
}
