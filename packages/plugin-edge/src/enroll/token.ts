import { posix } from 'node:path';
import { readStdinSecret, type Executor } from '@frameworks/sdk';
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

/** --token-stdin: the SDK's one stdin secret reader (first line, a terminal or empty stdin is exit 2). */
export function readTokenFromStdin(command: string): Promise<string> {
  return readStdinSecret({
    flag: '--token-stdin',
    what: 'enrollment token',
    example: `printf %s "$TOKEN" | frameworks ${command} --token-stdin`,
    alternatives: ['Or pass --token (visible in `ps`)'],
  });
}
