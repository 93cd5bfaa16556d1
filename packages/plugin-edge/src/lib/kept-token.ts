import { posix } from 'node:path';
import { readFilesIfPresent, registerSecret, type Executor } from '@frameworks/sdk';
import { EDGE_ENV, parseEdgeEnv } from './edge-env.js';
import { validateToken } from './validate-input.js';

/**
 * The enrollment token the stack in `dir` already has (EDGE_ENROLLMENT_TOKEN of its .edge.env), so
 * that `edge init --force` without a new token does not wipe it. A value that is not a valid token is
 * not carried over. The value is registered as a secret: it is masked wherever it would be printed.
 */
export async function keptEnrollmentToken(executor: Executor, dir: string): Promise<string | undefined> {
  const [text] = await readFilesIfPresent(executor, [posix.join(dir, EDGE_ENV)]);
  const value = text === undefined ? undefined : parseEdgeEnv(text).EDGE_ENROLLMENT_TOKEN;
  if (!value) return undefined;
  try {
    validateToken(value);
  } catch {
    return undefined;
  }
  registerSecret(value);
  return value;
}
