#!/usr/bin/env node
// Derive the published JSON Schemas of the commands' `--json` results from what the e2e tests saw.
//
//   npm run schemas:update                 records the whole e2e suite, then merges what it saw into
//   npm run schemas:update -- <test files> schemas/<topic>/<verb>.json of each package (review the diff:
//                                          a changed schema is a deliberate change of the CLI's contract)
//   node scripts/result-schemas.mjs --from <samples.jsonl> [--fresh]
//
// What a schema says: the JSON types seen at each place; object keys seen every time are required,
// others optional, and no other key is allowed; objects keyed by data (names with '-', '.', ':' …)
// are maps. Merged with the existing schema unless --fresh, so a partial run only widens.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const fresh = args.includes('--fresh');
let from = args.includes('--from') ? args[args.indexOf('--from') + 1] : undefined;

if (!from) {
  from = join(tmpdir(), `fw-schema-samples-${process.pid}.jsonl`);
  rmSync(from, { force: true });
  const files = args.filter((a) => !a.startsWith('--'));
  const r = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', ...files], { stdio: 'inherit', env: { ...process.env, FW_SCHEMA_RECORD: from } });
  if (r.status !== 0) console.error(`(the recorded run exited ${r.status}; schemas are still derived from what it saw)`);
}

const KEY = /^[a-z][a-z0-9_]*$/;
const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? 'number' : typeof v);

/** Schema of one value. */
function infer(v) {
  const t = typeOf(v);
  if (t === 'array') return { type: 'array', items: v.reduce((acc, x) => merge(acc, infer(x)), undefined) ?? {} };
  if (t === 'object') {
    const keys = Object.keys(v);
    if (keys.length && !keys.every((k) => KEY.test(k))) {
      return { type: 'object', additionalProperties: Object.values(v).reduce((acc, x) => merge(acc, infer(x)), undefined) ?? {} };
    }
    return {
      type: 'object',
      properties: Object.fromEntries(keys.map((k) => [k, infer(v[k])])),
      required: [...keys].sort(),
      additionalProperties: false,
    };
  }
  return { type: t };
}

const types = (s) => (s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]);

/** The narrowest schema of this dialect that accepts what either accepts. */
function merge(a, b) {
  if (!a) return b;
  if (!b) return a;
  // {} is "nothing seen yet" (the items of arrays that were always empty): it adds nothing.
  if (Object.keys(a).length === 0) return b;
  if (Object.keys(b).length === 0) return a;
  const t = [...new Set([...types(a), ...types(b)])].sort();
  const out = { type: t.length === 1 ? t[0] : t };
  if (a.items || b.items) out.items = merge(a.items, b.items) ?? {};
  const isMap = (s) => s.additionalProperties && typeof s.additionalProperties === 'object';
  if (t.includes('object')) {
    if (isMap(a) || isMap(b)) {
      const values = [a, b].flatMap((s) => (isMap(s) ? [s.additionalProperties] : Object.values(s.properties ?? {})));
      out.additionalProperties = values.reduce((acc, x) => merge(acc, x), undefined) ?? {};
    } else if (a.properties || b.properties) {
      const pa = a.properties, pb = b.properties;
      if (!pa || !pb) {
        Object.assign(out, { properties: pa ?? pb, required: (pa ? a : b).required, additionalProperties: false });
      } else {
        const keys = [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort();
        out.properties = Object.fromEntries(keys.map((k) => [k, merge(pa[k], pb[k])]));
        out.required = (a.required ?? []).filter((k) => (b.required ?? []).includes(k)).sort();
        out.additionalProperties = false;
      }
    }
  }
  return out;
}

const manifests = new Map();
function summaryOf(root, id) {
  if (!manifests.has(root)) manifests.set(root, JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')));
  return manifests.get(root).commands[id]?.summary ?? '';
}

const seen = new Map();
for (const line of readFileSync(from, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const s = JSON.parse(line);
  const key = `${s.root}\u0000${s.id}`;
  const entry = seen.get(key) ?? { root: s.root, id: s.id, schema: undefined, samples: 0 };
  entry.schema = merge(entry.schema, infer(s.result));
  entry.samples++;
  seen.set(key, entry);
}

for (const { root, id, schema, samples } of [...seen.values()].sort((x, y) => x.id.localeCompare(y.id))) {
  const file = join(root, 'schemas', `${id.split(':').join('/')}.json`);
  const old = !fresh && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  const body = old ? merge(stripMeta(old), schema) : schema;
  const doc = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://frameworks.dev/schemas/commands/${id.split(':').join('/')}.json`,
    title: `frameworks ${id.split(':').join(' ')} --json: result`,
    description: summaryOf(root, id),
    ...body,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(doc, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
  console.log(`${relative(ROOT, file)}  (${samples} sample${samples === 1 ? '' : 's'}${old ? ', merged' : ''})`);
}

function stripMeta(s) {
  return Object.fromEntries(Object.entries(s).filter(([k]) => !['$schema', '$id', 'title', 'description'].includes(k)));
}
