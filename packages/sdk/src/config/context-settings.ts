import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import { parsePublicKey } from '../release/signing-key.js';
import { parseReleaseSource } from '../release/source.js';
import { parseViaTarget } from '../exec/target.js';
import { checkName } from '../input/server-text.js';
import type { ContextConfig } from './schema.js';

/** The context fields `frameworks context set <ctx> <key> <value>` writes (endpoints have set-url). */
export const CONTEXT_SETTINGS = ['via', 'api', 'gateway-only', 'gateway-fallback', 'grpc-plaintext', 'description', 'release.source', 'release.public_key', 'workspace.dir', 'infra.dir'] as const;
export type ContextSetting = (typeof CONTEXT_SETTINGS)[number];

export function isContextSetting(key: string): key is ContextSetting {
  return (CONTEXT_SETTINGS as readonly string[]).includes(key);
}

const BOOL: Record<string, boolean> = { true: true, false: false };

/** A release source as stored: a URL or git spec as given, a local path made absolute (the context works from any folder). */
function releaseSourceValue(value: string): string {
  const parsed = parseReleaseSource(value);
  return parsed.kind === 'folder' || parsed.kind === 'file' ? parsed.location : parsed.spec;
}

/** The public key's path, absolute; the file must hold a PEM public key now, not at the first deploy. */
function publicKeyPath(value: string): string {
  const path = resolve(value.replace(/^~(?=\/|$)/, process.env.HOME ?? '~'));
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw usageError(`release.public_key ${value}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`, ['cosign public-key --key cosign.key > cosign.pub'], 'INVALID_CONTEXT_VALUE');
  }
  parsePublicKey(pem, value);
  return path;
}

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
    case 'release.source':
      return releaseSourceValue(value);
    case 'release.public_key':
      return publicKeyPath(value);
    case 'workspace.dir':
    case 'infra.dir':
      if (!value.trim() || /[\n\r\0]/.test(value)) throw bad('<folder>');
      return value.trim();
    default:
      if (!(value in BOOL)) throw bad('true | false');
      return BOOL[value];
  }
}

/** Set (or, with `undefined`, remove) one setting on a context in place; returns the previous value. */
export function applyContextSetting(ctx: ContextConfig, key: ContextSetting, value: string | boolean | undefined): string | boolean | undefined {
  const nested = (obj: 'gateway' | 'grpc' | 'release' | 'workspace' | 'infra', field: string) => {
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
  if (key === 'release.source') return nested('release', 'source');
  if (key === 'release.public_key') return nested('release', 'public_key');
  if (key === 'workspace.dir') return nested('workspace', 'dir');
  if (key === 'infra.dir') return nested('infra', 'dir');
  const before = ctx[key] as string | undefined;
  if (value === undefined) delete ctx[key];
  else (ctx as Record<string, unknown>)[key] = value;
  return before;
}
