import { FrameworksError, ExitCode } from '../errors.js';
import { ENDPOINTS, SERVICE_KEYS, endpointEnvVar, endpointProblem, type ServiceKey } from './endpoints.js';
import type { ConfigFile, ContextConfig, ExecutorConfig } from './schema.js';
import { DEFAULT_CONTEXT } from './store.js';

export type ValueSource = 'flag' | 'env' | 'config' | 'default';

export interface ResolvedEndpoint {
  value: string;
  source: ValueSource;
}

export interface ResolvedContext {
  name: string;
  /** Where the context name came from: --context, FRAMEWORKS_CONTEXT, `current` in the file, or the built-in default. */
  nameSource: ValueSource;
  config: ContextConfig;
  endpoints: Record<ServiceKey, ResolvedEndpoint>;
  executor: ExecutorConfig;
}

export interface ResolveOptions {
  /** --context */
  context?: string;
  /** Per-command endpoint flags, e.g. login --gateway-url. */
  endpointFlags?: Partial<Record<ServiceKey, string | undefined>>;
  env?: NodeJS.ProcessEnv;
}

/** The name of the context a command acts on: --context > FRAMEWORKS_CONTEXT > `current` > the default. */
export function contextName(doc: ConfigFile, opts: Pick<ResolveOptions, 'context' | 'env'> = {}): { name: string; nameSource: ValueSource } {
  const env = opts.env ?? process.env;
  if (opts.context) return { name: opts.context, nameSource: 'flag' };
  if (env.FRAMEWORKS_CONTEXT?.trim()) return { name: env.FRAMEWORKS_CONTEXT.trim(), nameSource: 'env' };
  if (typeof doc.current === 'string' && doc.current) return { name: doc.current, nameSource: 'config' };
  return { name: DEFAULT_CONTEXT, nameSource: 'default' };
}

/** Precedence: flags > FRAMEWORKS_* environment > the context in config.yaml > built-in defaults. */
export function resolveContext(doc: ConfigFile, opts: ResolveOptions = {}): ResolvedContext {
  const env = opts.env ?? process.env;
  const { name, nameSource } = contextName(doc, opts);
  const config = doc.contexts[name];
  if (!config) throw unknownContext(name, doc, nameSource);

  const endpoints = {} as Record<ServiceKey, ResolvedEndpoint>;
  for (const key of SERVICE_KEYS) {
    const flag = opts.endpointFlags?.[key];
    const fromEnv = env[endpointEnvVar(key)]?.trim();
    // The environment gets the same check as set-url and the config file (scheme per service).
    const envProblem = fromEnv && !flag ? endpointProblem(key, fromEnv) : undefined;
    if (envProblem) {
      throw new FrameworksError(`${endpointEnvVar(key)}="${fromEnv}" ${envProblem}.`, {
        code: 'INVALID_URL',
        exitCode: ExitCode.CONFIG_INVALID,
        name: 'ConfigError',
        suggestions: [`export ${endpointEnvVar(key)}=${ENDPOINTS[key].default}`, `unset ${endpointEnvVar(key)}`],
      });
    }
    const fromFile = config.endpoints?.[key];
    endpoints[key] = flag
      ? { value: flag, source: 'flag' }
      : fromEnv
        ? { value: fromEnv, source: 'env' }
        : fromFile
          ? { value: fromFile, source: 'config' }
          : { value: ENDPOINTS[key].default, source: 'default' };
  }
  return { name, nameSource, config, endpoints, executor: config.executor ?? { type: 'local' } };
}

/**
 * `offerCreate: false` where creating the context would not help (deleting or renaming one); `retry`
 * is the command to suggest for a close name (default: show it).
 */
export function unknownContext(
  name: string,
  doc: ConfigFile,
  source: ValueSource = 'flag',
  opts: { offerCreate?: boolean; retry?: (name: string) => string } = {},
): FrameworksError {
  const known = Object.keys(doc.contexts);
  const close = known.filter((k) => editDistance(k, name) <= 2);
  const via = source === 'env' ? ' (from FRAMEWORKS_CONTEXT)' : source === 'config' ? ' (the current context in config.yaml)' : '';
  const guess = close.length ? ` Did you mean "${close[0]}"?` : '';
  return new FrameworksError(`Context "${name}"${via} does not exist.${guess} Known contexts: ${known.join(', ') || 'none'}.`, {
    code: 'CONTEXT_NOT_FOUND',
    exitCode: ExitCode.CONFIG_INVALID,
    name: 'ConfigError',
    suggestions: [
      ...close.map((c) => (opts.retry ?? ((n) => `frameworks context show ${n}`))(c)),
      ...(opts.offerCreate === false ? [] : [`frameworks context create ${name}`]),
      'frameworks context list',
    ],
  });
}

export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length][b.length];
}
