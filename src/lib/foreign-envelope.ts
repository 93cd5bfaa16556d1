import type { Command, Config } from '@oclif/core';
import { join } from 'node:path';
import { format } from 'node:util';
import { normalizeError, marks, paint, terminalText } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError, ensureDir, redact, redactValue, writeFileAtomic } from '@frameworks/sdk';
import { checkPluginInstall } from './plugin-install-check.js';

type Loaded = Command.Class & { __frameworksEnvelope?: boolean; authPolicy?: unknown };
type Instance = Command & { argv: string[]; id?: string; config: Config; log: (m?: string, ...a: unknown[]) => void };

const writeOut = process.stdout.write.bind(process.stdout);

/**
 * oclif's own commands (plugins, autocomplete, help) made to keep our contract: `--json` on every
 * one, answered by the one envelope (`{status, result, warnings}` or the error document), and their
 * errors in the `✗ … Next:` form with runnable commands. Our commands have all this from
 * FrameworksCommand (they declare an authPolicy); this patches the others' classes once, before they run.
 */
export function wrapForeignCommand(C: Loaded): void {
  if (C.__frameworksEnvelope || 'authPolicy' in C) return;
  C.__frameworksEnvelope = true;
  C.enableJsonFlag = true;
  const proto = C.prototype as unknown as Record<string, unknown> & { run: unknown };
  const run = proto.run as (this: Instance) => Promise<unknown>;

  proto.run = async function (this: Instance) {
    if (this.id === 'plugins:install') await checkPluginInstall(this.argv, this.config);
    if (this.id === 'autocomplete' || this.id === 'autocomplete:create') {
      const original = run;
      const withOurs = async function (this: Instance) {
        const result = await original.call(this);
        await writeDynamicScripts(this.config);
        return result;
      };
      if (!this.jsonEnabled()) return withOurs.call(this);
      return captureJson(this, withOurs);
    }
    if (!this.jsonEnabled()) return run.call(this);
    return captureJson(this, run);
  };
  async function captureJson(self: Instance, fn: (this: Instance) => Promise<unknown>): Promise<unknown> {
    const that = self;
    // Text a command prints under --json becomes `result.output`: stdout carries one document.
    let captured = '';
    that.log = (m = '', ...a) => void (captured += format(m, ...a) + '\n');
    process.stdout.write = ((chunk: string | Uint8Array) => ((captured += String(chunk)), true)) as typeof process.stdout.write;
    try {
      const result = await fn.call(that);
      return shapeResult(that.id, result) ?? { output: terminalText(captured, { keepNewlines: true }) };
    } finally {
      process.stdout.write = writeOut as typeof process.stdout.write;
    }
  }

  proto['catch'] = async function (this: Instance, err: Error) {
    process.stdout.write = writeOut as typeof process.stdout.write;
    const src = { id: this.id, argv: this.argv, config: this.config, ctor: C as never };
    const error = runnableSuggestions(invalidPlugin(this.id, this.argv, err) ?? normalizeError(err, src), this.config.bin, this.id);
    process.exitCode = error.exitCode;
    if (!error.message) return;
    if (this.jsonEnabled()) {
      writeOut(JSON.stringify(redactValue(errorDocument(error)), null, 2) + '\n');
      return;
    }
    try {
      const { ux } = await import('@oclif/core');
      ux.action.stop(paint('failed', 'bold', process.stderr));
    } catch {
      // No spinner was running.
    }
    const e = process.stderr;
    const lines = [`${marks.fail(e)} ${paint(redact(error.message), 'bold', e)}`];
    error.suggestions.forEach((s, i) => lines.push(i === 0 ? `  ${paint('Next:', 'bold', e)} ${redact(s)}` : `        ${redact(s)}`));
    e.write(terminalText(lines.join('\n'), { keepNewlines: true, stream: e }) + '\n');
  };

  proto['toSuccessJson'] = function (result: unknown) {
    return { status: 0, result: result ?? null, warnings: [] };
  };
  proto['logJson'] = function (json: unknown) {
    writeOut(JSON.stringify(redactValue(json), null, 2) + '\n');
  };
}

/**
 * oclif's bash and zsh functions list commands and flags only; ours ask `frameworks __complete`, which
 * also knows values (contexts, hosts, keys). The setup files oclif wrote keep sourcing these paths.
 */
async function writeDynamicScripts(config: Config): Promise<void> {
  const { bashScript, zshScript } = await import('./shell-scripts.js');
  const dir = join(config.cacheDir, 'autocomplete', 'functions');
  await ensureDir(join(dir, 'bash'));
  await ensureDir(join(dir, 'zsh'));
  await writeFileAtomic(join(dir, 'bash', `${config.bin}.bash`), bashScript(config.bin), 0o644);
  await writeFileAtomic(join(dir, 'zsh', `_${config.bin}`), zshScript(config.bin), 0o644);
}

function errorDocument(error: FrameworksError): Record<string, unknown> {
  return {
    status: error.exitCode,
    name: error.name,
    code: error.code,
    message: redact(error.message),
    suggestions: error.suggestions,
    ...(error.detail ? { detail: error.detail } : {}),
    warnings: [],
  };
}

/** oclif's "plugin is invalid" (exit 2, as if the command line were wrong): say what it means. */
function invalidPlugin(id: string | undefined, argv: string[], err: Error): FrameworksError | undefined {
  if (id !== 'plugins:install' || !/plugin is invalid/.test(err.message)) return undefined;
  const names = argv.filter((a) => !a.startsWith('-')).join(' ');
  return new FrameworksError(`"${names}" was found and installed, but it is not a frameworks plugin (it has no oclif commands); it was removed again.`, {
    code: 'PLUGIN_INVALID',
    exitCode: ExitCode.FAILED,
    name: 'PluginInvalidError',
    suggestions: ['frameworks plugins'],
    cause: err,
  });
}

/** oclif's prose suggestions ("Plugin failed to install because…") are dropped for commands to run. */
function runnableSuggestions(error: FrameworksError, bin: string, id = ''): FrameworksError {
  const keep = error.suggestions.filter((s) => /^(frameworks|npm|FRAMEWORKS_[A-Z_]+=\S+ frameworks) /.test(s));
  const own = `${bin} ${id.replaceAll(':', ' ')} --help`;
  const extra = id.startsWith('plugins') ? [`${bin} plugins`] : [];
  const suggestions = keep.length ? keep : [...extra, own];
  const generic = error.code === 'FAILED' && id.startsWith('plugins');
  if (!generic && suggestions.join() === error.suggestions.join()) return error;
  return new FrameworksError(error.message.replace(/^Error: /, ''), {
    code: generic ? 'PLUGIN_COMMAND_FAILED' : error.code,
    exitCode: error.exitCode || ExitCode.FAILED,
    name: error.name,
    suggestions,
    cause: error.cause,
    ...(error.detail ? { detail: error.detail } : {}),
  });
}

interface PluginLike {
  name: string;
  alias?: string;
  version?: string;
  type?: string;
  root?: string;
}

/** `plugins --json` listed oclif's plugin internals; the result is the list a user reads. */
function shapeResult(id: string | undefined, result: unknown): unknown {
  if (id === 'plugins' && Array.isArray(result)) {
    return (result as PluginLike[]).map((p) => ({
      name: p.name,
      version: p.version ?? null,
      type: p.type ?? null,
      ...(p.root ? { root: p.root } : {}),
    }));
  }
  return result ?? undefined;
}
