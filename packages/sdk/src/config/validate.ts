import type { ValidateFunction } from 'ajv';
import { configError } from '../errors.js';
import { AJV_OPTIONS } from './ajv-options.js';
import { configSchema, credentialsSchema } from './schema.js';

const CONFIG_ID = configSchema.$id;
const CREDENTIALS_ID = credentialsSchema.$id;
import { tildify } from '../paths.js';
import { ajvMessages, type AjvErrorLike } from '../schema/ajv-messages.js';

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

/** Every schema error of `doc` (empty when valid), for callers that weigh errors one by one. */
export async function schemaErrors(schema: { $id: string }, doc: unknown): Promise<AjvErrorLike[]> {
  const validate = await validator(schema);
  return validate(doc) ? [] : [...(validate.errors ?? [])];
}

/** Validate `doc` against `schema`; on failure throw exit 4 naming the file and every bad key path. */
export async function validateDocument<T>(schema: { $id: string }, doc: unknown, file: string, hint: string[]): Promise<T> {
  const errors = await schemaErrors(schema, doc);
  if (errors.length) {
    throw configError(`${tildify(file)} is invalid:\n  - ${ajvMessages(errors).join('\n  - ')}`, hint);
  }
  return doc as T;
}
