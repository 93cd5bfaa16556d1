import { Command, Flags, type Interfaces } from '@oclif/core';
import {
  ConfigStore,
  CredentialStore,
  ExitCode,
  FrameworksError,
  appendAudit,
  chooseCredential,
  collectCredentials,
  frameworksPaths,
  redact,
  redactValue,
  resolveContext,
  setTraceSink,
  type AuthPolicy,
  type ChosenCredential,
  type LoadedConfig,
  type ResolvedContext,
  type ServiceKey,
} from '@frameworks/sdk';
import { describeCause, normalizeError } from './errors.js';
import { marks, paint } from './output/style.js';
import type { PromptContext } from './prompts.js';

export type FlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof FrameworksCommand)['baseFlags'] & T['flags']>;
export type ArgsOf<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

export interface Warning {
  code: string;
  message: string;
}

/**
 * Base of every frameworks command. It owns: the global flags, the one --json envelope,
 * error → exit-code mapping, the auth policy declared on the command, redaction of
 * everything printed, and the audit line of mutating commands. Commands implement run()
 * and return their result; they never print JSON themselves.
 */
export abstract class FrameworksCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    context: Flags.string({
      char: 'c',
      helpGroup: 'GLOBAL',
      description: 'Context to use for this command (default: FRAMEWORKS_CONTEXT, then the current context).',
    }),
    verbose: Flags.boolean({ helpGroup: 'GLOBAL', description: 'Show HTTP calls and commands run, on stderr (secrets redacted).' }),
    'no-input': Flags.boolean({
      helpGroup: 'GLOBAL',
      description: 'Never prompt; fail and name the flag that answers instead (implied by --json, CI or no TTY).',
    }),
  };

  /** Which credentials the command needs; resolved before run() by `credential()`. */
  static authPolicy: AuthPolicy = 'none';
  /** Mutating commands append one line to the audit log. */
  static mutating = false;

  protected flags!: FlagsOf<T>;
  protected args!: ArgsOf<T>;
  protected readonly warnings: Warning[] = [];
  /** Targets to record in the audit log (hosts, ids, context names). */
  protected auditTargets: string[] = [];
  /** Context to record when the command resolved it itself (e.g. inside a locked update). */
  protected auditContext?: string;
  private loadedConfig?: LoadedConfig;
  private resolved?: ResolvedContext;

  protected get fwCtor(): typeof FrameworksCommand {
    return this.constructor as typeof FrameworksCommand;
  }

  public override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof FrameworksCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as FlagsOf<T>;
    this.args = args as ArgsOf<T>;
    if (this.flags.verbose || /(^|,)frameworks(:\*|$)/.test(process.env.DEBUG ?? '')) {
      setTraceSink((line) => process.stderr.write(paint(`  ${line}`, 'dim', process.stderr) + '\n'));
    }
  }

  /** True when prompting is allowed: TTYs on both ends, not CI, not --json, not --no-input. */
  protected get interactive(): boolean {
    return (
      Boolean(process.stdin.isTTY && process.stdout.isTTY) &&
      !process.env.CI &&
      process.env.TERM !== 'dumb' &&
      !this.jsonEnabled() &&
      !this.flags?.['no-input']
    );
  }

  protected get promptContext(): PromptContext {
    return { interactive: this.interactive };
  }

  // ---------------------------------------------------------------- context & auth

  protected get paths() {
    return frameworksPaths();
  }

  protected configStore(): ConfigStore {
    return new ConfigStore(this.paths);
  }

  protected credentialStore(): CredentialStore {
    return new CredentialStore(this.paths);
  }

  protected async loadConfig(): Promise<LoadedConfig> {
    this.loadedConfig ??= await this.configStore().load();
    return this.loadedConfig;
  }

  /** The context this command acts on, with per-endpoint sources (flag > env > file > default). */
  protected async context(endpointFlags?: Partial<Record<ServiceKey, string | undefined>>): Promise<ResolvedContext> {
    if (this.resolved && !endpointFlags) return this.resolved;
    const { doc } = await this.loadConfig();
    this.resolved = resolveContext(doc, { context: this.flags.context, endpointFlags });
    return this.resolved;
  }

  /** The credential the command's auth policy selects, or exit 3 with the login command. */
  protected async credential(policy: AuthPolicy = this.fwCtor.authPolicy): Promise<ChosenCredential | undefined> {
    if (policy === 'none') return undefined;
    const ctx = await this.context();
    const stored = await this.credentialStore().get(ctx.name);
    return chooseCredential(policy, collectCredentials(stored), ctx.name, (m) => this.warning(m, 'JWT_EXPIRED_FALLBACK'));
  }

  // ---------------------------------------------------------------- output

  /** A line of result text on stdout (silent under --json). */
  protected out(text = ''): void {
    if (!this.jsonEnabled()) process.stdout.write(redact(text) + '\n');
  }

  /** Progress or context on stderr (silent under --json). */
  protected info(text: string): void {
    if (!this.jsonEnabled()) process.stderr.write(redact(text) + '\n');
  }

  protected success(text: string): void {
    this.out(`${marks.ok()} ${text}`);
  }

  /** A warning: ⚠ on stderr, or an entry of `warnings` in the --json document. */
  protected warning(message: string, code = 'WARNING'): void {
    this.warnings.push({ code, message: redact(message) });
    if (!this.jsonEnabled()) process.stderr.write(`${marks.warn(process.stderr)} ${redact(message)}\n`);
  }

  /** "Next:" hints on stderr; suppressed under --json, CI hints off, or FRAMEWORKS_NO_HINTS. */
  protected next(...commands: string[]): void {
    if (this.jsonEnabled() || process.env.FRAMEWORKS_NO_HINTS || commands.length === 0) return;
    const [first, ...rest] = commands;
    process.stderr.write(`\n${paint('Next:', 'bold', process.stderr)} ${first}\n${rest.map((c) => `      ${c}\n`).join('')}`);
  }

  // ---------------------------------------------------------------- lifecycle

  protected override async _run<R>(): Promise<R> {
    const started = performance.now();
    let result: unknown;
    let error: FrameworksError | undefined;
    try {
      await this.init();
      result = await this.run();
    } catch (err) {
      error = normalizeError(err);
    }
    const exitCode = error ? error.exitCode : ExitCode.OK;
    if (this.fwCtor.mutating && this.flags) await this.audit(error, exitCode, Math.round(performance.now() - started));

    if (this.jsonEnabled()) {
      const doc = error ? this.errorDocument(error) : { status: 0, result: result ?? null, warnings: this.warnings };
      process.stdout.write(JSON.stringify(redactValue(doc), null, 2) + '\n');
    } else if (error && error.message) {
      this.printError(error);
    }
    process.exitCode = exitCode;
    return result as R;
  }

  protected errorDocument(error: FrameworksError): Record<string, unknown> {
    return {
      status: error.exitCode,
      name: error.name,
      code: error.code,
      message: redact(error.message),
      suggestions: error.suggestions.map((s) => redact(s)),
      ...(error.detail ? { detail: redact(error.detail) } : {}),
      ...(error.result === undefined ? {} : { result: error.result }),
      warnings: this.warnings,
    };
  }

  private printError(error: FrameworksError): void {
    const err = process.stderr;
    const lines = [`${marks.fail(err)} ${paint(redact(error.message), 'bold', err)}`];
    if (error.suggestions.length) {
      lines.push(`  ${paint('Next:', 'bold', err)} ${redact(error.suggestions[0])}`);
      for (const s of error.suggestions.slice(1)) lines.push(`        ${redact(s)}`);
    }
    if (this.flags?.verbose || process.env.DEBUG) {
      let cause = error.cause as Error | undefined;
      while (cause) {
        lines.push(paint(`  caused by: ${redact(describeCause(cause))}`, 'dim', err));
        cause = (cause as { cause?: Error }).cause;
      }
    }
    err.write(lines.join('\n') + '\n');
  }

  private async audit(error: FrameworksError | undefined, exitCode: number, durationMs: number): Promise<void> {
    const flags = { ...(this.flags as Record<string, unknown>) };
    const outcome = exitCode === ExitCode.INTERRUPTED ? 'interrupted' : exitCode === ExitCode.PARTIAL ? 'partial' : error ? 'failed' : flags['dry-run'] ? 'dry-run' : 'ok';
    try {
      await appendAudit(
        {
          command: this.id ?? this.constructor.name,
          context: this.auditContext ?? this.resolved?.name ?? (flags.context as string | undefined),
          flags,
          args: this.args as Record<string, unknown>,
          targets: this.auditTargets.length ? this.auditTargets : undefined,
          outcome,
          exit_code: exitCode,
          duration_ms: durationMs,
          error_code: error?.code,
        },
        this.paths,
      );
    } catch (err) {
      // The audit log must never turn a successful operation into a failure; say so instead.
      this.warning(`Could not write the audit log: ${(err as Error).message}`, 'AUDIT_WRITE_FAILED');
    }
  }
}

export { FrameworksError };
