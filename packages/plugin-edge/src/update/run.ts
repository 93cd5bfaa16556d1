import { ExitCode, FrameworksError, isWorkspaceLocalImage } from '@frameworks/sdk';
import type { ServiceImage } from '@frameworks/sdk/compose';
import type { EdgeStack } from '../lib/stack.js';
import { localImageIds, serviceRefs, shortId } from '../lib/images.js';
import type { HttpsReport } from '../pipeline/https-verify.js';
import { healthyStage, httpsStage, upStage } from '../pipeline/stack-stages.js';
import { Pipeline, firstLine, type Stage, type StageReport } from '../pipeline/stages.js';
import { diffServices, driftedServices, rollbackCommands, rollbackOneLiner, type ServiceChange } from './plan.js';
import { rollback, type RollbackReport } from './rollback.js';

export interface UpdateOptions {
  timeoutMs: number;
  rollbackOnFailure: boolean;
  /** "--dir … --ssh …" for hint commands. */
  where: string;
  /** Before a rollback: put back the image pins this run recorded in the stack's files (edge update --image). */
  beforeRollback?: () => Promise<void>;
  /** Ctrl-C: no new stage; the one in flight finishes (waits stop at once); then roll back or say how to. */
  interrupt?: AbortSignal;
  /** Called before a rollback starts (it has a budget of its own, beyond the interrupt's bound). */
  onUndo?: () => void;
}

export interface UpdateResult {
  host: string;
  dir: string;
  project: string;
  stages: StageReport[];
  /** Before/after image id and digest per service. */
  services: ServiceChange[];
  https: HttpsReport | null;
  /** Set when the update failed and --rollback-on-failure restored the recorded images. */
  rolled_back: (RollbackReport & { to: Array<{ service: string; image: string; image_id: string; digest: string | null }> }) | null;
  /** Without --rollback-on-failure: the commands that would restore the recorded images. */
  rollback_commands: string[];
  /** The same as one line to paste (over ssh for a remote host); null when nothing needs restoring. */
  restore_command: string | null;
  duration_ms: number;
}

interface State {
  before: ServiceImage[];
  https?: HttpsReport;
}

export function updateStages(stack: EdgeStack, o: UpdateOptions, state: State): Stage[] {
  const { project } = stack;
  const w = o.where ? ` ${o.where}` : '';
  const status = `frameworks edge status${w}`;
  return [
    {
      name: 'record',
      title: 'Running images recorded',
      hints: [status],
      run: async () => {
        state.before = await project.imageDigests();
        if (!state.before.length) return { status: 'warn', detail: 'the stack is not running: nothing to roll back to' };
        return { detail: state.before.map((s) => `${s.service} ${shortId(s.digest ?? s.imageId)}`).join(', ') };
      },
    },
    {
      name: 'pull',
      title: 'Images pulled',
      hints: [status, `frameworks edge update --dry-run${w}   # what would be pulled`],
      run: async (run) => {
        const refs = await serviceRefs(project);
        // Images built in a workspace (`workspace use-local`) exist only in this engine: never pulled.
        const pulled = refs.filter((r) => !isWorkspaceLocalImage(r.image)).map((r) => r.service);
        run.progress('docker compose pull');
        if (pulled.length === refs.length) await project.pull({ timeoutMs: run.remainingMs() });
        else if (pulled.length) await project.pull({ services: pulled, timeoutMs: run.remainingMs() });
        const ids = await localImageIds(project, refs.map((r) => r.image));
        const fresh = refs.filter((r) => {
          const was = state.before.find((b) => b.service === r.service);
          return !was || ids.get(r.image) !== was.imageId;
        });
        return { detail: fresh.length ? `new image for ${fresh.map((r) => `${r.service} (${r.image} → ${shortId(ids.get(r.image))})`).join(', ')}` : 'no new images' };
      },
    },
    upStage(stack, o.where, 'Containers updated'),
    healthyStage(stack, o.where),
    httpsStage(stack, o.where, (r) => (state.https = r)),
  ];
}

/**
 * `edge update` on one stack: record what runs, pull, `up -d --remove-orphans`, wait healthy,
 * verify HTTPS. On failure, with `rollbackOnFailure`, put the recorded images back and fail with
 * UPDATE_ROLLED_BACK; without it, fail with UPDATE_FAILED and the exact commands that would.
 * Either way exit 1, with before/after per service in the result.
 */
export async function runUpdate(stack: EdgeStack, o: UpdateOptions, drive: (p: Pipeline) => Promise<void>, onRollback?: (text: string) => void): Promise<UpdateResult> {
  const { project } = stack;
  const state: State = { before: [] };
  const pipeline = new Pipeline(updateStages(stack, o, state), {
    timeoutMs: o.timeoutMs,
    what: 'edge update',
    codePrefix: 'UPDATE',
    ...(o.interrupt ? { interrupt: o.interrupt } : {}),
  });
  const result = (after: ServiceImage[], extra: Partial<UpdateResult> = {}): UpdateResult => ({
    host: stack.host.host,
    dir: stack.host.dir,
    project: project.name,
    stages: pipeline.reports,
    services: diffServices(state.before, after),
    https: state.https ?? null,
    rolled_back: null,
    rollback_commands: [],
    restore_command: null,
    duration_ms: pipeline.elapsedMs(),
    ...extra,
  });
  try {
    await drive(pipeline);
  } catch (err) {
    const failed = pipeline.error(err, undefined);
    const stage = pipeline.failure?.stage.name ?? 'record';
    const cause = { code: failed.code, message: firstLine(pipeline.failure?.cause.message ?? failed.message) };
    // "edge update timed out after 5m00s: stage …" / "edge update failed at stage …: …" / "edge update was interrupted at stage …"
    const why = firstLine(failed.message);
    // An interrupt ends like a failure (roll back or say how), but exits 130 with code INTERRUPTED.
    const interrupted = pipeline.interrupted;
    const as = (code: string) =>
      interrupted ? { code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, name: 'InterruptedError' } : { code, exitCode: ExitCode.FAILED };
    if (stage === 'record' || !state.before.length) throw pipeline.error(err, result(state.before));

    // What moved: references that now name another image, containers that run another one.
    const running = await project.imageDigests().catch(() => state.before);
    const refIds = await localImageIds(project, state.before.map((b) => b.image)).catch(() => new Map<string, string | undefined>());
    const drifted = driftedServices(state.before, refIds, running);
    if (!drifted.length) {
      throw new FrameworksError(`${why}. Nothing changed: the stack still runs the recorded images.`, {
        ...as('UPDATE_FAILED'),
        suggestions: failed.suggestions,
        cause: failed,
        result: { ...result(running), failed_stage: stage, cause },
      });
    }
    if (!o.rollbackOnFailure) {
      const commands = rollbackCommands(project, await project.compose(), drifted);
      const restore = commands.length ? rollbackOneLiner(commands, stack.host) : null;
      const changed = `${drifted.map((d) => d.service).join(', ')} changed`;
      throw new FrameworksError(
        interrupted
          ? `${why}. The stack was left as it is (${changed}); to restore the recorded images run: ${restore ?? 'nothing to restore (pinned by digest)'}`
          : `${why}. The stack was left as it is (${changed}); --rollback-on-failure would have restored the recorded images.`,
        {
          ...as('UPDATE_FAILED'),
          suggestions: [...(restore ? [`${restore}   # roll back to the recorded images`] : []), ...failed.suggestions],
          cause: failed,
          result: { ...result(running, { rollback_commands: commands, restore_command: restore }), failed_stage: stage, cause },
        },
      );
    }
    onRollback?.(`${why}; rolling back ${drifted.map((d) => `${d.service} to ${shortId(d.digest ?? d.imageId)}`).join(', ')}`);
    let rb: RollbackReport;
    o.onUndo?.();
    try {
      // The rollback gets a budget of its own: the update's may be spent.
      await o.beforeRollback?.();
      rb = await rollback(project, state.before, { timeoutMs: o.timeoutMs, ...(onRollback ? { progress: onRollback } : {}) });
    } catch (rbErr) {
      const commands = rollbackCommands(project, await project.compose(), drifted);
      const restore = commands.length ? rollbackOneLiner(commands, stack.host) : null;
      throw new FrameworksError(`${why}. The rollback failed too: ${(rbErr as Error).message}`, {
        code: 'UPDATE_ROLLBACK_FAILED',
        exitCode: interrupted ? ExitCode.INTERRUPTED : ExitCode.FAILED,
        suggestions: [...(restore ? [restore] : []), `frameworks edge status${o.where ? ` ${o.where}` : ''}`],
        cause: rbErr,
        result: {
          ...result(await project.imageDigests().catch(() => running), { rollback_commands: commands, restore_command: restore }),
          failed_stage: stage,
          cause,
        },
      });
    }
    const to = state.before.map((b) => ({ service: b.service, image: b.image, image_id: b.imageId, digest: b.digest ?? null }));
    throw new FrameworksError(
      `${why}. Rolled back to the recorded images: ${drifted.map((d) => `${d.service} ${d.image} (${shortId(d.digest ?? d.imageId)})`).join(', ')}; every container is running and healthy again.`,
      {
        ...as('UPDATE_ROLLED_BACK'),
        suggestions: failed.suggestions,
        cause: failed,
        result: { ...result(rb.running, { rolled_back: { ...rb, to } }), failed_stage: stage, cause },
      },
    );
  }
  return result(await project.imageDigests());
}
