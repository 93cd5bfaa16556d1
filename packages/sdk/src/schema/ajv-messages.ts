/**
 * The one place that turns ajv errors into messages (config, credentials, service catalog, release
 * manifest): `key.path: what is wrong`, one per problem, duplicates dropped. Types only — ajv itself
 * is loaded by whoever validates.
 */
export interface AjvErrorLike {
  keyword?: string;
  /** ajv 8 */
  instancePath?: string;
  /** ajv 6 (jsonPointers) */
  dataPath?: string;
  params?: Record<string, unknown>;
  message?: string;
  propertyName?: string;
}

/** `/contexts/prod/endpoints/gateway` → `contexts.prod.endpoints.gateway` (the top level is `(top level)`). */
export function keyPath(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.length ? parts.join('.') : '(top level)';
}

/** A document-specific wording for one error (e.g. what a pattern means); undefined = the default. */
export type AjvWording = (e: AjvErrorLike, pointer: string) => string | undefined;

export function describeAjvError(e: AjvErrorLike, wording?: AjvWording): string {
  const pointer = e.instancePath ?? e.dataPath ?? '';
  const custom = wording?.(e, pointer);
  if (custom !== undefined) return custom;
  const params = e.params ?? {};
  switch (e.keyword) {
    case 'additionalProperties':
      return `${keyPath(pointer, String(params.additionalProperty))}: unknown key`;
    case 'required':
      return `${keyPath(pointer, String(params.missingProperty))}: is required`;
    case 'propertyNames':
      return `${keyPath(pointer)}: key "${String(params.propertyName)}" is not a valid name`;
    case 'const':
      return `${keyPath(pointer)}: must be ${JSON.stringify(params.allowedValue)}`;
    case 'enum':
      return `${keyPath(pointer)}: must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${keyPath(pointer)}: ${e.message ?? 'is invalid'}`;
  }
}

/**
 * Messages for every error: the `if` wrapper errors and the pattern error behind a
 * `propertyNames` failure are dropped (the specific message says it), duplicates removed, at most `max`.
 */
export function ajvMessages(errors: AjvErrorLike[] | null | undefined, opts: { max?: number; wording?: AjvWording } = {}): string[] {
  const messages = (errors ?? [])
    .filter((e) => e.keyword !== 'if' && !(e.keyword === 'pattern' && e.propertyName !== undefined))
    .map((e) => describeAjvError(e, opts.wording));
  return [...new Set(messages)].slice(0, opts.max ?? Infinity);
}
