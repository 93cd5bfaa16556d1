import { redact } from './redact.js';

/**
 * What a tool (docker, compose, ssh, a remote shell) said, made fit for a message: the last lines of
 * its stderr without progress noise or control characters, redacted, and the one line that says why.
 */
/** The last lines of a tool's stderr, redacted, without compose's progress noise. */
export function stderrTail(stderr: string, lines = 12, chars = 2000): string {
  // Compose v1 (python) may die with (chained) tracebacks: the exception lines carry the message,
  // the indented frames are noise.
  if (stderr.includes('Traceback (most recent call last):')) {
    const messages = stderr
      .split('\n')
      .filter((l) => l.trim() && !/^\s/.test(l) && !/^(?:Traceback \(most recent|During handling of the above|The above exception was)/.test(l));
    stderr = messages.slice(-2).join('\n');
  }
  const kept = stderr
    .replace(/\r/g, '\n')
    .split('\n')
    // Escape sequences, then any other control character: a tool's words must not drive the terminal.
    // eslint-disable-next-line no-control-regex
    .map((l) => l.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, '').trimEnd())
    .filter((l) => l.trim() !== '' && !/^\s*(?:[⠀-⣿]|\[\+\] |#\d+ )/.test(l));
  let out = kept.slice(-lines).join('\n');
  if (out.length > chars) out = `…${out.slice(-chars)}`;
  return redact(out);
}

const ERROR_LINE = /error|denied|not found|unknown|invalid|cannot|can't|could not|couldn't|failed|refused|no such|unauthorized|forbidden|timeout|timed out/i;

/** The one line of a tool's stderr tail that says why: the last line that reads like an error, else the last line. */
export function reasonOf(tail: string): string {
  const lines = tail.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = [...lines].reverse().find((l) => ERROR_LINE.test(l)) ?? lines.at(-1) ?? '';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** ": <reason>" for the message's first line, then the tail's other lines; or "(exit N, no output)". */
export function withReason(tail: string, code: number): string {
  if (!tail) return ` (exit ${code}, no output)`;
  const reason = reasonOf(tail);
  return tail.trim() === reason ? `: ${reason}` : `: ${reason}\n${tail}`;
}
