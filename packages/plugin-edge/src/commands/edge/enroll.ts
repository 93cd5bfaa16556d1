import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { lockFlags, marks, verifyFlags, verifyImagesFirst, viaFlags } from '@frameworks/cli-kit';
import { parseDuration, quoteArg, registerSecret, type HostOutcome } from '@frameworks/sdk';
import { EdgeCommand, type HostContext } from '../../lib/edge-command.js';
import type { EnrollResult } from '../../enroll/run.js';
import type { QuartermasterAccess } from '../../enroll/quartermaster.js';

export default class EdgeEnroll extends EdgeCommand<typeof EdgeEnroll> {
  static override summary = 'Start the edge stack and verify it end to end, Helmsman enrolled.';
  static override description = `Start the edge stack and verify it end to end: token, images, containers healthy, Helmsman enrolled, HTTPS.

Runs these stages in order on this host (or every --ssh host), each with its time:

  token          EDGE_ENROLLMENT_TOKEN is set in .edge.env (--token/--token-stdin write it first: 0600, atomic, other lines kept)
  images         every service's image is in the engine; missing ones are pulled
  up             docker compose up -d --remove-orphans
  healthy        every container running and healthy (its healthcheck)
  enrolled       Helmsman enrolled: /node/mode shows a canonical edge-… node id and the log says "Edge node enrolled via Quartermaster" (node_id, tenant_id); an "Edge enrollment failed" line fails at once with its reason
  quartermaster  best effort, never fails: with credentials for the context, Quartermaster lists the node and the token's used_at (skipped when unreachable)
  https          https://EDGE_DOMAIN answers with a certificate that verifies (system roots; Caddy's internal root with --tls internal) and GET /health is 200

--timeout bounds the whole run; each stage gets what is left. A stage that does not finish in time fails the run with ENROLL_TIMEOUT (exit 1) naming the stage and the command that shows why. Running enroll again on a running stack only re-checks it.`;

  static override examples = [
    { description: 'Enroll with a token from a secret store (never in argv)', command: 'echo "$TOKEN" | <%= config.bin %> edge enroll --token-stdin' },
    {
      description: 'Enroll the stack in ./edge (token in .edge.env), 10 minutes for ACME',
      command: '<%= config.bin %> edge enroll --dir ./edge --timeout 10m',
    },
    {
      description: 'Enroll two hosts over SSH, as JSON',
      command: '<%= config.bin %> edge enroll --ssh ops@edge-1,ops@edge-2 --dir /opt/frameworks-edge --json',
    },
  ];

  static override flags = {
    token: Flags.string({ description: 'Enrollment token to write into .edge.env first. Prefer --token-stdin: arguments show in `ps`.', exclusive: ['token-stdin'] }),
    'token-stdin': Flags.boolean({ description: 'Read the enrollment token from stdin and write it into .edge.env first.', exclusive: ['token'] }),
    timeout: Flags.string({ default: '5m', description: 'Time for the whole run (every stage shares it): 90s, 5m, 1h.' }),
    ...lockFlags,
    ...viaFlags,
    ...verifyFlags,
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const [{ runEnroll }, { openStack }, { driveSilently, driveWithLines, driveWithListr, driveWithProgress }, { readTokenFromStdin }, { validateToken }] = await Promise.all([
      import('../../enroll/run.js'),
      import('../../lib/stack.js'),
      import('../../pipeline/drive.js'),
      import('../../enroll/token.js'),
      import('../../lib/validate-input.js'),
    ]);
    const f = this.flags;
    const timeoutMs = parseDuration(f.timeout, '--timeout');
    const raw = f['token-stdin'] ? await readTokenFromStdin('edge enroll') : f.token;
    registerSecret(raw);
    const token = raw === undefined ? undefined : validateToken(raw) || undefined;
    const quartermaster = await this.quartermasterAccess();

    const several = this.sshTargets().length > 1;
    const json = this.jsonEnabled();
    const outcomes = await this.onHosts(async (h: HostContext) => {
      const host = h.remote ? h : { ...h, dir: resolve(h.dir) };
      const stack = await openStack(host);
      // Signatures of the stack's images before anything is pulled or started.
      const { deployImages } = await import('../../lib/deploy-images.js');
      const ctx = await this.context().catch(() => undefined);
      const io = { info: (l: string) => this.info(l), contextConfig: ctx?.config, contextName: ctx?.name, prefix: several || h.remote ? `[${h.host}] ` : '' };
      await verifyImagesFirst(f, deployImages(stack), io);
      registerSecret(stack.env.EDGE_ENROLLMENT_TOKEN);
      const opts = { timeoutMs, quartermaster, where: this.where(h), interrupt: this.interrupted, ...(token ? { token } : {}) };
      // Under --json, progress still goes to stderr when it is a terminal (a spinner; nothing otherwise).
      const spinner = json && !several ? this.progress() : undefined;
      const drive = json
        ? spinner?.enabled
          ? (p: Parameters<typeof driveSilently>[0]) => driveWithProgress(p, h.host, spinner)
          : driveSilently
        : several
          ? (p: Parameters<typeof driveSilently>[0]) => driveWithLines(p, h.host, (line) => this.info(line))
          : (p: Parameters<typeof driveSilently>[0]) => driveWithListr(p, { json, verbose: Boolean(f.verbose), interactive: this.interactive });
      const result = await this.withLock(host, () => runEnroll(stack, opts, drive));
      if (result.quartermaster?.status === 'warn') this.warning(`${several ? `[${h.host}] ` : ''}${result.quartermaster.detail}`, 'QUARTERMASTER_NODE_NOT_LISTED');
      return result;
    });
    this.summarize(outcomes, several);
    const rows = this.settle(outcomes, 'edge enroll');
    this.next(`frameworks edge status${this.whereOf(outcomes.length === 1 ? outcomes[0].host : undefined)}`);
    if (rows.length === 1) return rows[0].result!;
    return { hosts: rows };
  }

  /** Quartermaster is asked only with a usable credential for the context; otherwise the stage says why not. */
  private async quartermasterAccess(): Promise<QuartermasterAccess> {
    try {
      const ctx = await this.context();
      const url = ctx.endpoints.quartermaster.value;
      try {
        const cred = await this.credential('jwt-or-service');
        if (!cred) return { skip: 'no credentials' };
        return { url, authorization: cred.header, context: ctx.name, dialer: await this.dialer() };
      } catch {
        return { skip: `no usable credentials for context "${ctx.name}" (frameworks login)` };
      }
    } catch (err) {
      return { skip: `no context: ${(err as Error).message.split('\n')[0]}` };
    }
  }

  /** "--dir … --ssh …" for hint commands, as the user would type them again. */
  private where(h: HostContext): string {
    return [...(this.flags.dir ? [`--dir ${quoteArg(this.flags.dir)}`] : []), ...(h.remote ? [`--ssh ${quoteArg(h.host)}`] : [])].join(' ');
  }

  private whereOf(host: string | undefined): string {
    const w = [...(this.flags.dir ? [`--dir ${quoteArg(this.flags.dir)}`] : []), ...(host && host !== 'local' ? [`--ssh ${quoteArg(host)}`] : [])].join(' ');
    return w ? ` ${w}` : '';
  }

  /** stdout: the outcome (stages were drawn on stderr as they ran). */
  private summarize(outcomes: HostOutcome<EnrollResult>[], several: boolean): void {
    if (this.jsonEnabled()) return;
    if (!several && outcomes.length === 1) {
      const r = outcomes[0].value;
      if (!r) return; // the error is printed with its hints
      this.success(`Edge node enrolled: ${r.node_id}${r.tenant_id ? ` (tenant ${r.tenant_id})` : ''}`);
      this.out(`  host     ${r.host}  ${r.dir}  (project ${r.project})`);
      if (r.https) {
        const c = r.https.certificate;
        this.out(`  https    ${r.https.url} verified against ${r.https.trust === 'caddy-internal' ? "Caddy's internal CA" : 'the system roots'}${r.https.protocol ? `, ${r.https.protocol}` : ''}`);
        // Caddy's internal leaf certificates have no subject CN, only SANs (and live 12 hours).
        if (c) this.out(`  cert     ${c.subject && c.subject !== '{}' ? c.subject : c.sans.join(', ')} issued by ${c.issuer}, valid until ${c.valid_to.replace(/:\d\d\.\d+Z$/, 'Z')}`);
      }
      if (r.quartermaster) this.out(`  qm       ${r.quartermaster.status}: ${r.quartermaster.detail}`);
      this.out(`  stages   ${r.stages.map((s) => `${s.name} ${s.status === 'ok' ? `${(s.duration_ms / 1000).toFixed(1)}s` : s.status}`).join(' · ')}`);
      this.out(`  total    ${(r.duration_ms / 1000).toFixed(1)}s`);
      return;
    }
    for (const o of outcomes) {
      if (o.value) this.out(`${marks.ok()} ${o.host}  ${o.value.node_id}  ${(o.durationMs / 1000).toFixed(1)}s`);
      else this.out(`${marks.fail()} ${o.host}  ${o.error?.message.split('\n')[0] ?? 'failed'}`);
    }
  }
}
