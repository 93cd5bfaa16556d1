// The completion engine behind `frameworks __complete <words…>` (bin/run.js answers it before oclif
// loads): what can follow the words typed, one `value<TAB>description` per line, or the single line
// `:files` when a path is wanted. It reads the command manifests and the user's own files; the one
// exception is node ids (a cache, refreshed from Quartermaster within 200 ms). Never a prompt, so a TAB
// stays under the 300 ms a shell user tolerates.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

interface FlagDef {
  name: string;
  char?: string;
  type: 'boolean' | 'option';
  options?: string[];
  multiple?: boolean;
  hidden?: boolean;
  summary?: string;
  description?: string;
}
interface ArgDef {
  name: string;
  options?: string[];
  description?: string;
}
interface CommandDef {
  id: string;
  hidden?: boolean;
  aliases?: string[];
  summary?: string;
  description?: string;
  flags: Record<string, FlagDef>;
  args: Record<string, ArgDef>;
  /** Where the values of a flag or argument come from: a list, a named source, or keys of a YAML file of the plugin. */
  completionValues?: Record<string, string[] | string | { file: string; keys: string }>;
  pluginRoot: string;
}

export const FILES = ':files';
const GLOBAL_FLAGS: Record<string, FlagDef> = {
  context: { name: 'context', char: 'c', type: 'option', summary: 'Context to use for this command' },
  verbose: { name: 'verbose', type: 'boolean', summary: 'Show HTTP calls and commands run' },
  'no-input': { name: 'no-input', type: 'boolean', summary: 'Never prompt' },
  json: { name: 'json', type: 'boolean', summary: 'Format output as json' },
  output: { name: 'output', char: 'o', type: 'option', summary: 'Output format', options: ['table', 'wide', 'json', 'yaml'] },
  quiet: { name: 'quiet', char: 'q', type: 'boolean', summary: 'Ids or nothing, for scripts' },
  'no-color': { name: 'no-color', type: 'boolean', summary: 'No colour' },
  help: { name: 'help', type: 'boolean', summary: 'Show help' },
};
/** Flags whose value is a path: the shell completes files. */
const PATH_FLAG = /(^|-)(dir|file|key|manifest|catalog|ca|path|out|output-dir)$/;

export interface CompleteEnv {
  root: string;
  env: NodeJS.ProcessEnv;
}

export async function complete(words: string[], ce: CompleteEnv): Promise<string[]> {
  const { commands, topics } = loadCommands(ce);
  const catalogs = [...commands.values()].flatMap((c) =>
    Object.values(c.completionValues ?? {}).flatMap((v) => (typeof v === 'object' && !Array.isArray(v) ? [join(c.pluginRoot, v.file)] : [])),
  );
  await prepare([configPath(ce.env), ...new Set(catalogs)]);
  const done = words.slice(0, -1);
  const cur = words.at(-1) ?? '';
  const ids = [...commands.keys()];
  let parts: string[] = [];
  let cmd: CommandDef | undefined;
  const positional: string[] = [];
  const seen = new Set<string>();
  let valueFor: FlagDef | undefined;
  // `--context` typed on the line: node ids come from that context.
  let lineContext: string | undefined;
  for (const w of done) {
    if (valueFor) {
      if (valueFor.name === 'context') lineContext = w;
      valueFor = undefined;
      continue;
    }
    if (w.startsWith('-') && w !== '-') {
      const def = findFlag(w, cmd);
      if (def) {
        seen.add(def.name);
        if (def.name === 'context' && w.includes('=')) lineContext = w.slice(w.indexOf('=') + 1);
        if (def.type === 'option' && !w.includes('=')) valueFor = def;
      }
      continue;
    }
    const deeper = [...parts, w].join(':');
    if (positional.length === 0 && commands.has(deeper)) {
      cmd = commands.get(deeper);
      parts = [...parts, w];
    } else if (!cmd && positional.length === 0 && ids.some((id) => id.startsWith(`${deeper}:`))) {
      parts = [...parts, w];
    } else positional.push(w);
  }

  const vce: ValuesEnv = { ...ce, context: lineContext };
  let out: string[];
  if (valueFor) out = await values(valueFor.name, valueFor, cmd, vce);
  else if (/^--[\w-]+=/.test(cur)) {
    const [flag] = cur.split('=');
    const def = findFlag(flag, cmd);
    out = def ? (await values(def.name, def, cmd, vce)).map((v) => (v === FILES ? v : `${flag}=${v}`)) : [];
  } else if (cur.startsWith('-')) {
    const flags = { ...(cmd?.flags ?? {}), ...GLOBAL_FLAGS };
    out = Object.values(flags)
      .filter((f) => !f.hidden && (f.multiple || !seen.has(f.name)))
      .map((f) => line(`--${f.name}`, f.summary ?? f.description));
  } else {
    out = [];
    if (positional.length === 0) {
      const prefix = parts.length ? `${parts.join(':')}:` : '';
      const next = new Map<string, string>();
      for (const [id, c] of commands) {
        if (!id.startsWith(prefix) || c.hidden) continue;
        const word = id.slice(prefix.length).split(':')[0];
        const topic = topics.get(`${prefix}${word}`);
        if (!next.has(word) || topic) next.set(word, topic ?? c.summary ?? c.description ?? '');
      }
      out.push(...[...next].map(([w, d]) => line(w, d)));
    }
    if (cmd) {
      const arg = Object.values(cmd.args ?? {})[positional.length];
      if (arg) out.push(...(await values(arg.name, arg, cmd, vce)));
    }
  }
  const files = out.includes(FILES);
  const matched = out.filter((l) => l !== FILES && l.split('\t')[0].startsWith(cur));
  return files ? [FILES, ...matched] : [...new Set(matched)].sort(byValue);
}

const byValue = (a: string, b: string) => a.split('\t')[0].localeCompare(b.split('\t')[0]);

function line(value: string, desc?: string): string {
  const d = (desc ?? '').replaceAll('<%= config.bin %>', 'frameworks').split('\n')[0].replace(/\s+/g, ' ').trim();
  return d ? `${value}\t${d}` : value;
}

function findFlag(word: string, cmd?: CommandDef): FlagDef | undefined {
  const flags = { ...(cmd?.flags ?? {}), ...GLOBAL_FLAGS };
  if (word.startsWith('--')) return flags[word.slice(2).split('=')[0]];
  return Object.values(flags).find((f) => f.char === word.slice(1, 2));
}

interface ValuesEnv extends CompleteEnv {
  context?: string;
}

async function values(name: string, def: { options?: string[] }, cmd: CommandDef | undefined, ce: ValuesEnv): Promise<string[]> {
  const declared = cmd?.completionValues?.[name];
  if (Array.isArray(declared)) return declared.map((v) => line(v));
  if (typeof declared === 'object' && declared) return yamlKeys(join(cmd!.pluginRoot, declared.file), declared.keys);
  const source = typeof declared === 'string' ? declared : name === 'context' ? 'contexts' : name === 'ssh' ? 'ssh-hosts' : undefined;
  if (source === 'contexts') return contexts(ce.env);
  if (source === 'ssh-hosts') return sshHosts(ce.env);
  if (source === 'nodes') return nodes(ce);
  if (source === 'service-keys' || def.options?.length) return (def.options ?? []).map((v) => line(v));
  if (PATH_FLAG.test(name)) return [FILES];
  return [];
}

const yamlDocs = new Map<string, unknown>();
function loadYaml(path: string): unknown {
  return yamlDocs.get(path);
}

/** The YAML files values come from, read ahead (the SDK's reader is async; the walk above is not). */
async function prepare(paths: string[]): Promise<void> {
  const { readYamlFile } = await import('@frameworks/sdk');
  await Promise.all(
    paths.map(async (p) => {
      try {
        yamlDocs.set(p, (await readYamlFile(p, [])).data);
      } catch {
        // Unreadable or invalid: no values from it, never an error on a TAB.
      }
    }),
  );
}

function yamlKeys(path: string, key: string): string[] {
  const doc = loadYaml(path) as Record<string, Record<string, { title?: string; description?: string }>> | undefined;
  return Object.entries(doc?.[key] ?? {}).map(([k, v]) => line(k, typeof v === 'object' && v ? (v.title ?? v.description) : undefined));
}

function configPath(env: NodeJS.ProcessEnv): string {
  return join(env.FRAMEWORKS_HOME?.trim() || join(env.HOME || homedir(), '.frameworks'), 'config.yaml');
}

function contexts(env: NodeJS.ProcessEnv): string[] {
  const doc = loadYaml(configPath(env)) as { current?: string; contexts?: Record<string, { description?: string }> } | undefined;
  return Object.entries(doc?.contexts ?? {}).map(([n, c]) =>
    line(n, [n === doc?.current ? 'current' : '', c?.description ?? ''].filter(Boolean).join(' · ')),
  );
}

/** `Host` names of ~/.ssh/config (patterns left out: they name no host). */
function sshHosts(env: NodeJS.ProcessEnv): string[] {
  let text: string;
  try {
    text = readFileSync(join(env.HOME || homedir(), '.ssh', 'config'), 'utf8');
  } catch {
    return [];
  }
  const hosts = [...text.matchAll(/^\s*Host\s+(.+)$/gim)].flatMap((m) => m[1].trim().split(/\s+/)).filter((h) => !/[*?!]/.test(h));
  return [...new Set(hosts)].map((h) => line(h, 'from ~/.ssh/config'));
}

/** The whole TAB, process start included, should end by then: the node-list refresh gets what is left. */
const TAB_DEADLINE_MS = 280;
/** ...but at least this (a loaded machine would otherwise never fill the cache). */
const MIN_REFRESH_MS = 100;

/** Node ids of the context (SDK: a 60 s cache, else Quartermaster within the time left, else nothing). */
async function nodes(ce: ValuesEnv): Promise<string[]> {
  const { completionNodes, NODE_REFRESH_BUDGET_MS } = await import('@frameworks/sdk');
  const asked = Number(ce.env.FRAMEWORKS_COMPLETE_NODES_MS);
  const left = Math.floor(TAB_DEADLINE_MS - performance.now());
  const budgetMs = asked > 0 ? asked : Math.max(MIN_REFRESH_MS, Math.min(NODE_REFRESH_BUDGET_MS, left));
  return (await completionNodes({ env: ce.env, context: ce.context, budgetMs })).map((n) => line(n.id, n.description));
}

// ---------------------------------------------------------------- the command manifests

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

interface Pjson {
  oclif?: { plugins?: Array<string | { name: string; root?: string; type?: string }>; topics?: Record<string, { description?: string }> };
}

function loadCommands(ce: CompleteEnv): { commands: Map<string, CommandDef>; topics: Map<string, string> } {
  const roots = [ce.root];
  const rootPjson = readJson<Pjson>(join(ce.root, 'package.json'));
  for (const p of rootPjson?.oclif?.plugins ?? []) {
    const name = typeof p === 'string' ? p : p.name;
    const dir = join(ce.root, 'node_modules', name);
    if (existsSync(dir)) roots.push(dir);
  }
  const data = ce.env.XDG_DATA_HOME ? join(ce.env.XDG_DATA_HOME, 'frameworks') : join(ce.env.HOME || homedir(), '.local', 'share', 'frameworks');
  for (const p of readJson<Pjson>(join(data, 'package.json'))?.oclif?.plugins ?? []) {
    if (typeof p === 'string') roots.push(join(data, 'node_modules', p));
    else roots.push(p.type === 'link' && p.root ? p.root : join(data, 'node_modules', p.name));
  }
  const commands = new Map<string, CommandDef>();
  const topics = new Map<string, string>();
  for (const root of roots) {
    for (const [t, v] of Object.entries(readJson<Pjson>(join(root, 'package.json'))?.oclif?.topics ?? {})) if (v.description) topics.set(t, v.description);
    const manifest = readJson<{ commands?: Record<string, Omit<CommandDef, 'pluginRoot'>> }>(join(root, 'oclif.manifest.json'));
    for (const c of Object.values(manifest?.commands ?? {})) {
      const def = { ...c, flags: c.flags ?? {}, args: c.args ?? {}, pluginRoot: root };
      commands.set(c.id, def);
      for (const a of c.aliases ?? []) commands.set(a, { ...def, id: a });
    }
  }
  return { commands, topics };
}
