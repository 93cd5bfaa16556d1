/**
 * Every `--json` document any e2e test gets from the built CLI is checked here: the envelope, and the
 * `result` against the command's published schema (`schemas/<topic>/<verb>.json` in the package that
 * owns the command). A missing schema or a mismatch fails the test that ran the command, so a changed
 * output is a deliberate change: `npm run schemas:update` re-derives the schemas from a recorded run
 * for review (see scripts/result-schemas.mjs).
 *
 * FW_SCHEMA_RECORD=<file> records instead of checking (one JSON line per document).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

interface Owner {
  root: string;
  ids: Set<string>;
  /** alias → command id (whoami → auth:status). */
  aliases: Map<string, string>;
}

let owners: Owner[] | undefined;
const validators = new Map<string, (v: unknown) => boolean>();
let ajvInstance: { compile(s: unknown): ((v: unknown) => boolean) & { errors?: unknown } } | undefined;

function loadOwners(): Owner[] {
  if (owners) return owners;
  const roots = [ROOT, ...['plugin-edge', 'plugin-services', 'plugin-admin', 'plugin-release', 'plugin-workspace', 'plugin-infra'].map((p) => join(ROOT, 'packages', p))];
  owners = roots
    .filter((r) => existsSync(join(r, 'oclif.manifest.json')))
    .map((root) => {
      const { commands } = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { aliases?: string[] }> };
      const aliases = new Map(Object.entries(commands).flatMap(([id, c]) => (c.aliases ?? []).map((a) => [a, id] as const)));
      return { root, ids: new Set(Object.keys(commands)), aliases };
    });
  return owners;
}

/** The command an argv runs (longest run of leading words that names a command), with its package root. */
export function commandOf(args: string[]): { id: string; root: string } | undefined {
  const words: string[] = [];
  for (const a of args) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  for (let n = words.length; n > 0; n--) {
    const typed = words.slice(0, n).join(':');
    const owner = loadOwners().find((o) => o.ids.has(typed) || o.aliases.has(typed));
    if (owner) return { id: owner.aliases.get(typed) ?? typed, root: owner.root };
  }
  return undefined;
}

export function schemaPath(root: string, id: string): string {
  return join(root, 'schemas', `${id.split(':').join('/')}.json`);
}

async function ajv(): Promise<NonNullable<typeof ajvInstance>> {
  if (!ajvInstance) {
    const { Ajv } = await import('ajv');
    ajvInstance = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }) as unknown as NonNullable<typeof ajvInstance>;
  }
  return ajvInstance;
}

const ENVELOPE_OK = new Set(['status', 'result', 'warnings']);
const ENVELOPE_ERR = new Set(['status', 'name', 'code', 'message', 'suggestions', 'warnings', 'result', 'detail']);

/** Throws (failing the test) when a --json document breaks the envelope or its command's schema. */
export async function checkJsonContract(args: string[], doc: unknown): Promise<void> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || typeof (doc as { status?: unknown }).status !== 'number') return;
  const env = doc as Record<string, unknown>;
  const cmd = commandOf(args);
  if (!cmd) return; // oclif's own commands (plugins, help, autocomplete) and unknown words
  const record = process.env.FW_SCHEMA_RECORD;
  if (record) {
    if ('result' in env) appendFileSync(record, JSON.stringify({ id: cmd.id, root: cmd.root, status: env.status, result: env.result }) + '\n');
    return;
  }
  const allowed = env.status === 0 ? ENVELOPE_OK : ENVELOPE_ERR;
  const extra = Object.keys(env).filter((k) => !allowed.has(k));
  if (extra.length) throw new Error(`${cmd.id} --json: envelope has unexpected keys ${extra.join(', ')}`);
  if (!Array.isArray(env.warnings)) throw new Error(`${cmd.id} --json: envelope has no warnings array`);
  if (env.status !== 0 && (typeof env.code !== 'string' || typeof env.message !== 'string' || !Array.isArray(env.suggestions))) {
    throw new Error(`${cmd.id} --json: error envelope needs code, message and suggestions`);
  }
  if (!('result' in env)) return;
  const file = schemaPath(cmd.root, cmd.id);
  let validate = validators.get(file);
  if (!validate) {
    if (!existsSync(file)) throw new Error(`${cmd.id} --json: no result schema at ${file.slice(ROOT.length + 1)} (npm run schemas:update, then review the diff)`);
    validate = (await ajv()).compile(JSON.parse(readFileSync(file, 'utf8')));
    validators.set(file, validate);
  }
  if (!validate(env.result)) {
    const errors = (validate as { errors?: Array<{ instancePath: string; message?: string; params?: unknown }> }).errors ?? [];
    const shown = errors.slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('; ');
    throw new Error(`${cmd.id} --json: result does not match ${file.slice(ROOT.length + 1)}: ${shown}`);
  }
}
