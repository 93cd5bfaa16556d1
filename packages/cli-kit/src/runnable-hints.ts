import { quoteCommand } from '@frameworks/sdk';
import { safeArgv, type UsageSource } from './usage-errors.js';

/** A hint that already is a command line (what `Next:` should always show): prose starts with a capital or "e.g.". */
const COMMAND = /^(?:[A-Z_]+=\S*\s+)*(?!e\.g\.)[a-z~/.$][\w.-]*(?:\s|$)/;

interface Fixed {
  suggestions: string[];
  /** Advice that is not a command: said in the message instead. */
  notes: string[];
}

/**
 * Prose hints (`Pass --yes`, `e.g. --tail 50`, `Re-run with --force …`, `Drop --node-id`) become the
 * command line that does it: the command as it was typed with that flag set, added or removed. A hint
 * with a command after a colon or in parentheses keeps just the command; advice with neither is
 * returned as a note for the message.
 */
export function runnableHints(suggestions: string[], src: UsageSource): Fixed {
  const out: Fixed = { suggestions: [], notes: [] };
  const typed = [src.config.bin, ...(src.id ? src.id.split(':') : [])];
  const argv = safeArgv(src.argv ?? []);
  const flags = { ...(src.ctor.baseFlags ?? {}), ...(src.ctor.flags ?? {}) } as Record<string, { type?: string; multiple?: boolean }>;
  for (const raw of suggestions) {
    // Only hints that are plainly prose about a flag of this command are rewritten; anything else
    // (commands with their own comment, advice naming another tool) is left exactly as it was.
    const s = raw.replace(/\s+#\s*did you mean.*$/i, '').trim();
    if (COMMAND.test(s)) {
      out.suggestions.push(s);
      continue;
    }
    const drop = /^(?:Drop|Leave out) (--[\w-]+)$/.exec(s);
    if (drop) {
      out.suggestions.push(quoteCommand([...typed, ...without(argv, drop[1], flags)]));
      continue;
    }
    const prose = /^(?:Pass|e\.g\.|Re-run (?:the same command )?with|Allow more time with)\s/.test(s);
    // The first alternative only: "e.g. --tail 50, --tail 0 … or --tail all" → --tail 50.
    const first = s.split(/\s+or\s+|,\s+|;\s+/)[0] ?? s;
    const set = prose
      ? [...first.matchAll(/(--[a-z][\w-]*)(?:[ =]("[^"]*"|'[^']*'|[^\s,()]+))?/g)]
          .map((m) => ({ flag: m[1], value: m[2]?.replace(/^(["'])(.*)\1$/, '$2'), def: flags[m[1].slice(2)] }))
          .filter((f) => f.def && (f.def.type === 'boolean' || (f.value !== undefined && !/^(to|with|for|at|on|and|instead)$/.test(f.value))))
      : [];
    if (set.length) {
      let words = [...argv];
      for (const f of set) {
        if (!f.def?.multiple) words = without(words, f.flag, flags);
        words.push(...(f.def?.type === 'boolean' ? [f.flag] : [f.flag, f.value!]));
      }
      out.suggestions.push(quoteCommand([...typed, ...words]));
      continue;
    }
    out.suggestions.push(s);
  }
  out.suggestions = [...new Set(out.suggestions)];
  return out;
}

/** argv without `flag` (and its value, for a flag that takes one). */
function without(argv: string[], flag: string, flags: Record<string, { type?: string }>): string[] {
  const takesValue = flags[flag.slice(2)]?.type !== 'boolean';
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag) {
      if (takesValue) i++;
      continue;
    }
    if (argv[i].startsWith(`${flag}=`)) continue;
    out.push(argv[i]);
  }
  return out;
}
