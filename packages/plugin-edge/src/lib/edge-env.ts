import { join } from 'node:path';
import { mask, type Executor } from '@frameworks/sdk';

/** `.edge.env`: KEY=VALUE lines read by Docker Compose (env_file) and by the edge commands (names shared with the SDK's templates). */
export { EDGE_ENV, EDGE_ENV_EXAMPLE, EDGE_ENV_SECRET_KEYS } from '@frameworks/sdk/edge-templates';
import { EDGE_ENV, EDGE_ENV_SECRET_KEYS } from '@frameworks/sdk/edge-templates';

export type EdgeEnv = Record<string, string>;

/** Replace the value of every secret key (KEY=value lines) with a mask, for diffs and --dry-run. */
export function maskEnvSecrets(text: string): string {
  return text.replace(/^([ \t]*(?:export[ \t]+)?)([A-Za-z_][A-Za-z0-9_]*)([ \t]*=[ \t]*)(.*)$/gm, (line, pre: string, key: string, eq: string, value: string) => {
    if (!EDGE_ENV_SECRET_KEYS.includes(key) && !/(TOKEN|PASSWORD|SECRET)$/.test(key)) return line;
    if (!value) return line;
    return `${pre}${key}${eq}${maskValue(value)}`;
  });
}

function maskValue(value: string): string {
  const m = mask(value);
  return m === '****' ? `**** (${value.length} chars)` : m;
}

/** Parse KEY=VALUE lines; blank lines and # comments are skipped; matching outer quotes are removed. */
export function parseEdgeEnv(text: string): EdgeEnv {
  const env: EdgeEnv = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim().replace(/^export\s+/, '');
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) {
      value = value.slice(1, -1);
    }
    env[key] = value;
  }
  return env;
}

/** Read `<dir>/.edge.env` through the executor (so --ssh reads the remote file); undefined when absent. */
export async function readEdgeEnv(executor: Executor, dir: string): Promise<EdgeEnv | undefined> {
  const path = join(dir, EDGE_ENV);
  if (!(await executor.exists(path))) return undefined;
  return parseEdgeEnv(await executor.readFile(path));
}
