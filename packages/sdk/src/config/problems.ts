import { ajvMessages, type AjvErrorLike } from '../schema/ajv-messages.js';
import { ENDPOINTS, endpointProblem, isServiceKey, type ServiceKey } from './endpoints.js';
import type { ConfigFile } from './schema.js';

/** One thing wrong with config.yaml: the JSON pointer of the key it is about, and what to print. */
export interface ConfigProblem {
  pointer: string;
  message: string;
  /** Set when the problem is one endpoint value: `context set-url` can repair it. */
  endpoint?: { context: string; service: ServiceKey; value: unknown };
}

/**
 * The part of the file a command is about to replace (set-url: one endpoint; context delete: a
 * whole context): problems there must not stop the command that repairs them.
 */
export interface ConfigRepair {
  context: string;
  service?: ServiceKey;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Schema errors as problems; an unknown or missing key points at the key itself. */
export function schemaProblems(errors: AjvErrorLike[], doc: unknown): ConfigProblem[] {
  return errors.flatMap((e) => {
    const [message] = ajvMessages([e]);
    if (message === undefined) return [];
    const base = e.instancePath ?? e.dataPath ?? '';
    const key = e.params?.additionalProperty ?? e.params?.missingProperty;
    const pointer = key === undefined ? base : `${base}/${escape(String(key))}`;
    return [{ pointer, message, endpoint: endpointAt(pointer, doc) }];
  });
}

/** Checks a schema cannot express: endpoint URLs per kind, `current` naming a context. */
export function semanticProblems(doc: ConfigFile): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // Runs beside the schema errors, so it reads a document of any shape.
  if (!isObject(doc)) return problems;
  for (const [name, ctx] of Object.entries(isObject(doc.contexts) ? doc.contexts : {})) {
    if (!isObject(ctx) || !isObject(ctx.endpoints)) continue;
    for (const [key, value] of Object.entries(ctx.endpoints)) {
      if (!isServiceKey(key) || typeof value !== 'string') continue;
      const problem = endpointProblem(key, value);
      if (problem) {
        problems.push({
          pointer: `/contexts/${escape(name)}/endpoints/${escape(key)}`,
          message: `contexts.${name}.endpoints.${key}: "${value}" ${problem}`,
          endpoint: { context: name, service: key, value },
        });
      }
    }
  }
  if (typeof doc.current === 'string' && isObject(doc.contexts) && !Object.hasOwn(doc.contexts, doc.current)) {
    problems.push({ pointer: '/current', message: `current: names context "${doc.current}", which is not defined under contexts` });
  }
  return problems;
}

/** True when `problem` lies inside what `repair` replaces. */
export function repairs(repair: ConfigRepair | undefined, problem: ConfigProblem): boolean {
  if (!repair) return false;
  const ctx = `/contexts/${escape(repair.context)}`;
  if (repair.service === undefined) return problem.pointer === ctx || problem.pointer.startsWith(`${ctx}/`);
  return problem.pointer === `${ctx}/endpoints/${escape(repair.service)}`;
}

/** The set-url commands that repair the endpoint problems among `problems` (one per endpoint). */
export function repairCommands(problems: ConfigProblem[]): string[] {
  const commands = problems.flatMap((p) => (p.endpoint ? [setUrlCommand(p.endpoint)] : []));
  return [...new Set(commands)];
}

function endpointAt(pointer: string, doc: unknown): ConfigProblem['endpoint'] {
  const m = /^\/contexts\/([^/]+)\/endpoints\/([^/]+)$/.exec(pointer);
  if (!m || !isServiceKey(m[2])) return undefined;
  const contexts = (doc as { contexts?: Record<string, { endpoints?: Record<string, unknown> }> } | null)?.contexts;
  return { context: m[1], service: m[2], value: contexts?.[m[1]]?.endpoints?.[m[2]] };
}

/** `http://sig.example:18009` for signalman-ws → `ws://sig.example:18009`: same host, the service's scheme. */
function setUrlCommand(e: NonNullable<ConfigProblem['endpoint']>): string {
  return `frameworks context set-url ${e.service} ${suggestedUrl(e.service, e.value)} --context ${e.context}`;
}

function suggestedUrl(service: ServiceKey, value: unknown): string {
  const kind = ENDPOINTS[service].kind;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url?.hostname || url.username || url.password) return ENDPOINTS[service].default;
  const secure = ['https:', 'wss:', 'grpcs:'].includes(url.protocol);
  const scheme = { http: secure ? 'https' : 'http', ws: secure ? 'wss' : 'ws', grpc: secure ? 'grpcs' : 'grpc' }[kind];
  if (kind === 'grpc' && !url.port) return ENDPOINTS[service].default;
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${scheme}://${url.host}${path}`;
}
