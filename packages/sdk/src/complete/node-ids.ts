// Node ids for shell completion (`frameworks edge drain <TAB>`): a small per-context cache, refreshed
// from Quartermaster within a hard budget. A TAB never waits long, never prompts and never shows an
// error: anything that goes wrong yields no candidates.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { chooseCredential, collectCredentials, type ChosenCredential } from '../auth/policy.js';
import { resolveContext, contextName } from '../config/resolve.js';
import { ConfigStore } from '../config/store.js';
import type { ConfigFile } from '../config/schema.js';
import { CredentialStore } from '../credentials/store.js';
import { ensurePrivateDir, writeFileAtomic } from '../fs/atomic.js';
import { readYamlFile } from '../fs/yaml-file.js';
import { gatewaySettings } from '../net/control-route.js';
import { frameworksPaths } from '../paths.js';

export const NODE_CACHE_TTL_MS = 60_000;
/** The refresh (config, credentials, era, request) must end within this; the TAB stays under 300 ms. */
export const NODE_REFRESH_BUDGET_MS = 200;

export interface NodeCandidate {
  id: string;
  description: string;
}

export interface CompletionNodesOptions {
  env?: NodeJS.ProcessEnv;
  /** `--context` typed on the line. */
  context?: string;
  /** Time the refresh may take (default NODE_REFRESH_BUDGET_MS). */
  budgetMs?: number;
}

interface NodeCacheDoc {
  version: 1;
  context: string;
  fetched_at: string;
  nodes: NodeCandidate[];
}

/** `<frameworks home>/complete/nodes-<context>.json` (the name is encoded: it becomes a file name). */
export function nodeCachePath(context: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(frameworksPaths(env).home, 'complete', `nodes-${encodeURIComponent(context)}.json`);
}

/** Node ids of the context: from a fresh cache, else from Quartermaster within the budget, else none. */
export async function completionNodes(o: CompletionNodesOptions = {}): Promise<NodeCandidate[]> {
  const env = o.env ?? process.env;
  try {
    const paths = frameworksPaths(env);
    const raw = (await readYamlFile(paths.config, [])).data as ConfigFile | undefined;
    if (!raw || typeof raw !== 'object') return [];
    const { name } = contextName(raw, { context: o.context, env });
    const cachePath = nodeCachePath(name, env);
    const cached = await readCache(cachePath, name);
    if (cached) return cached;
    const budget = o.budgetMs ?? NODE_REFRESH_BUDGET_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), budget);
      timer.unref();
    });
    const nodes = await Promise.race([fetchNodes(name, env, budget), timeout]).finally(() => clearTimeout(timer));
    if (!nodes) return [];
    await ensurePrivateDir(join(paths.home, 'complete'));
    const doc: NodeCacheDoc = { version: 1, context: name, fetched_at: new Date().toISOString(), nodes };
    await writeFileAtomic(cachePath, `${JSON.stringify(doc)}\n`, 0o600);
    return nodes;
  } catch {
    return [];
  }
}

async function readCache(path: string, context: string): Promise<NodeCandidate[] | undefined> {
  try {
    const age = Date.now() - (await stat(path)).mtimeMs;
    if (age < 0 || age >= NODE_CACHE_TTL_MS) return undefined;
    const doc = JSON.parse(await readFile(path, 'utf8')) as NodeCacheDoc;
    if (doc.version !== 1 || doc.context !== context || !Array.isArray(doc.nodes)) return undefined;
    return doc.nodes.filter((n) => typeof n?.id === 'string' && n.id);
  } catch {
    return undefined;
  }
}

/** Undefined when the context cannot be asked cheaply (no credential, a jump host, gateway-only) or the call fails. */
async function fetchNodes(name: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<NodeCandidate[] | undefined> {
  const paths = frameworksPaths(env);
  const { doc } = await new ConfigStore(paths).load();
  const ctx = resolveContext(doc, { context: name, env });
  // An SSH tunnel per TAB is not cheap; the Gateway has no node list: no refresh there.
  if (ctx.config.via || gatewaySettings(ctx.config).only) return undefined;
  const creds = collectCredentials(await new CredentialStore(paths).get(name), env);
  // As `admin nodes list`: the service token first, else the JWT (an expired one is no candidate source).
  const credential: ChosenCredential | undefined = creds.serviceToken
    ? chooseCredential('service', creds, name)
    : creds.jwt
      ? chooseCredential('jwt', creds, name)
      : undefined;
  if (!credential) return undefined;
  const { selectQuartermaster } = await import('../clients/select.js');
  const { client } = await selectQuartermaster({ ctx, credential, timeoutMs, env });
  try {
    const nodes = await client.listNodes();
    return nodes
      .filter((n) => typeof n.node_id === 'string' && n.node_id)
      .map((n) => ({ id: n.node_id, description: [n.node_type, n.region, n.cluster_id].filter(Boolean).join(' · ') }));
  } finally {
    client.close?.();
  }
}
