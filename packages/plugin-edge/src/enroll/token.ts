import { posix } from 'node:path';
import { ExitCode, FrameworksError, usageError, type Executor } from '@frameworks/sdk';
import { EDGE_ENV } from '../lib/edge-env.js';

export const TOKEN_KEY = 'EDGE_ENROLLMENT_TOKEN';

/**
 * Set KEY=value in env-file text, keeping every other line (comments, order, unknown keys) as it
 * is: every `KEY=` line gets the value (docker reads the last one, the edge commands too, so no
 * stale duplicate may survive); a missing key is appended.
 */
export function setEnvValue(text: string, key: string, value: string): string {
  const re = new RegExp(`^([ \\t]*(?:export[ \\t]+)?${key}[ \\t]*=).*$`, 'gm');
  if (re.test(text)) return text.replace(re, (_m, head: string) => `${head}${value}`);
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${sep}${key}=${value}\n`;
}

/**
 * Write the enrollment token into `<dir>/.edge.env` through the executor (atomic: temp file +
 * rename, mode 0600), preserving the other lines. Returns false when the file already had it.
 */
export async function writeToken(executor: Executor, dir: string, token: string): Promise<boolean> {
  const path = posix.join(dir, EDGE_ENV);
  const before = await executor.readFile(path);
  const after = setEnvValue(before, TOKEN_KEY, token);
  if (after === before) return false;
  await executor.writeFile(path, after, 0o600);
  return true;
}

/** --token-stdin: the first line of stdin (a trailing newline is not part of the token). */
export async function readTokenFromStdin(command: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw usageError('--token-stdin reads the token from stdin, but stdin is a terminal.', [`echo "$TOKEN" | frameworks ${command} --token-stdin`, 'Or pass --token (visible in `ps`)'], 'NO_STDIN');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const token = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!token) {
    throw new FrameworksError('--token-stdin: stdin was empty.', { code: 'EMPTY_TOKEN', exitCode: ExitCode.USAGE, name: 'UsageError', suggestions: [`echo "$TOKEN" | frameworks ${command} --token-stdin`] });
  }
  return token;
}
