import { ExitCode, FrameworksError } from '@frameworks/sdk';

/** Raised instead of prompting when input is not allowed; names the flag that answers. */
export function inputRequired(question: string, flag: string): FrameworksError {
  return new FrameworksError(`${question} needs an answer, and prompting is off (no TTY, --no-input, --json or CI).`, {
    code: 'INPUT_REQUIRED',
    exitCode: ExitCode.USAGE,
    name: 'InputRequiredError',
    suggestions: [`Pass ${flag}`],
  });
}

export function interrupted(): FrameworksError {
  return new FrameworksError('Interrupted.', { code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, name: 'InterruptedError' });
}

export interface PromptContext {
  interactive: boolean;
}

type EnquirerPrompt = (q: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function ask<T>(question: Record<string, unknown>): Promise<T> {
  // enquirer is loaded only when a prompt is really shown; it draws on stderr so stdout stays data.
  const { default: Enquirer } = (await import('enquirer')) as unknown as { default: { prompt: EnquirerPrompt } };
  try {
    const answer = await Enquirer.prompt({ stdout: process.stderr, ...question, name: 'value' });
    return answer.value as T;
  } catch (err) {
    // enquirer rejects with an empty value on Ctrl-C / Esc.
    if (err === '' || err === undefined || (err instanceof Error && err.message === '')) throw interrupted();
    throw err;
  }
}

export async function promptPassword(ctx: PromptContext, message: string, flag: string): Promise<string> {
  if (!ctx.interactive) throw inputRequired(message, flag);
  return ask<string>({ type: 'password', message });
}

export async function promptInput(ctx: PromptContext, message: string, flag: string, initial?: string): Promise<string> {
  if (!ctx.interactive) throw inputRequired(message, flag);
  return ask<string>({ type: 'input', message, initial });
}

export async function promptConfirm(ctx: PromptContext, message: string, flag = '--yes'): Promise<boolean> {
  if (!ctx.interactive) throw inputRequired(message, flag);
  return ask<boolean>({ type: 'confirm', message, initial: false });
}

export interface Choice {
  name: string;
  message?: string;
  hint?: string;
}

export async function promptSelect(ctx: PromptContext, message: string, choices: Choice[], flag: string): Promise<string> {
  if (!ctx.interactive) throw inputRequired(message, flag);
  return ask<string>({ type: 'select', message, choices });
}
