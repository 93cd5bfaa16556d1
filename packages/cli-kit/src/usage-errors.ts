import { ExitCode, FrameworksError, editDistance, quoteCommand, redact } from '@frameworks/sdk';

/** What a parser error needs to know about the command it came from (a Command instance fits). */
export interface UsageSource {
  id?: string;
  argv?: string[];
  config: { bin: string };
  ctor: {
    examples?: unknown[];
    flags?: Record<string, FlagLike>;
    baseFlags?: Record<string, FlagLike>;
    args?: Record<string, ArgLike>;
    enableJsonFlag?: boolean;
  };
}

interface FlagLike {
  name?: string;
  char?: string;
  type?: string;
  options?: readonly string[];
  hidden?: boolean;
}

interface ArgLike {
  name?: string;
  description?: string;
  options?: readonly string[];
  required?: boolean;
}

const SECRET_FLAG = /^--?[\w-]*(token|password|jwt|secret)(?!-stdin|-file)[\w-]*$/;

/**
 * argv as it may be shown in a suggestion: the value of a secret flag (`--jwt …`, `--service-token=…`)
 * and anything redaction recognises become `<secret>`, never themselves.
 */
export function safeArgv(argv: string[]): string[] {
  return argv.map((a, i) => {
    const eq = /^(--[\w-]+)=/.exec(a);
    if (eq && SECRET_FLAG.test(eq[1])) return `${eq[1]}=<secret>`;
    if (i > 0 && SECRET_FLAG.test(argv[i - 1]) && !argv[i - 1].includes('=') && !a.startsWith('-')) return '<secret>';
    return redact(a) === a ? a : '<secret>';
  });
}

/** Closest candidate to `typed`, if it is close enough to be what was meant. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(typed.toLowerCase(), c.toLowerCase());
    if (!best || d < best.d) best = { c, d };
  }
  if (!best) return undefined;
  return best.d <= Math.max(2, Math.floor(best.c.length / 3)) || best.c.startsWith(typed) ? best.c : undefined;
}

/** The command's examples as runnable command lines (bin substituted, descriptions dropped). */
export function exampleCommands(src: UsageSource): string[] {
  const bin = src.config.bin;
  const id = (src.id ?? '').replaceAll(':', ' ');
  return (src.ctor.examples ?? [])
    .map((e) => (typeof e === 'string' ? e : ((e as { command?: string }).command ?? '')))
    .flatMap((e) => e.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')))
    .map((e) => e.replaceAll('<%= config.bin %>', bin).replaceAll('<%= command.id %>', id).trim())
    .filter((e) => e.startsWith(`${bin} `) && !e.includes('…') && !e.includes('<%'));
}

// eslint-disable-next-line no-control-regex -- oclif colours parts of its messages
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

/**
 * A parser error of oclif (missing flag or argument, unknown flag, a value not among the options)
 * as one line saying what is wrong, and a runnable command as the next step: the fixed command
 * line when the fix is clear (a misspelt flag or value), else the command's own example that has
 * what was missing. undefined when `err` is not a parser error.
 */
export function usageErrorFor(err: Error & { args?: ArgLike[] | string[]; flags?: string[] }, src: UsageSource): FrameworksError | undefined {
  const name = err.constructor?.name ?? err.name;
  const bin = src.config.bin;
  const cmd = (src.id ?? '').replaceAll(':', ' ');
  const full = `${bin} ${cmd}`.trim();
  const argv = safeArgv(src.argv ?? []);
  const examples = exampleCommands(src);
  const help = `${full} --help`;
  const flags: Record<string, FlagLike> = { ...(src.ctor.baseFlags ?? {}), ...(src.ctor.flags ?? {}) };
  if (src.ctor.enableJsonFlag) flags.json = { type: 'boolean' };
  const message = plain(err.message).replace(/\n*See more help with --help\s*$/, '');
  const make = (msg: string, suggestions: string[]) =>
    new FrameworksError(msg, { code: 'USAGE', exitCode: ExitCode.USAGE, name: 'UsageError', suggestions: [...new Set(suggestions)], cause: err });
  const rerun = (words: string[]) => `${full} ${quoteCommand(words)}`.trim();

  if (name === 'NonExistentFlagsError' && Array.isArray(err.flags)) {
    const known = Object.entries(flags).filter(([, f]) => !f.hidden).map(([n]) => `--${n}`);
    const fixed = [...argv];
    const parts: string[] = [];
    for (const typed of err.flags) {
      const bare = typed.split('=')[0];
      const guess = bare.startsWith('--') ? closest(bare, known) : undefined;
      parts.push(guess ? `no flag ${bare}; did you mean ${guess}?` : `no flag ${bare}.`);
      const at = fixed.findIndex((a) => a === typed || a.startsWith(`${bare}=`));
      if (at >= 0) {
        if (guess) fixed[at] = fixed[at].replace(bare, guess);
        // No such flag: drop it, and the word after it, which was meant as its value (maybe a secret).
        else fixed.splice(at, typed.includes('=') || !fixed[at + 1] || fixed[at + 1].startsWith('-') ? 1 : 2);
      }
    }
    return make(`${cmd || bin} has ${parts.join(' ')}`, [rerun(fixed), help]);
  }

  const option = /^Expected --([\w-]+)=(.*) to be one of: (.*)$/s.exec(message);
  if (option) {
    const [, flag, value, list] = option;
    const choices = list.split(', ');
    const guess = closest(value, choices);
    const fixed = argv.map((a) => (a === `--${flag}=${value}` ? `--${flag}=${guess ?? choices[0]}` : a));
    const at = fixed.findIndex((a, i) => a === value && (fixed[i - 1] === `--${flag}` || fixed[i - 1] === `-${flags[flag]?.char}`));
    if (at >= 0) fixed[at] = guess ?? choices[0];
    const hint = guess ? `; did you mean ${guess}?` : '.';
    return make(`--${flag} must be one of ${choices.join(', ')}, not "${value}"${hint}`, [rerun(fixed), help]);
  }

  const argOption = /^Expected (.*) to be one of: (.*)$/s.exec(message);
  if (name === 'ArgInvalidOptionError' || (argOption && name === 'CLIParseError')) {
    if (argOption) {
      const [, value, list] = argOption;
      const choices = list.split(', ');
      const guess = closest(value, choices);
      const argName = Object.entries(src.ctor.args ?? {}).find(([, a]) => a.options?.join(', ') === list)?.[0] ?? 'the argument';
      const fixed = argv.map((a) => (a === value ? (guess ?? a) : a));
      const hint = guess ? `; did you mean ${guess}?` : '.';
      return make(`"${value}" is not a valid ${argName}: one of ${choices.join(', ')}${hint}`, guess ? [rerun(fixed), help] : [help]);
    }
  }

  if (name === 'RequiredArgsError' && Array.isArray(err.args)) {
    const missing = (err.args as ArgLike[]).map((a) => `<${a.name}>`);
    const need = Object.values(src.ctor.args ?? {}).filter((a) => a.required).length;
    const example = examples.find((e) => positional(e, full).length >= need) ?? examples[0];
    return make(`${cmd} needs ${listed(missing)}.`, [example ?? help, ...(example ? [] : [])]);
  }

  if (name === 'UnexpectedArgsError' && Array.isArray(err.args)) {
    const extra = (err.args as string[]).map((a) => `"${a}"`);
    const max = Object.keys(src.ctor.args ?? {}).length;
    const takes = max === 0 ? 'takes no arguments' : `takes ${max} argument${max === 1 ? '' : 's'}`;
    const fixed = argv.filter((a) => !(err.args as string[]).includes(a));
    return make(`${cmd} ${takes}; ${listed(extra)} ${extra.length === 1 ? 'is' : 'are'} one too many.`, [rerun(fixed), help]);
  }

  if (name === 'FailedFlagValidationError' || name === 'ViolatedFlagConstraintError') {
    const reasons = message.replace(/^The following errors? occurred:\s*/, '').split('\n').map((l) => l.trim()).filter(Boolean);
    const missing = reasons.flatMap((r) => /^Missing required flag (\S+)/.exec(r)?.[1] ?? []).map((f) => `--${f}`);
    const others = reasons.filter((r) => !/^Missing required flag/.test(r));
    if (missing.length) {
      const example = examples.find((e) => missing.every((f) => e.includes(`${f} `) || e.includes(`${f}=`) || e.endsWith(f)));
      return make(`${cmd} needs ${listed(missing)}.${others.length ? ` ${others.join('; ')}.` : ''}`, [example ?? help]);
    }
    return make(`${others.join('; ')}.`, [...examples.slice(0, 1), help]);
  }

  // Only the parser's own errors (they carry `parse`): a command's CLIError with exit 2 is not a usage error of its line.
  if ((err as { parse?: unknown }).parse !== undefined || /Parse|Flag|Arg/.test(name)) {
    return make(message.replace(/\s*\n\s*/g, ' '), [...examples.slice(0, 1), help]);
  }
  return undefined;
}

function listed(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Positional words of an example after the command id (flags and their values skipped roughly). */
function positional(example: string, full: string): string[] {
  const rest = example.slice(full.length).trim().split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i].startsWith('-')) {
      if (!rest[i].includes('=') && rest[i + 1] && !rest[i + 1].startsWith('-') && /^--?[a-z]/.test(rest[i])) i++;
      continue;
    }
    out.push(rest[i]);
  }
  return out;
}
