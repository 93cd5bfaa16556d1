/**
 * A small GraphQL engine for the test Gateway: parses a document (operations, variables, fields,
 * aliases, arguments, inline fragments), validates every selection against a schema (unknown
 * fields, fragments on types that can never match, missing sub-selections) with gqlgen's messages,
 * then resolves root fields and projects the results. Only what the Bridge operations the CLI
 * uses need; no node_modules (the test server must not depend on the code it tests).
 */

export type Value = string | number | boolean | null | Value[] | { [k: string]: Value } | { $var: string } | { $enum: string };

export interface Field {
  alias?: string;
  name: string;
  args: Record<string, Value>;
  selections?: Selection[];
  line: number;
  column: number;
}
export interface InlineFragment {
  on: string;
  selections: Selection[];
  line: number;
  column: number;
}
export type Selection = Field | InlineFragment;

export interface Operation {
  kind: 'query' | 'mutation';
  name?: string;
  variables: Array<{ name: string; type: string; required: boolean }>;
  selections: Selection[];
}

export class GraphqlError extends Error {
  readonly line?: number;
  readonly column?: number;
  constructor(message: string, line?: number, column?: number) {
    super(message);
    this.line = line;
    this.column = column;
  }
}

// ------------------------------------------------------------------------------------ lexer/parser

interface Token {
  kind: 'name' | 'punct' | 'string' | 'number' | 'var' | 'spread';
  text: string;
  line: number;
  column: number;
}

function lex(src: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    const column = i - lineStart + 1;
    if (c === '\n') {
      line++;
      lineStart = ++i;
    } else if (/[\s,\ufeff]/.test(c)) i++;
    else if (c === '#') while (i < src.length && src[i] !== '\n') i++;
    else if (src.startsWith('...', i)) {
      out.push({ kind: 'spread', text: '...', line, column });
      i += 3;
    } else if ('{}()[]:!=@'.includes(c)) {
      out.push({ kind: 'punct', text: c, line, column });
      i++;
    } else if (c === '$') {
      const m = /^\$([_A-Za-z][_0-9A-Za-z]*)/.exec(src.slice(i));
      if (!m) throw new GraphqlError(`Unexpected "$"`, line, column);
      out.push({ kind: 'var', text: m[1], line, column });
      i += m[0].length;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\') {
          j++;
          text += src[j] === 'n' ? '\n' : src[j];
        } else text += src[j];
      }
      if (j >= src.length) throw new GraphqlError('Unterminated string.', line, column);
      out.push({ kind: 'string', text, line, column });
      i = j + 1;
    } else {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i)) ?? /^[_A-Za-z][_0-9A-Za-z]*/.exec(src.slice(i));
      if (!m) throw new GraphqlError(`Unexpected character "${c}".`, line, column);
      out.push({ kind: /^-?\d/.test(m[0]) ? 'number' : 'name', text: m[0], line, column });
      i += m[0].length;
    }
  }
  return out;
}

class Parser {
  private i = 0;
  private readonly t: Token[];
  constructor(t: Token[]) {
    this.t = t;
  }

  private peek(): Token | undefined {
    return this.t[this.i];
  }
  private next(): Token {
    const tok = this.t[this.i++];
    if (!tok) throw new GraphqlError('Unexpected <EOF>');
    return tok;
  }
  private expect(text: string): Token {
    const tok = this.next();
    if (tok.text !== text || tok.kind === 'string') throw new GraphqlError(`Expected ${text}, found ${tok.text}`, tok.line, tok.column);
    return tok;
  }
  private at(text: string): boolean {
    const tok = this.peek();
    return !!tok && tok.text === text && tok.kind !== 'string';
  }

  document(): Operation[] {
    const ops: Operation[] = [];
    while (this.peek()) ops.push(this.operation());
    if (!ops.length) throw new GraphqlError('Unexpected <EOF>');
    return ops;
  }

  private operation(): Operation {
    if (this.at('{')) return { kind: 'query', variables: [], selections: this.selectionSet() };
    const kw = this.next();
    if (kw.text !== 'query' && kw.text !== 'mutation') throw new GraphqlError(`Unexpected Name "${kw.text}"`, kw.line, kw.column);
    const op: Operation = { kind: kw.text, variables: [], selections: [] };
    if (this.peek()?.kind === 'name') op.name = this.next().text;
    if (this.at('(')) {
      this.next();
      while (!this.at(')')) {
        const v = this.next();
        if (v.kind !== 'var') throw new GraphqlError(`Expected $variable, found ${v.text}`, v.line, v.column);
        this.expect(':');
        const { type, required } = this.typeRef();
        if (this.at('=')) {
          this.next();
          this.value();
        }
        op.variables.push({ name: v.text, type, required });
      }
      this.next();
    }
    op.selections = this.selectionSet();
    return op;
  }

  private typeRef(): { type: string; required: boolean } {
    let type: string;
    if (this.at('[')) {
      this.next();
      const inner = this.typeRef();
      this.expect(']');
      type = `[${inner.type}${inner.required ? '!' : ''}]`;
    } else type = this.next().text;
    const required = this.at('!');
    if (required) this.next();
    return { type, required };
  }

  private selectionSet(): Selection[] {
    this.expect('{');
    const out: Selection[] = [];
    while (!this.at('}')) {
      const tok = this.peek();
      if (!tok) throw new GraphqlError('Unexpected <EOF>');
      if (tok.kind === 'spread') {
        this.next();
        const on = this.next();
        if (on.text !== 'on') throw new GraphqlError('Named fragments are not supported by this test server', on.line, on.column);
        const type = this.next().text;
        out.push({ on: type, selections: this.selectionSet(), line: tok.line, column: tok.column });
        continue;
      }
      const first = this.next();
      if (first.kind !== 'name') throw new GraphqlError(`Expected Name, found ${first.text}`, first.line, first.column);
      let name = first.text;
      let alias: string | undefined;
      if (this.at(':')) {
        this.next();
        alias = name;
        name = this.next().text;
      }
      const args: Record<string, Value> = {};
      if (this.at('(')) {
        this.next();
        while (!this.at(')')) {
          const an = this.next().text;
          this.expect(':');
          args[an] = this.value();
        }
        this.next();
      }
      const field: Field = { alias, name, args, line: first.line, column: first.column };
      if (this.at('{')) field.selections = this.selectionSet();
      out.push(field);
    }
    this.next();
    return out;
  }

  private value(): Value {
    const tok = this.next();
    if (tok.kind === 'var') return { $var: tok.text };
    if (tok.kind === 'string') return tok.text;
    if (tok.kind === 'number') return Number(tok.text);
    if (tok.text === '[') {
      const list: Value[] = [];
      while (!this.at(']')) list.push(this.value());
      this.next();
      return list;
    }
    if (tok.text === '{') {
      const obj: Record<string, Value> = {};
      while (!this.at('}')) {
        const k = this.next().text;
        this.expect(':');
        obj[k] = this.value();
      }
      this.next();
      return obj;
    }
    if (tok.text === 'true' || tok.text === 'false') return tok.text === 'true';
    if (tok.text === 'null') return null;
    if (tok.kind === 'name') return { $enum: tok.text };
    throw new GraphqlError(`Unexpected ${tok.text}`, tok.line, tok.column);
  }
}

export function parse(src: string): Operation[] {
  return new Parser(lex(src)).document();
}

// ------------------------------------------------------------------------------------ schema

export const SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID', 'Time']);

export interface Schema {
  /** Object types: field name → type reference (`[DeveloperToken!]!`, `Time`, …). */
  objects: Record<string, Record<string, string>>;
  unions: Record<string, string[]>;
  enums: Record<string, string[]>;
}

const baseType = (ref: string) => ref.replace(/[[\]!]/g, '');
const isList = (ref: string) => ref.startsWith('[');

/** gqlgen's validation: every field exists, fragments can match, leaves have no selection, composites have one. */
export function validate(schema: Schema, typeName: string, selections: Selection[], errors: GraphqlError[]): void {
  const fields = schema.objects[typeName];
  const members = schema.unions[typeName];
  for (const sel of selections) {
    if ('on' in sel) {
      const possible = members ? members : [typeName];
      if (!schema.objects[sel.on] && !schema.unions[sel.on]) {
        errors.push(new GraphqlError(`Unknown type "${sel.on}".`, sel.line, sel.column));
      } else if (!possible.includes(sel.on)) {
        errors.push(new GraphqlError(`Fragment cannot be spread here as objects of type "${typeName}" can never be of type "${sel.on}".`, sel.line, sel.column));
      } else validate(schema, sel.on, sel.selections, errors);
      continue;
    }
    if (sel.name === '__typename') continue;
    const ref = fields?.[sel.name];
    if (!ref) {
      errors.push(new GraphqlError(`Cannot query field "${sel.name}" on type "${typeName}".`, sel.line, sel.column));
      continue;
    }
    const t = baseType(ref);
    const leaf = SCALARS.has(t) || !!schema.enums[t];
    if (leaf && sel.selections) errors.push(new GraphqlError(`Field "${sel.name}" must not have a selection since type "${ref}" has no subfields.`, sel.line, sel.column));
    if (!leaf && !sel.selections) errors.push(new GraphqlError(`Field "${sel.name}" of type "${ref}" must have a selection of subfields.`, sel.line, sel.column));
    if (!leaf && sel.selections) validate(schema, t, sel.selections, errors);
  }
}

/** The result value shaped by the selection set (resolved objects carry `__typename` for unions). */
export function project(schema: Schema, typeName: string, value: unknown, selections: Selection[]): unknown {
  if (value === null || value === undefined) return null;
  const obj = value as Record<string, unknown>;
  const concrete = schema.unions[typeName] ? String(obj.__typename) : typeName;
  const out: Record<string, unknown> = {};
  const apply = (sels: Selection[]) => {
    for (const sel of sels) {
      if ('on' in sel) {
        if (sel.on === concrete) apply(sel.selections);
        continue;
      }
      const key = sel.alias ?? sel.name;
      if (sel.name === '__typename') {
        out[key] = concrete;
        continue;
      }
      const ref = schema.objects[concrete][sel.name];
      const raw = obj[sel.name];
      const t = baseType(ref);
      if (!sel.selections) out[key] = raw ?? null;
      else if (isList(ref)) out[key] = Array.isArray(raw) ? raw.map((x) => project(schema, t, x, sel.selections!)) : null;
      else out[key] = project(schema, t, raw, sel.selections);
    }
  };
  apply(selections);
  return out;
}

/** Argument values with `$variables` substituted and enum literals as their names. */
export function resolveArgs(args: Record<string, Value>, variables: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: Value): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(walk);
    if ('$var' in v) return variables[v.$var as string];
    if ('$enum' in v) return v.$enum;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x as Value)]));
  };
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, walk(v)]));
}
