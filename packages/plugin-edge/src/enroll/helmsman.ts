import { ExitCode, FrameworksError } from '@frameworks/sdk';
import type { EdgeStack } from '../lib/stack.js';
import { HELMSMAN_PORT } from '../templates/settings.js';
import { isCanonicalNodeId, parseNodeMode, scanHelmsmanLogs, type NodeMode } from './signals.js';
import { sleep, type StageRun } from '../pipeline/stages.js';

export interface Enrollment {
  node_id: string;
  tenant_id: string | null;
  /** Which signals confirmed it: "/node/mode", "log". */
  confirmed_by: string[];
  mode?: string;
}

export type NodeModeRead = { ok: true; value: NodeMode } | { ok: false; missing: boolean; error: string };

/**
 * Helmsman's loopback `GET /node/mode`, read inside its container (the port is not published).
 * `missing`: the endpoint does not exist (an MVP Helmsman), so only the log can tell.
 */
export async function readNodeMode(stack: EdgeStack, timeoutMs = 5000, signal?: AbortSignal): Promise<NodeModeRead> {
  const r = await stack.project.exec('helmsman', ['wget', '-qO-', `http://127.0.0.1:${HELMSMAN_PORT}/node/mode`], { timeoutMs, ...(signal ? { signal } : {}) });
  if (r.code !== 0) {
    const error = (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.code}`;
    return { ok: false, missing: /\b404\b|not found|executable file not found|wget: not found/i.test(error), error };
  }
  const value = parseNodeMode(r.stdout);
  return value ? { ok: true, value } : { ok: false, missing: true, error: `unexpected answer: ${r.stdout.slice(0, 120)}` };
}

/** After /node/mode shows the canonical id, how long to wait for the log line that carries tenant_id. */
const LOG_GRACE_MS = 5000;
const POLL_MS = 1000;

/**
 * Wait until Helmsman is enrolled: `/node/mode` reports a canonical `edge-…` id and the log line
 * `Edge node enrolled via Quartermaster` (node_id, tenant_id) is there — or, on a Helmsman
 * without /node/mode, the log line alone. An `Edge enrollment failed` line (or a HEAD
 * ENROLLMENT_FAILED control error) fails at once with its reason instead of waiting for the deadline.
 * Only lines since the container started count: an old failure of a restarted container is history.
 */
export async function waitForEnrollment(stack: EdgeStack, run: StageRun, hints: string[]): Promise<Enrollment> {
  const preIds = [stack.env.NODE_ID, stack.env.NODE_NAME];
  let canonicalSince: number | undefined;
  let last = 'Helmsman has not enrolled';
  const note = (text: string) => {
    last = text;
    run.progress(text);
  };
  for (;;) {
    const [container] = (await stack.project.ps({ services: ['helmsman'] })).filter((c) => !c.oneoff);
    if (!container || container.state !== 'running') {
      note(container ? `helmsman is ${container.state}` : 'helmsman has no container');
    } else {
      const [logs, mode] = await Promise.all([
        // Both stop with the stage (signal): a child left running would keep the CLI from exiting.
        stack.project.logs({ services: ['helmsman'], ...(container.startedAt ? { since: container.startedAt } : {}), timeoutMs: 15_000, signal: run.signal }),
        readNodeMode(stack, 5000, run.signal).catch((err: unknown) => ({ ok: false as const, missing: false, error: (err as Error).message })),
      ]);
      const signals = scanHelmsmanLogs(logs.lines.map((l) => l.text));
      if (signals.preId) preIds.push(signals.preId);
      const id = mode.ok ? mode.value.nodeId : undefined;
      const canonical = isCanonicalNodeId(id, preIds);
      const logged = signals.enrolled && isCanonicalNodeId(signals.enrolled.nodeId, preIds) ? signals.enrolled : undefined;
      if (canonical) canonicalSince ??= Date.now();

      const done = (by: string[]): Enrollment => ({
        node_id: canonical ? id! : logged!.nodeId,
        tenant_id: logged?.tenantId ?? null,
        confirmed_by: by,
        ...(mode.ok ? { mode: mode.value.mode } : {}),
      });
      if (canonical && logged) return done(['/node/mode', 'log']);
      // /node/mode is Helmsman's own word; the log line may come from Foghorn in a real deployment.
      if (canonical && Date.now() - canonicalSince! >= LOG_GRACE_MS) return done(['/node/mode']);
      if (!mode.ok && mode.missing && logged) return done(['log']);

      if (signals.failed?.fatal && !canonical) {
        throw new FrameworksError(`Helmsman could not enroll: ${signals.failed.reason}.`, {
          code: 'ENROLLMENT_FAILED',
          exitCode: ExitCode.FAILED,
          suggestions: [
            'The enrollment token is wrong, expired or already used: get a new one (frameworks admin bootstrap-tokens create --kind edge_node)',
            ...hints,
          ],
          result: { node_id: id ?? null, reason: signals.failed.reason },
        });
      }
      note(
        canonical
          ? `node ${id} enrolled; waiting for the enrollment log line`
          : signals.failed
            ? `not enrolled yet: ${signals.failed.reason}`
            : `not enrolled yet (node id ${id ?? signals.preId ?? 'unknown'}${mode.ok ? '' : `; /node/mode: ${mode.error}`})`,
      );
    }
    if (run.remainingMs() <= 0) break;
    await sleep(Math.min(POLL_MS, run.remainingMs()), run.signal);
    if (run.signal.aborted) break;
  }
  // The pipeline turns this into ENROLL_TIMEOUT naming the stage.
  throw new FrameworksError(last, { code: 'STAGE_DEADLINE', exitCode: ExitCode.FAILED, suggestions: hints });
}
