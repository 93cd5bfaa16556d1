/** A CLI sandbox whose npm sees only the e2e registry (no inherited npm_config_*, no retries), for `plugins install`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliSandbox } from './cli.js';
import { REGISTRY_URL } from './registry.js';

export function registrySandbox(prefix: string): { sandbox: CliSandbox; env: Record<string, string | undefined>; dataDir: string } {
  const sandbox = new CliSandbox(prefix);
  const npmrc = join(sandbox.home, '.npmrc');
  writeFileSync(
    npmrc,
    [`registry=${REGISTRY_URL}/`, 'fetch-retries=0', 'fetch-timeout=30000', 'audit=false', 'fund=false', 'update-notifier=false', ''].join('\n'),
  );
  mkdirSync(join(sandbox.home, '.npm'), { recursive: true });
  const env: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) if (/^npm_config_/i.test(key)) env[key] = undefined;
  Object.assign(env, {
    FRAMEWORKS_NPM_REGISTRY: REGISTRY_URL,
    npm_config_registry: `${REGISTRY_URL}/`,
    npm_config_userconfig: npmrc,
    npm_config_cache: join(sandbox.home, '.npm'),
    npm_config_fetch_retries: '0',
    npm_config_fetch_timeout: '30000',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  });
  return { sandbox, env, dataDir: join(sandbox.home, '.local', 'share', 'frameworks') };
}
