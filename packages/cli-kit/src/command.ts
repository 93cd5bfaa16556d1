import { Command, Flags, type Interfaces } from '@oclif/core';
import { createRequire } from 'node:module';
import {
  ConfigStore,
  CredentialStore,
  ExitCode,
  FrameworksError,
  appendAudit,
  appendAuditSync,
  chooseCredential,
  collectCredentials,
  directDialer,
  frameworksPaths,
  lazyDialer,
  parseViaTarget,
  redact,
  redactValue,
  resolveContext,
  setTraceSink,
  trace,
  type AuthPolicy,
  type ChosenCredential,
  type Dialer,
  type LoadedConfig,
  type ResolvedContext,
  type ServiceKey,
} from '@frameworks/sdk';
import { describeCause, normalizeError } from './errors.js';
import type { UsageSource } from './usage-errors.js';
import { terminalText } from './output/safe-text.js';
import { interruptState, interruptedError } from './interrupts.js';
import { marks, paint } from './output/style.js';
import { OUTPUT_FORMATS, outputMode, setOutputMode, type OutputFormat } from './output/mode.js';
import { Progress } from './output/progress.js';
import { isQuietOutput } from './output/table.js';
import type { PromptContext } from './prompts.js';

/** The step in flight gets 15 s after Ctrl-C (the stage pipeline's grace); this backstop a little more. */
const WATCHDOG_MS = 20_000;

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
    output: Flags.string({
      char: 'o',
      helpGroup: 'GLOBAL',
      options: [...OUTPUT_FORMATS],
      description: 'Output format: table (fits the terminal), wide (every column, in full), json (same as --json), yaml.',
    }),
    quiet: Flags.boolean({
      char: 'q',
      helpGroup: 'GLOBAL',
      description: 'Print only ids (list commands) or nothing (other commands, on success); errors still go to stderr.',
    }),
    'no-color': Flags.boolean({ helpGroup: 'GLOBAL', description: 'No colour (as NO_COLOR=1).' }),
  };

  /** Which credentials the command needs; resolved before run() by `credential()`. */
  static authPolicy: AuthPolicy = 'none';
  /** Mutating commands append one line to the audit log. */
  static mutating = false;
  /**
   * The command handles Ctrl-C itself through `this.interrupted`: the first signal lets the step in
   * flight finish, then it rolls back or says what changed. Other commands exit 130 at once (a
   * mutating one still writes its audit line).
   */
  static graceful = false;

  protected flags!: FlagsOf<T>;
  protected args!: ArgsOf<T>;
  protected readonly warnings: Warning[] = [];
  /** Targets to record in the audit log (hosts, ids, context names). */
  protected auditTargets: string[] = [];
  /** Context to record when the command resolved it itself (e.g. inside a locked update). */
  protected auditContext?: string;
  private loadedConfig?: LoadedConfig;
  private resolved?: ResolvedContext;

  /** Whether this run changes something (its audit line): `mutating`, unless a flag decides (edge cert --reload). */
  protected mutates(): boolean {
    return this.fwCtor.mutating;
  }

  protected get fwCtor(): typeof FrameworksCommand {
    return this.constructor as typeof FrameworksCommand;
  }

  public override async init(): Promise<void> {
    await super.init();
    // Before parsing, so that a parse error is plain as well.
    if (this.argvFlag('--no-color')) process.env.NO_COLOR = '1';
    setOutputMode({ format: this.outputFormat(), quiet: this.argvFlag('--quiet') || this.argvFlag('-q') });
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof FrameworksCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as FlagsOf<T>;
    this.args = args as ArgsOf<T>;
    // The parsed flags settle what the argv scan above guessed (a `-q` that was another flag's value).
    setOutputMode({ quiet: Boolean(this.flags.quiet) });
    if (this.flags['no-color']) process.env.NO_COLOR = '1';
    if (this.mutates()) {
      const state = interruptState();
      state.graceful = this.fwCtor.graceful;
      state.hardExit = () => this.hardExit();
      if (this.fwCtor.graceful) this.interrupted.addEventListener('abort', () => this.armWatchdog(), { once: true });
    }
    // finally() needs the result (a --json run with none still prints one document).
    const run = this.run;
    this.run = async () => (this.result = await run.call(this));
    // A blank or malformed --via is a usage error before anything is sent.
    const via = this.viaSpec();
    if (via) parseViaTarget(via.value, via.from);
    if (this.flags.verbose || /(^|,)frameworks(:\*|$)/.test(process.env.DEBUG ?? '')) {
      const shown = (line: string) => terminalText(line, { keepNewlines: true, stream: process.stderr });
      setTraceSink((line) => process.stderr.write(paint(`  ${shown(line)}`, 'dim', process.stderr) + '\n'));
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
    return new ConfigStore(this.paths, { onWarning: (m) => this.warning(m, 'STALE_LOCK_TAKEN_OVER') });
  }

  protected credentialStore(): CredentialStore {
    return new CredentialStore(this.paths, { onWarning: (m) => this.warning(m, 'STALE_LOCK_TAKEN_OVER') });
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

  private dialing?: Promise<Dialer>;

  /** The jump host the command was given (`--via`); commands with another spelling override it (context check --ssh). */
  protected viaSpec(): { value: string; from: string } | undefined {
    const via = (this.flags as { via?: string }).via;
    return via === undefined ? undefined : { value: via, from: '--via' };
  }

  /**
   * How this run reaches the control plane: --via, else the context's `via`, else direct. Opened
   * once, on first use (one SSH connection per run), closed in finally.
   */
  protected dialer(): Promise<Dialer> {
    this.dialing ??= (async (): Promise<Dialer> => {
      let via = this.viaSpec();
      if (!via) {
        const ctx = await this.context();
        if (ctx.config.via !== undefined) via = { value: ctx.config.via, from: `the "via" of context ${ctx.name}` };
      }
      if (!via) {
        trace('control-plane calls go direct');
        return directDialer;
      }
      const target = parseViaTarget(via.value, via.from);
      const f = this.flags as { 'accept-new-host-key'?: boolean; 'ssh-key'?: string };
      trace(`control-plane calls go via ${target.spec} (${via.from})`);
      return lazyDialer(`via ${target.spec}`, async () => {
        const { openJumpDialer } = await import('@frameworks/sdk/ssh');
        return openJumpDialer(target, { acceptNewHostKey: f['accept-new-host-key'], identityFile: f['ssh-key'] });
      });
    })();
    return this.dialing;
  }

  // ---------------------------------------------------------------- output

  /** A line of result text on stdout (silent under --json; under --quiet only the ids of a table). */
  protected out(text = ''): void {
    if (outputMode().quiet && (!text || !isQuietOutput(text))) return;
    if (!this.jsonEnabled()) process.stdout.write(terminalText(redact(text), { keepNewlines: true }) + '\n');
  }

  /** Progress or context on stderr (silent under --json). */
  protected info(text: string): void {
    if (!this.jsonEnabled() && !outputMode().quiet) process.stderr.write(terminalText(redact(text), { keepNewlines: true, stream: process.stderr }) + '\n');
  }

  protected success(text: string): void {
    this.out(`${marks.ok()} ${text}`);
  }

  /** A warning: ⚠ on stderr, or an entry of `warnings` in the --json document. */
  protected warning(message: string, code = 'WARNING'): void {
    this.warnings.push({ code, message: redact(message) });
    const shown = terminalText(redact(message), { keepNewlines: true, stream: process.stderr });
    if (!this.jsonEnabled()) process.stderr.write(`${marks.warn(process.stderr)} ${shown}\n`);
  }

  /** "Next:" hints on stderr; suppressed under --json, CI hints off, or FRAMEWORKS_NO_HINTS. */
  protected next(...commands: string[]): void {
    if (this.jsonEnabled() || outputMode().quiet || process.env.FRAMEWORKS_NO_HINTS || commands.length === 0) return;
    const [first, ...rest] = commands;
    const text = `\n${paint('Next:', 'bold', process.stderr)} ${first}\n${rest.map((c) => `      ${c}\n`).join('')}`;
    process.stderr.write(terminalText(text, { keepNewlines: true, stream: process.stderr }));
  }

  /**
   * A spinner on stderr for a wait (what is awaited, the time left): drawn when stderr is a
   * terminal and not --quiet, under --json too; silent otherwise. Stopped when the command ends.
   */
  protected progress(): Progress {
    const p = new Progress(process.stderr);
    this.spinners.push(p);
    return p;
  }

  private readonly spinners: Progress[] = [];

  /** -o/--output as given (before parsing too: jsonEnabled() is asked early); --json means json. */
  protected outputFormat(): OutputFormat {
    const argv = this.argv.slice(0, this.argv.includes('--') ? this.argv.indexOf('--') : undefined);
    let format: string | undefined;
    argv.forEach((a, i) => {
      const m = /^(?:--output|-o)(?:=(.*))?$/.exec(a) ?? /^-o(.+)$/.exec(a);
      if (m) format = m[1] ?? argv[i + 1];
    });
    if (format && (OUTPUT_FORMATS as readonly string[]).includes(format)) return format as OutputFormat;
    return super.jsonEnabled() ? 'json' : 'table';
  }

  private argvFlag(name: string): boolean {
    const end = this.argv.includes('--') ? this.argv.indexOf('--') : this.argv.length;
    return this.argv.slice(0, end).includes(name);
  }

  /** --json, -o json and -o yaml print one document (YAML for -o yaml) and nothing else on stdout. */
  public override jsonEnabled(): boolean {
    return super.jsonEnabled() || (this.ctor?.enableJsonFlag === true && ['json', 'yaml'].includes(this.outputFormat()));
  }

  // ---------------------------------------------------------------- lifecycle

  private readonly startedAt = performance.now();
  private failure?: FrameworksError;
  private result?: unknown;

  /**
   * Aborted on the first Ctrl-C or SIGTERM of a `graceful` command (others exit 130 at once): stop
   * starting new steps, let the one in flight finish (15 s at most), then roll back or say what
   * changed. A run that ends after it is reported as interrupted (exit 130).
   */
  protected get interrupted(): AbortSignal {
    return interruptState().controller.signal;
  }

  // oclif's lifecycle: init → run → catch (on error) → finally → the success document.
  // catch keeps the error; finally writes the audit line and prints the error document.

  public override async catch(err: Error): Promise<void> {
    this.failure = normalizeError(err, { id: this.id, argv: this.argv, config: this.config, ctor: this.ctor as UsageSource['ctor'] });
  }

  public override async finally(_err: Error | undefined): Promise<void> {
    if (this.dialing) await (await this.dialing.catch(() => undefined))?.close();
    let error = this.failure;
    if (this.mutates()) interruptState().hardExit = undefined;
    clearTimeout(this.watchdog);
    for (const p of this.spinners) p.stop();
    if (!error && this.fwCtor.graceful && this.interrupted.aborted) {
      error = interruptedError('Interrupted; the step in flight had finished, so the command completed what it was doing.', { result: this.result });
    }
    const exitCode = error ? error.exitCode : ExitCode.OK;
    if (this.flags && this.mutates()) await this.audit(error, exitCode, Math.round(performance.now() - this.startedAt));
    if (this.jsonEnabled()) {
      // The success document with a result goes out through oclif (toSuccessJson) after finally.
      if (error) this.logJson(this.errorDocument(error));
      else if (!this.result) this.logJson(this.toSuccessJson(null));
    } else if (error && error.message) {
      this.printError(error);
    }
    process.exitCode = exitCode;
  }

  public override toSuccessJson(result: unknown): Record<string, unknown> {
    return { status: 0, result: result ?? null, warnings: this.warnings };
  }

  /**
   * One plain, redacted JSON document on stdout (oclif would colour it on a terminal), and only one:
   * a run interrupted after it returned its result has already printed its error document.
   */
  public override logJson(json: unknown): void {
    if (this.documentPrinted) return;
    this.documentPrinted = true;
    if (this.outputFormat() === 'yaml') {
      // The same envelope in YAML, through JSON so that dates and undefined read as in --json.
      const plain = JSON.parse(JSON.stringify(redactValue(json)));
      process.stdout.write(yamlDump(plain));
      return;
    }
    process.stdout.write(JSON.stringify(redactValue(json), null, 2) + '\n');
  }

  private documentPrinted = false;

  private watchdog?: NodeJS.Timeout;

  /**
   * The bound on the step in flight after an interrupt: a graceful command that neither finished
   * nor started undoing (`undoing()`) by then is aborted as by a second Ctrl-C. unref: a command
   * that is done exits without waiting for it.
   */
  private armWatchdog(): void {
    this.watchdog = setTimeout(() => {
      process.stderr.write(`\n⚠ The step in flight did not finish within ${WATCHDOG_MS / 1000} s of the interrupt: aborted.\n`);
      const printed = this.hardExit();
      if (!printed && !this.jsonEnabled()) process.stderr.write('✗ Interrupted.\n');
      process.exit(ExitCode.INTERRUPTED);
    }, WATCHDOG_MS).unref();
  }

  /** After an interrupt, the command restores what it changed (a rollback): that may take longer than the step's bound. */
  protected undoing(): void {
    clearTimeout(this.watchdog);
  }

  /** Exit now (a second Ctrl-C, or the first of a command that is not graceful): audit line and document, synchronously. */
  private hardExit(): boolean {
    const error = interruptedError(this.fwCtor.graceful ? 'Aborted at once: the step in flight was cut off and may be half done.' : 'Interrupted.');
    if (this.flags) this.audit(error, ExitCode.INTERRUPTED, Math.round(performance.now() - this.startedAt), true).catch(() => undefined);
    if (!this.jsonEnabled()) return false;
    this.logJson(this.errorDocument(error));
    return true;
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
    err.write(terminalText(lines.join('\n'), { keepNewlines: true, stream: err }) + '\n');
  }

  private async audit(error: FrameworksError | undefined, exitCode: number, durationMs: number, sync = false): Promise<void> {
    const flags = { ...(this.flags as Record<string, unknown>) };
    const outcome = exitCode === ExitCode.INTERRUPTED ? 'interrupted' : exitCode === ExitCode.PARTIAL ? 'partial' : error ? 'failed' : flags['dry-run'] ? 'dry-run' : 'ok';
    try {
      await (sync ? appendAuditSync : appendAudit)(
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

/** js-yaml, loaded only by a run with -o yaml (createRequire: logJson is synchronous, it may run in a hard exit). */
function yamlDump(value: unknown): string {
  const require = createRequire(import.meta.url);
  const yaml = require('js-yaml') as typeof import('js-yaml');
  return yaml.dump(value, { lineWidth: -1, noRefs: true });
}
