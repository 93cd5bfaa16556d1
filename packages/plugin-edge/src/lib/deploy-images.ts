import { imageRef } from '@frameworks/sdk';
import type { Repin } from '../update/repin.js';
import { SERVICES, type EdgeStack } from './stack.js';

/** The image each service will run after this command: the stack's pins (.edge.env *_IMAGE), with a release/--image repin on top. */
export function deployImages(stack: EdgeStack, repin?: Repin): Record<string, string | undefined> {
  const env = stack.env as Record<string, string | undefined>;
  const refs: Record<string, string | undefined> = Object.fromEntries(SERVICES.map((s) => [s, env[`${s.toUpperCase()}_IMAGE`]]));
  if (!repin) return refs;
  if (repin.release) return { ...refs, ...repin.release.refs };
  for (const [svc, spec] of Object.entries(repin.overrides)) if (spec) refs[svc] = imageRef(spec);
  return refs;
}
