import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { rawGet } from '../clients/raw-http.js';

export const NPM_DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

export interface NpmRegistry {
  url: string;
  /** Where the URL came from: an environment variable, an .npmrc path, or npm's default. */
  source: string;
}

/**
 * The registry `frameworks plugins install` will ask, as npm would pick it for the plugin folder:
 * FRAMEWORKS_NPM_REGISTRY (passed to npm as --registry), npm_config_registry, the user .npmrc, npm's default.
 */
export function npmRegistry(env: NodeJS.ProcessEnv = process.env): NpmRegistry {
  if (env.FRAMEWORKS_NPM_REGISTRY) return { url: env.FRAMEWORKS_NPM_REGISTRY, source: 'FRAMEWORKS_NPM_REGISTRY' };
  const key = Object.keys(env).find((k) => k.toLowerCase() === 'npm_config_registry' && env[k]);
  if (key) return { url: env[key]!, source: key };
  const rc = Object.entries(env).find(([k, v]) => k.toLowerCase() === 'npm_config_userconfig' && v)?.[1] ?? join(env.HOME || homedir(), '.npmrc');
  try {
    const line = /^\s*registry\s*=\s*(\S+)\s*$/m.exec(readFileSync(rc, 'utf8'));
    if (line) return { url: line[1], source: rc };
  } catch {
    // No user .npmrc: npm's default.
  }
  return { url: NPM_DEFAULT_REGISTRY, source: 'npm default' };
}

export type PackageProbe = { state: 'found' } | { state: 'missing' } | { state: 'unknown'; status: number } | { state: 'unreachable'; error: string };

/** Whether the registry has `name`, asked once and bounded by `timeoutMs` (a dead registry answers nothing). */
export async function probeNpmPackage(registry: string, name: string, timeoutMs: number): Promise<PackageProbe> {
  const url = new URL(name.replace('/', '%2f'), registry.endsWith('/') ? registry : `${registry}/`);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const a = await rawGet(url, { timeoutMs, signal: controller.signal, headers: { accept: 'application/vnd.npm.install-v1+json' }, maxBody: 64 * 1024 });
    if (a.status === 200) return { state: 'found' };
    if (a.status === 404) return { state: 'missing' };
    if (a.status) return { state: 'unknown', status: a.status };
    return { state: 'unreachable', error: controller.signal.aborted ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (a.errorCode ?? a.error ?? 'no answer') };
  } finally {
    clearTimeout(timer);
  }
}
