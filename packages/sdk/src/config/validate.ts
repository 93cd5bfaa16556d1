import type { ErrorObject, ValidateFunction } from 'ajv';
import { configError } from '../errors.js';
import { AJV_OPTIONS } from './ajv-options.js';
import { configSchema, credentialsSchema } from './schema.js';

const CONFIG_ID = configSchema.$id;
const CREDENTIALS_ID = credentialsSchema.$id;
import { tildify } from '../paths.js';

let ajvInstance: import('ajv').default | undefined;
const compiled = new Map<string, ValidateFunction>();
let generated: Record<string, ValidateFunction> | null | undefined;

async function validator(schema: { $id: string }): Promise<ValidateFunction> {
  let fn = compiled.get(schema.$id);
  if (fn) return fn;
  // The build generates standalone validators (scripts/gen-validators.mjs); running from
  // sources (unit tests) falls back to compiling with ajv at run time. Same schema, same options.
  if (generated === undefined) {
    const path = './validators.generated.js';
    generated = await import(path).then(
      (m: Record<string, ValidateFunction>) => ({ [CONFIG_ID]: m.validateConfig, [CREDENTIALS_ID]: m.validateCredentials }),
      () => null,
    );
  }
  fn = generated?.[schema.$id];
  if (!fn) {
    if (!ajvInstance) {
      const { Ajv } = await import('ajv');
      ajvInstance = new Ajv({ ...AJV_OPTIONS });
    }
    fn = ajvInstance.compile(schema);
  }
  compiled.set(schema.$id, fn);
  return fn;
}

/** `/contexts/prod/endpoints/gateway` → `contexts.prod.endpoints.gateway` */
export function keyPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra) parts.push(extra);
  return parts.length ? parts.join('.') : '(top level)';
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `${keyPath(e.instancePath, String(e.params.additionalProperty))}: unknown key`;
    case 'required':
      return `${keyPath(e.instancePath, String(e.params.missingProperty))}: is required`;
    case 'propertyNames':
      return `${keyPath(e.instancePath)}: key "${String(e.params.propertyName)}" is not a valid name`;
    case 'const':
      return `${keyPath(e.instancePath)}: must be ${JSON.stringify(e.params.allowedValue)}`;
    case 'enum':
      return `${keyPath(e.instancePath)}: must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${keyPath(e.instancePath)}: ${e.message ?? 'is invalid'}`;
  }
}

/** Validate `doc` against `schema`; on failure throw exit 4 naming the file and every bad key path. */
export async function validateDocument<T>(schema: { $id: string }, doc: unknown, file: string, hint: string[]): Promise<T> {
  const validate = await validator(schema);
  if (!validate(doc)) {
    const problems = (validate.errors ?? [])
      .filter((e) => e.keyword !== 'if' && !(e.keyword === 'pattern' && e.propertyName !== undefined))
      .map(describe);
    const unique = [...new Set(problems)];
    throw configError(`${tildify(file)} is invalid:\n  - ${unique.join('\n  - ')}`, hint);
  }
  return doc as T;
}
