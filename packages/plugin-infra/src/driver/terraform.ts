import { ExitCode, FrameworksError, stderrTail, type Executor, type InfraOutput, type RunResult } from '@frameworks/sdk';
import type { TerraformBinary } from './binary.js';
import { diagnosticView, formatDiagnostic, lockInfo } from './diagnostics.js';
import type { PlanJson } from './plan-summary.js';
import { ApplyTracker, lineSplitter, type Diagnostic, type UiEvent } from './ui-events.js';

export interface StreamHooks {
  onEvent?(e: UiEvent): void;
  /** A line that is not JSON (a crash message, a provider's own output). */
  onText?(line: string): void;
  /** Ctrl-C: SIGINT is forwarded once; the binary finishes what is in flight and releases its lock. */
  interrupt?: AbortSignal;
}

export interface StreamResult {
  code: number;
  diagnostics: Diagnostic[];
  tracker: ApplyTracker;
  outputs?: UiEvent['outputs'];
  stderr: string;
}

/** The state's identity: a saved plan is only good for the serial and lineage it was made against. */
export interface StateStamp {
  serial: number | null;
  lineage: string | null;
}

// Never prompt, never colour, say it runs in automation (no "next, run terraform apply" hints).
const ENV = { TF_IN_AUTOMATION: '1', TF_INPUT: '0', NO_COLOR: '1' };

/** One Terraform/OpenTofu binary in one working folder, on this host or a control host (the executor). */
export class Terraform {
  constructor(
    readonly executor: Executor,
    readonly bin: TerraformBinary,
    readonly cwd: string,
    /** TF_VAR_<name> of the tenant's secret variables: a control host gets them too (never written to a file). */
    private readonly secretEnv: Record<string, string> = {},
  ) {}

  private run(args: string[], extra: Parameters<Executor['run']>[1] = {}): Promise<RunResult> {
    return this.executor.run([this.bin.path, ...args], { cwd: this.cwd, env: { ...ENV, ...this.secretEnv }, ...extra });
  }

  private failed(what: string, r: RunResult, retry: string): FrameworksError {
    const tail = stderrTail(r.stderr || r.stdout, 8);
    return new FrameworksError(`${this.bin.kind} ${what} failed (exit ${r.code})${tail ? `: ${tail.split('\n').pop()}` : ''}`, {
      code: 'TERRAFORM_FAILED',
      exitCode: ExitCode.FAILED,
      suggestions: [retry],
      ...(tail ? { detail: tail } : {}),
    });
  }

  /** `init` with the tenant's partial backend config: each tenant has its own state. */
  async init(backendConfig: string, retry: string): Promise<void> {
    const r = await this.run(['init', '-input=false', '-no-color', '-reconfigure', `-backend-config=${backendConfig}`]);
    if (r.code !== 0) throw this.failed('init', r, retry);
  }

  async statePull(retry: string): Promise<StateStamp> {
    const r = await this.run(['state', 'pull']);
    if (r.code !== 0) throw this.failed('state pull', r, retry);
    if (!r.stdout.trim()) return { serial: null, lineage: null };
    try {
      const s = JSON.parse(r.stdout) as { serial?: number; lineage?: string };
      return { serial: s.serial ?? null, lineage: s.lineage ?? null };
    } catch {
      return { serial: null, lineage: null };
    }
  }

  /** A `-json` command, its lines handed to the hooks as they arrive. */
  async stream(args: string[], hooks: StreamHooks = {}): Promise<StreamResult> {
    const diagnostics: Diagnostic[] = [];
    const tracker = new ApplyTracker();
    let outputs: UiEvent['outputs'];
    const split = lineSplitter(
      (e) => {
        tracker.see(e);
        if (e.type === 'diagnostic' && e.diagnostic) diagnostics.push(e.diagnostic);
        if (e.type === 'outputs') outputs = e.outputs;
        hooks.onEvent?.(e);
      },
      (line) => hooks.onText?.(line),
    );
    const r = await this.run(args, { onStdout: (c) => split.push(c), ...(hooks.interrupt ? { interrupt: hooks.interrupt } : {}) });
    split.end();
    return { code: r.code, diagnostics, tracker, outputs, stderr: r.stderr };
  }

  async show(planFile: string, retry: string): Promise<PlanJson> {
    const r = await this.run(['show', '-json', '-no-color', planFile]);
    if (r.code !== 0) throw this.failed(`show -json ${planFile}`, r, retry);
    return JSON.parse(r.stdout) as PlanJson;
  }

  async outputs(retry: string): Promise<Record<string, InfraOutput>> {
    const r = await this.run(['output', '-json', '-no-color']);
    if (r.code !== 0) throw this.failed('output -json', r, retry);
    const raw = JSON.parse(r.stdout || '{}') as Record<string, { sensitive?: boolean; type?: unknown; value?: unknown }>;
    return Object.fromEntries(Object.entries(raw).map(([k, o]) => [k, { sensitive: Boolean(o.sensitive), type: o.type, value: o.value ?? null }]));
  }
}

/**
 * The error of a -json run that failed: a held state lock (never broken: the holder is named), a
 * stale plan, else every error diagnostic with its file:line and snippet.
 */
export function streamError(what: string, res: StreamResult, ctx: { tenant: string; retry: string; plan: string }): FrameworksError {
  const errors = res.diagnostics.filter((d) => d.severity !== 'warning');
  const lock = errors.map(lockInfo).find(Boolean);
  if (lock) {
    return new FrameworksError(
      `The state of tenant ${ctx.tenant} is locked by another run: lock ${lock.id}, held by ${lock.who} since ${lock.created}. ` +
        'frameworks never breaks a state lock; wait for that run to finish.',
      {
        code: 'STATE_LOCKED',
        exitCode: ExitCode.FAILED,
        suggestions: [ctx.retry, `terraform force-unlock ${lock.id}   # only when that run is really gone`],
        result: { lock_id: lock.id, lock_holder: lock.who, locked_since: lock.created },
      },
    );
  }
  if (errors.some((d) => /saved plan is stale/i.test(d.summary))) return stalePlan(ctx.tenant, ctx.plan, 'the state changed after the plan was made');
  const text = errors.map(formatDiagnostic).join('\n\n');
  const first = errors[0];
  const where = first?.range ? ` (${first.range.filename}:${first.range.start.line})` : '';
  return new FrameworksError(`${what} failed${first ? `: ${first.summary}${where}` : ` (exit ${res.code})`}.`, {
    code: 'TERRAFORM_FAILED',
    exitCode: ExitCode.FAILED,
    suggestions: [ctx.retry],
    result: { diagnostics: errors.map(diagnosticView), maybe_changed: res.tracker.maybeChanged() },
    ...(text || res.stderr.trim() ? { detail: text || stderrTail(res.stderr, 8) } : {}),
  });
}

export function stalePlan(tenant: string, plan: string, why: string): FrameworksError {
  return new FrameworksError(`The saved plan ${plan} is stale: ${why}. It was not applied; make a new plan and review it.`, {
    code: 'PLAN_STALE',
    exitCode: ExitCode.FAILED,
    suggestions: [`frameworks infra plan --tenant ${tenant} --out ${plan}`],
  });
}
