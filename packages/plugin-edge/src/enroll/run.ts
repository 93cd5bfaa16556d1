import { ExitCode, FrameworksError, isFrameworksError, registerSecret } from '@frameworks/sdk';
import { EDGE_ENV } from '../lib/edge-env.js';
import type { EdgeStack } from '../lib/stack.js';
import { waitForEnrollment, type Enrollment } from './helmsman.js';
import { describeHttps, verifyHttps, type HttpsReport } from './https-verify.js';
import { localImageIds, serviceRefs } from './images.js';
import { checkQuartermaster, type QuartermasterAccess, type QuartermasterCheck } from './quartermaster.js';
import { Pipeline, type Stage, type StageReport } from './stages.js';
import { TOKEN_KEY, writeToken } from './token.js';

export interface EnrollOptions {
  /** --token / --token-stdin: written to .edge.env before anything starts. */
  token?: string;
  timeoutMs: number;
  quartermaster: QuartermasterAccess;
  /** "--dir … --ssh …" to append to the hint commands (empty for the defaults). */
  where: string;
}

export interface EnrollResult {
  host: string;
  dir: string;
  project: string;
  domain: string;
  stages: StageReport[];
  node_id: string | null;
  tenant_id: string | null;
  enrollment: Enrollment | null;
  quartermaster: QuartermasterCheck | null;
  https: HttpsReport | null;
  images: Array<{ service: string; image: string; action: 'present' | 'pulled' }>;
  duration_ms: number;
}

/** Quartermaster gets at most this much: it is a confirmation, not a requirement. */
const QUARTERMASTER_BUDGET_MS = 10_000;

/**
 * The stages of `edge enroll` on one stack. `state` collects what they find, for the result.
 * Hints name the frameworks command that shows why a stage is stuck.
 */
export function enrollStages(stack: EdgeStack, o: EnrollOptions, state: Partial<EnrollResult>): Stage[] {
  const { project } = stack;
  const w = o.where ? ` ${o.where}` : '';
  const status = `frameworks edge status${w}`;
  const logs = (svc?: string) => `frameworks edge logs${svc ? ` ${svc}` : ''}${w}`;
  const healthyHints = [status, logs()];
  return [
    {
      name: 'token',
      title: 'Enrollment token present',
      hints: [`echo "$TOKEN" | frameworks edge enroll --token-stdin${w}`, 'frameworks admin bootstrap-tokens create --kind edge_node   # to get a token'],
      run: async () => {
        if (o.token) {
          const written = await writeToken(stack.host.executor, stack.host.dir, o.token);
          stack.env[TOKEN_KEY] = o.token;
          return { detail: written ? `written to ${EDGE_ENV}, mode 0600` : `already in ${EDGE_ENV}` };
        }
        const token = stack.env[TOKEN_KEY]?.trim();
        if (!token) {
          throw new FrameworksError(`${TOKEN_KEY} is empty in ${stack.host.dir}/${EDGE_ENV}${stack.host.remote ? ` on ${stack.host.host}` : ''}: Helmsman cannot enroll without a token. Nothing was started.`, {
            code: 'ENROLL_TOKEN_MISSING',
            exitCode: ExitCode.FAILED,
          });
        }
        registerSecret(token);
        return { detail: `in ${EDGE_ENV} (${token.length} chars)` };
      },
    },
    {
      name: 'images',
      title: 'Images present',
      hints: [status, `frameworks edge update --dry-run${w}   # which images the stack wants`],
      run: async (run) => {
        run.progress('reading the compose file');
        const refs = await serviceRefs(project);
        const ids = await localImageIds(project, refs.map((r) => r.image));
        const missing = refs.filter((r) => !ids.get(r.image));
        if (missing.length) {
          run.progress(`pulling ${missing.map((m) => m.image).join(', ')}`);
          await project.pull({ services: missing.map((m) => m.service), timeoutMs: run.remainingMs() });
        }
        state.images = refs.map((r) => ({ service: r.service, image: r.image, action: missing.includes(r) ? 'pulled' : 'present' }));
        const present = refs.length - missing.length;
        return { detail: [present ? `${present} present` : '', missing.length ? `pulled ${missing.map((m) => m.image).join(', ')}` : ''].filter(Boolean).join(', ') };
      },
    },
    {
      name: 'up',
      title: 'Containers started',
      hints: [status, logs()],
      run: async (run) => {
        const lines: string[] = [];
        // Compose's own progress is a dozen lines per container: collected for the summary, not shown.
        run.progress('docker compose up -d --remove-orphans');
        const containers = await project.up({ removeOrphans: true, timeoutMs: run.remainingMs(), onOutput: (line) => void lines.push(line) });
        const summary = summarizeUp(lines);
        const services = [...new Set(containers.filter((c) => !c.oneoff).map((c) => c.service))];
        return { detail: `${services.join(', ')}${summary ? ` (${summary})` : ''}` };
      },
    },
    {
      name: 'healthy',
      title: 'Containers running and healthy',
      hints: healthyHints,
      run: async (run) => {
        const containers = await project.waitReady({
          timeoutMs: run.remainingMs(),
          signal: run.signal,
          intervalMs: 1000,
          onProgress: (s) => {
            const pending = Object.entries(s.pending);
            if (pending.length) run.progress(`waiting for ${pending.map(([svc, why]) => `${svc} (${why})`).join(', ')}`);
            // A timeout points at the logs of what it was still waiting for.
            const stuck = [...Object.keys(s.failed), ...Object.keys(s.pending)];
            if (stuck.length) healthyHints.splice(0, healthyHints.length, ...stuck.map((svc) => logs(svc)), status);
          },
        });
        const services = [...new Set(containers.map((c) => c.service))];
        return { detail: `${services.join(', ')} ${services.length === 1 ? 'is' : 'are'} running and healthy` };
      },
    },
    {
      name: 'enrolled',
      title: 'Helmsman enrolled',
      hints: [logs('helmsman'), status],
      run: async (run) => {
        const e = await waitForEnrollment(stack, run, [logs('helmsman'), status]);
        state.enrollment = e;
        state.node_id = e.node_id;
        state.tenant_id = e.tenant_id;
        return { detail: `node ${e.node_id}${e.tenant_id ? `, tenant ${e.tenant_id}` : ''} (${e.confirmed_by.join(' + ')})` };
      },
    },
    {
      name: 'quartermaster',
      title: 'Quartermaster lists the node',
      maxMs: QUARTERMASTER_BUDGET_MS,
      hints: ['frameworks context check --only quartermaster'],
      run: async (run) => {
        const q = await checkQuartermaster(o.quartermaster, {
          nodeId: state.node_id!,
          token: stack.env[TOKEN_KEY] || undefined,
          budgetMs: run.remainingMs(),
          signal: run.signal,
        });
        state.quartermaster = q;
        return { status: q.status, detail: q.detail };
      },
    },
    {
      name: 'https',
      title: 'HTTPS certificate verifies',
      hints: [logs('caddy'), status],
      run: async (run) => {
        if (!stack.domain) {
          return { status: 'skipped', detail: `no EDGE_DOMAIN in ${EDGE_ENV}` };
        }
        const r = await verifyHttps(stack, run).catch((err: unknown) => {
          // The last attempt (certificate, error) belongs in the result of a failed run too.
          if (isFrameworksError(err) && err.result) state.https = err.result as HttpsReport;
          throw err;
        });
        state.https = r;
        return { detail: describeHttps(r) };
      },
    },
  ];
}

/** "2 started, 1 recreated" from `compose up` progress (v2: "Container x  Started"; v1: "Creating x ... done"). */
export function summarizeUp(lines: string[]): string {
  const last = new Map<string, string>();
  for (const line of lines) {
    const v2 = /Container\s+(\S+)\s+(Created|Recreated|Recreate|Starting|Started|Running|Healthy|Stopped|Removed)\b/.exec(line);
    if (v2) {
      // "Recreate", "Recreated", "Starting", "Started": it was recreated.
      const prev = last.get(v2[1]);
      last.set(v2[1], prev === 'recreated' || prev === 'recreate' ? 'recreated' : v2[2].toLowerCase());
      continue;
    }
    const v1 = /^(Creating|Recreating|Starting)\s+(\S+)\s+\.\.\.\s+done/.exec(line.trim());
    if (v1) {
      last.set(v1[2], v1[1] === 'Recreating' ? 'recreated' : v1[1] === 'Creating' ? 'created' : 'started');
      continue;
    }
    const up = /^(\S+) is up-to-date/.exec(line.trim());
    if (up) last.set(up[1], 'running');
  }
  const counts = new Map<string, number>();
  for (const v of last.values()) {
    const key = v === 'created' || v === 'starting' ? 'started' : v === 'recreate' ? 'recreated' : v === 'healthy' ? 'running' : v;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return ['started', 'recreated', 'running']
    .filter((k) => counts.get(k))
    .map((k) => `${counts.get(k)} ${k === 'running' ? 'already running' : k}`)
    .join(', ');
}

/**
 * Run `edge enroll` on one stack through `drive` (listr2, lines or silent). Resolves with the
 * result, or throws the pipeline's error (ENROLL_TIMEOUT naming the stage, or the failing stage's
 * own error) with the partial result attached.
 */
export async function runEnroll(stack: EdgeStack, o: EnrollOptions, drive: (p: Pipeline) => Promise<void>): Promise<EnrollResult> {
  const state: Partial<EnrollResult> = {};
  const pipeline = new Pipeline(enrollStages(stack, o, state), { timeoutMs: o.timeoutMs, what: 'edge enroll', codePrefix: 'ENROLL' });
  const result = (): EnrollResult => ({
    host: stack.host.host,
    dir: stack.host.dir,
    project: stack.project.name,
    domain: stack.domain,
    stages: pipeline.reports,
    node_id: state.node_id ?? null,
    tenant_id: state.tenant_id ?? null,
    enrollment: state.enrollment ?? null,
    quartermaster: state.quartermaster ?? null,
    https: state.https ?? null,
    images: state.images ?? [],
    duration_ms: pipeline.elapsedMs(),
  });
  try {
    await drive(pipeline);
  } catch (err) {
    throw pipeline.error(err, result());
  }
  return result();
}
