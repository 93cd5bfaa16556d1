import { usageError } from '../errors.js';
import { parseViaTarget } from '../exec/target.js';
import { checkName } from '../input/server-text.js';
import type { ContextConfig } from './schema.js';

/** The context fields `frameworks context set <ctx> <key> <value>` writes (endpoints have set-url). */
export const CONTEXT_SETTINGS = ['via', 'api', 'gateway-only', 'gateway-fallback', 'grpc-plaintext', 'description', 'workspace-dir'] as const;
export type ContextSetting = (typeof CONTEXT_SETTINGS)[number];

export function isContextSetting(key: string): key is ContextSetting {
  return (CONTEXT_SETTINGS as readonly string[]).includes(key);
}

const BOOL: Record<string, boolean> = { true: true, false: false };

/** The value as stored, or exit 2 naming the allowed values. */
export function parseContextSetting(key: ContextSetting, value: string): string | boolean {
  const bad = (allowed: string) => usageError(`"${value}" is not a value for ${key}: allowed ${allowed}.`, [`frameworks context set <ctx> ${key} ${allowed.split(' | ')[0]}`], 'INVALID_CONTEXT_VALUE');
  switch (key) {
    case 'via':
      parseViaTarget(value, 'via');
      return value.trim();
    case 'api':
      if (!['rest', 'grpc', 'auto'].includes(value)) throw bad('rest | grpc | auto');
      return value;
    case 'description':
      return checkName(value, 'description');
    case 'workspace-dir':
      if (!value.trim() || /[\n\r\0]/.test(value)) throw bad('<folder>');
      return value.trim();
    default:
      if (!(value in BOOL)) throw bad('true | false');
      return BOOL[value];
  }
}

/** Set (or, with `undefined`, remove) one setting on a context in place; returns the previous value. */
export function applyContextSetting(ctx: ContextConfig, key: ContextSetting, value: string | boolean | undefined): string | boolean | undefined {
  const nested = (obj: 'gateway' | 'grpc' | 'workspace', field: string) => {
    const o = { ...((ctx[obj] as Record<string, unknown> | undefined) ?? {}) };
    const before = o[field] as string | boolean | undefined;
    if (value === undefined) delete o[field];
    else o[field] = value;
    if (Object.keys(o).length) (ctx as Record<string, unknown>)[obj] = o;
    else delete ctx[obj];
    return before;
  };
  if (key === 'gateway-only') return nested('gateway', 'only');
  if (key === 'gateway-fallback') return nested('gateway', 'fallback');
  if (key === 'grpc-plaintext') return nested('grpc', 'plaintext');
  if (key === 'workspace-dir') return nested('workspace', 'dir');
  const before = ctx[key] as string | undefined;
  if (value === undefined) delete ctx[key];
  else (ctx as Record<string, unknown>)[key] = value;
  return before;
}
