import { ExitCode, FrameworksError, registerSecret } from '@frameworks/sdk';
import { EDGE_ENV } from '../lib/edge-env.js';
import type { EdgeStack } from '../lib/stack.js';
import { waitForEnrollment, type Enrollment } from './helmsman.js';
import type { HttpsReport } from '../pipeline/https-verify.js';
import { healthyStage, httpsStage, upStage } from '../pipeline/stack-stages.js';
import { localImageIds, serviceRefs } from '../lib/images.js';
import { checkQuartermaster, type QuartermasterAccess, type QuartermasterCheck } from './quartermaster.js';
import { Pipeline, type Stage, type StageReport } from '../pipeline/stages.js';
import { TOKEN_KEY, writeToken } from './token.js';

export interface EnrollOptions {
  /** --token / --token-stdin: written to .edge.env before anything starts. */
  token?: string;
  timeoutMs: number;
  quartermaster: QuartermasterAccess;
  /** "--dir … --ssh …" to append to the hint commands (empty for the defaults). */
  where: string;
  /** Ctrl-C: no new stage; the one in flight finishes (waits stop at once). */
  interrupt?: AbortSignal;
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
    upStage(stack, o.where, 'Containers started'),
    healthyStage(stack, o.where),
    {
      name: 'enrolled',
      title: 'Helmsman enrolled',
      interruptible: true,
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
      interruptible: true,
      maxMs: QUARTERMASTER_BUDGET_MS,
      hints: ['frameworks context check --only quartermaster'],
      run: async (run) => {
        const q = await checkQuartermaster(o.quartermaster, {
          nodeId: state.node_id!,
          token: stack.env[TOKEN_KEY] || undefined,
          budgetMs: run.remainingMs(),
          signal: run.signal,
          onWait: (text) => run.progress(text),
        });
        state.quartermaster = q;
        return { status: q.status, detail: q.detail };
      },
    },
    httpsStage(stack, o.where, (r) => (state.https = r)),
  ];
}

/**
 * Run `edge enroll` on one stack through `drive` (listr2, lines or silent). Resolves with the
 * result, or throws the pipeline's error (ENROLL_TIMEOUT naming the stage, or the failing stage's
 * own error) with the partial result attached.
 */
export async function runEnroll(stack: EdgeStack, o: EnrollOptions, drive: (p: Pipeline) => Promise<void>): Promise<EnrollResult> {
  const state: Partial<EnrollResult> = {};
  const pipeline = new Pipeline(enrollStages(stack, o, state), {
    timeoutMs: o.timeoutMs,
    what: 'edge enroll',
    codePrefix: 'ENROLL',
    ...(o.interrupt ? { interrupt: o.interrupt } : {}),
    resumeHint: `frameworks edge enroll${o.where ? ` ${o.where}` : ''}   # finish it: each stage picks up what is already done`,
  });
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
