import { registerSecret } from '@frameworks/sdk';
import { parseEdgeEnv } from './edge-env.js';
import { validateToken } from './validate-input.js';

/**
 * The enrollment token a stack already has (EDGE_ENROLLMENT_TOKEN of its .edge.env, given as text), so
 * that `edge init --force` without a new token does not wipe it. A value that is not a valid token is
 * not carried over. The value is registered as a secret: it is masked wherever it would be printed.
 */
export function keptEnrollmentToken(text: string | undefined): string | undefined {
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
