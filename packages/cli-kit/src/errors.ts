import { ExitCode, FrameworksError, isFrameworksError } from '@frameworks/sdk';
import { usageErrorFor, type UsageSource } from './usage-errors.js';
import { runnableHints as fixHints } from './runnable-hints.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const INTERNAL = new Set(['TypeError', 'ReferenceError', 'SyntaxError', 'RangeError']);

interface OclifLike {
  oclif?: { exit?: number };
  code?: string;
  name?: string;
  message?: string;
  suggestions?: string[];
}

/**
 * Turn anything thrown into a FrameworksError with an exit code from the documented table. With the
 * command it came from, parser errors become one line and a runnable next step, and a prose hint
 * ("Pass --yes") becomes the command line that does it.
 */
export function normalizeError(err: unknown, src?: UsageSource): FrameworksError {
  if (isFrameworksError(err)) return src ? runnableHints(err, src) : err;
  const e = (err ?? {}) as OclifLike & Error;
  const usage = src && e.oclif ? usageErrorFor(e, src) : undefined;
  if (usage) return usage;
  // this.exit(n) / oclif ExitError: an intentional exit with nothing to print.
  if (e.code === 'EEXIT' && typeof e.oclif?.exit === 'number') {
    return new FrameworksError('', { code: 'EXIT', exitCode: e.oclif.exit, name: 'Exit' });
  }
  // oclif parser errors (unknown flag, missing arg, bad option) carry oclif.exit = 2.
  if (e.oclif && (e.oclif.exit === 2 || /Flag|Arg|Parse|Option/.test(e.name ?? e.constructor?.name ?? ''))) {
    return new FrameworksError(stripOclifPrefix(e.message ?? 'Invalid usage'), {
      code: 'USAGE',
      exitCode: ExitCode.USAGE,
      name: 'UsageError',
      suggestions: e.suggestions?.length ? e.suggestions : ['Run the command with --help to see its flags and arguments'],
      cause: err,
    });
  }
  if (e.oclif && typeof e.oclif.exit === 'number') {
    return new FrameworksError(e.message ?? 'Failed', { code: e.code ?? 'FAILED', exitCode: e.oclif.exit, cause: err, suggestions: e.suggestions ?? [] });
  }
  if (e.code && NETWORK_CODES.has(e.code)) {
    return new FrameworksError(e.message ?? e.code, { code: 'NETWORK', exitCode: ExitCode.NETWORK, name: 'NetworkError', cause: err });
  }
  if (err instanceof Error && INTERNAL.has(err.name)) {
    return new FrameworksError(`Internal error: ${err.message}`, {
      code: 'INTERNAL',
      exitCode: ExitCode.INTERNAL,
      name: 'InternalError',
      cause: err,
      suggestions: ['This is a bug in frameworks. Re-run with --verbose and report the output (secrets are redacted).'],
    });
  }
  return new FrameworksError(e.message ?? String(err), { code: e.code ?? 'FAILED', exitCode: ExitCode.FAILED, cause: err });
}

/** Prose hints as command lines; advice that is no command joins the message. */
function runnableHints(err: FrameworksError, src: UsageSource): FrameworksError {
  const { suggestions, notes } = fixHints(err.suggestions, src);
  (err as { suggestions: string[] }).suggestions = suggestions;
  if (notes.length) err.message = [err.message, ...notes.map((n) => (/[.?!]$/.test(n) ? n : `${n}.`))].join(' ');
  return err;
}

function stripOclifPrefix(message: string): string {
  return message.replace(/\n*See more help with --help\s*$/, '').trim();
}

/** A cause as text (--verbose): an Error's stack, a string as it is, anything else as JSON — never "[object Object]". */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.stack ?? `${cause.name}: ${cause.message}`;
  if (typeof cause === 'string') return cause;
  if (typeof cause === 'object' && cause !== null && typeof (cause as { message?: unknown }).message === 'string') {
    const { message, code } = cause as { message: string; code?: unknown };
    return code === undefined ? message : `${String(code)}: ${message}`;
  }
  try {
    return JSON.stringify(cause) ?? String(cause);
  } catch {
    return String(cause);
  }
}
