// Finds the error and warning codes the sources emit (used by error-codes.test.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');

export function sourceFiles(): string[] {
  const roots = [join(ROOT, 'src'), ...readdirSync(join(ROOT, 'packages')).map((p) => join(ROOT, 'packages', p, 'src'))];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const r of roots) {
    try {
      walk(r);
    } catch {
      // a package without src/
    }
  }
  return out;
}

/** The text from `open` (an opening parenthesis) to its match, skipping strings and template literals. */
function argsOf(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"' || c === '`') {
      const q = c;
      for (i++; i < text.length && text[i] !== q; i++) {
        if (text[i] === '\\') i++;
        else if (q === '`' && text[i] === '$' && text[i + 1] === '{') {
          // skip ${ … } (may contain quotes)
          let d = 0;
          for (; i < text.length; i++) {
            if (text[i] === '{') d++;
            else if (text[i] === '}' && --d === 0) break;
          }
        }
      }
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        args.push(text.slice(start, i));
        return args.map((a) => a.trim());
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return args;
}

const LITERAL = /^'([A-Z][A-Z0-9_]*)'$/;
const CODE_PROP = /\bcode\s*(?::|=(?!=))\s*([^,;}\n)]+)/g;
/** Functions that take a code, and the index of that argument (`refuse` is known-hosts' local helper). */
const HELPERS: Record<string, number> = { usageError: 2, configError: 2, authError: 2, networkError: 2, refuse: 1, as: 0 };

export interface Found {
  code: string;
  kind: 'error' | 'warning';
  where: string;
}

export function scanCodes(): Found[] {
  const found: Found[] = [];
  for (const file of sourceFiles()) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(ROOT, file);
    const at = (i: number) => `${rel}:${text.slice(0, i).split('\n').length}`;
    for (const m of text.matchAll(CODE_PROP)) {
      // Literals compared against (`signal === 'SIGKILL'`) are not codes.
      for (const lit of m[1].matchAll(/(?<![=!]=\s*)'([A-Z][A-Z0-9_]*)'/g)) found.push({ code: lit[1], kind: 'error', where: at(m.index) });
    }
    for (const m of text.matchAll(/\b(usageError|configError|authError|networkError|refuse|as)\(/g)) {
      const arg = argsOf(text, m.index + m[0].length - 1)[HELPERS[m[1]]];
      const lit = arg && LITERAL.exec(arg);
      if (lit) found.push({ code: lit[1], kind: 'error', where: at(m.index) });
    }
    for (const m of text.matchAll(/\.warning\(/g)) {
      const arg = argsOf(text, m.index + m[0].length - 1)[1];
      const lit = arg && LITERAL.exec(arg);
      if (lit) found.push({ code: lit[1], kind: 'warning', where: at(m.index) });
    }
  }
  return found;
}

/**
 * Codes built from a prefix (`code: `${opts.codePrefix}_TIMEOUT``, the release manifest's
 * `${rules.codePrefix}_RELEASE_MANIFEST_INVALID`): every `codePrefix: 'X'` given in the sources
 * times every such suffix. They count as used; they are not demanded (not every pair occurs).
 */
export function derivedCodes(): Set<string> {
  const prefixes = new Set<string>();
  const suffixes = new Set<string>();
  for (const file of sourceFiles()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bcodePrefix:\s*'([A-Z][A-Z0-9_]*)'/g)) prefixes.add(m[1]);
    for (const m of text.matchAll(/`\$\{[^}]*codePrefix\}(_[A-Z0-9_]+)`/g)) suffixes.add(m[1]);
  }
  return new Set([...prefixes].flatMap((p) => [...suffixes].map((s) => p + s)));
}
