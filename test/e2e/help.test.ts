// Help you can read and act on (issue 9): short summaries not repeated as the description, help wrapped
// at the terminal width without breaking words, USAGE `… [flags]`, flags grouped by purpose, root help
// with topics once, global flags and examples, the environment and exit-code pages, and a pager on a terminal.
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox, ROOT } from '../support/cli.js';
import { python, runInPty } from '../support/pty.js';

const sb = new CliSandbox('fw-e2e-help-');
afterAll(() => sb.cleanup());

interface Manifest {
  commands: Record<string, { id: string; summary?: string; description?: string; hidden?: boolean; examples?: Array<string | { command: string; description?: string }> }>;
}
const manifests = ['oclif.manifest.json', ...['edge', 'services', 'admin'].map((p) => `packages/plugin-${p}/oclif.manifest.json`)].map(
  (f) => JSON.parse(readFileSync(join(ROOT, f), 'utf8')) as Manifest,
);
const commands = manifests.flatMap((m) => Object.values(m.commands)).filter((c) => !c.hidden);

describe('summaries', () => {
  it('every command has a summary of at most 80 characters that is not also its description', () => {
    const bad = commands.filter((c) => !c.summary || c.summary.length > 80 || c.summary.trim() === c.description?.trim()).map((c) => `${c.id}: ${c.summary}`);
    expect(bad).toEqual([]);
  });

  it('examples are copy-pasteable: no … placeholders', () => {
    const bad = commands.flatMap((c) => (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command)).filter((e) => e.includes('…')).map((e) => `${c.id}: ${e}`));
    expect(bad).toEqual([]);
  });

  it('every command has examples, each a { description, command } with a one-line description and no <placeholder>', () => {
    const bad = commands.flatMap((c) => {
      const examples = c.examples ?? [];
      if (examples.length === 0) return [`${c.id}: no example`];
      return examples.flatMap((e) => {
        if (typeof e === 'string') return [`${c.id}: no description: ${e}`];
        const problems: string[] = [];
        const d = e.description ?? '';
        // 76 = 80 columns less the help's indent and a margin, so it is one line in help.
        if (!d.trim() || d.includes('\n') || d.length > 76 || /[.:]$/.test(d)) problems.push(`${c.id}: description "${d}"`);
        if (!e.command.includes('<%= config.bin %>') || /<[a-z][\w-]*>|\.\.\.|…/i.test(e.command.replaceAll('<%= config.bin %>', ''))) {
          problems.push(`${c.id}: command "${e.command}"`);
        }
        return problems;
      });
    });
    expect(bad).toEqual([]);
  });
});

/** Words that help adds around the command's own text. */
const HELP_WORDS = new Set(['USAGE', 'FLAGS', 'GLOBAL', 'ARGUMENTS', 'DESCRIPTION', 'EXAMPLES', 'ALIASES', 'TLS', 'PORTS', 'IMAGES', 'ADVANCED', 'SSH', 'EDGE', 'LOCK', 'COMMANDS', 'TOPICS', 'value', 'option', 'options', 'default', 'required', 'env', 'flags', 'frameworks', 'Format', 'output', 'json']);

describe('help at 80 columns', () => {
  it('fits, and breaks no word (every word of the output is a word of the command\'s own text), nor a flag from its value', async () => {
    const problems: string[] = [];
    const queue = [...commands];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const r = await sb.run([...c.id.split(':'), '--help'], { env: { OCLIF_COLUMNS: '80' } });
        if (r.code !== 0) problems.push(`${c.id}: exit ${r.code}`);
        const texts: string[] = [];
        const collect = (v: unknown): void => {
          if (typeof v === 'string') texts.push(v);
          else if (v && typeof v === 'object') Object.values(v).forEach(collect);
        };
        collect(manifests.find((m) => m.commands[c.id])!.commands[c.id]);
        const source = texts.join(' ');
        // An example wrapped with ` \` keeps a flag and its value on one line (`--email ops@example.com`).
        const split = r.stdout.match(/ --?[\w-]+ \\\n\s+[^-\s]\S*/g);
        if (split) problems.push(...split.map((s) => `${c.id}: flag split from its value: ${s}`));
        for (const line of r.stdout.split('\n')) {
          if ([...line].length > 80) problems.push(`${c.id}: ${line.length} columns: ${line}`);
          for (const word of line.split(/[^A-Za-z]+/)) {
            if (word.length < 3 || HELP_WORDS.has(word)) continue;
            if (!new RegExp(`(^|[^A-Za-z])${word}([^A-Za-z]|$)`, 'i').test(source)) problems.push(`${c.id}: "${word}" in: ${line}`);
          }
        }
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(problems).toEqual([]);
  }, 240_000);
});

describe('command help', () => {
  it('USAGE is the command, its arguments and [flags]; login has no `[--jwt <value> | ]` artefact', async () => {
    const login = await sb.run(['login', '--help']);
    expect(login.stdout).toContain('$ frameworks login [flags]\n');
    expect(login.stdout).not.toMatch(/\| \]/);
    const drain = await sb.run(['edge', 'drain', '--help']);
    expect(drain.stdout).toContain('$ frameworks edge drain <node-id> [flags]\n');
  });

  it('the summary is said once, not again as the first line of DESCRIPTION', async () => {
    const r = await sb.run(['edge', 'undrain', '--help']);
    const summary = r.stdout.split('\n')[0];
    expect(r.stdout.split(summary).length - 1).toBe(1);
  });

  it('edge init: required --domain first, then TLS, PORTS, IMAGES, ADVANCED groups, GLOBAL last', async () => {
    const r = await sb.run(['edge', 'init', '--help']);
    const headers = r.stdout.split('\n').filter((l) => /^[A-Z ]+$/.test(l));
    expect(headers.slice(0, 7)).toEqual(['USAGE', 'FLAGS', 'TLS FLAGS', 'PORTS FLAGS', 'IMAGES FLAGS', 'ADVANCED FLAGS', 'SSH FLAGS']);
    expect(headers).toContain('GLOBAL FLAGS');
    expect(r.stdout.split('\nFLAGS\n')[1].split('\n')[0]).toMatch(/^\s+--domain=<value>\s+\(required\)/);
  });

  it('the edge topic names every verb', async () => {
    const r = await sb.run(['edge', '--help']);
    const topic = r.stdout.split('\n')[0];
    for (const verb of ['preflight', 'tune', 'init', 'enroll', 'status', 'update', 'logs', 'cert', 'doctor', 'drain', 'undrain', 'drain-status', 'lock']) expect(topic).toContain(verb);
  });
});

describe('root help', () => {
  it('topics once (not again under COMMANDS), global flags, help topics and examples', async () => {
    const r = await sb.run(['--help']);
    const section = (name: string) => r.stdout.split(`\n${name}\n`)[1]?.split(/\n[A-Z][A-Z ]+\n/)[0] ?? '';
    expect(section('TOPICS')).toMatch(/^\s+plugins\s/m);
    expect(section('COMMANDS')).not.toMatch(/^\s+(plugins|autocomplete)\s/m);
    expect(section('GLOBAL FLAGS')).toContain('--context');
    expect(section('HELP TOPICS')).toContain('frameworks help environment');
    expect(section('EXAMPLES')).toContain('$ frameworks --context prod edge status --json');
  });

  it('help environment lists every variable the sources read', async () => {
    const r = await sb.run(['help', 'environment']);
    expect(r.code).toBe(0);
    const read = new Set<string>();
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) {
          if (f !== 'node_modules' && f !== 'dist' && f !== 'test') walk(p);
        } else if (/\.ts$/.test(f)) {
          for (const m of readFileSync(p, 'utf8').matchAll(/(?:process\.env|\benv)(?:\.|\[')([A-Z][A-Z0-9_]+)|env: '([A-Z][A-Z0-9_]+)'/g)) read.add(m[1] ?? m[2]);
        }
      }
    };
    for (const dir of ['src', ...['sdk', 'cli-kit', 'plugin-edge', 'plugin-services', 'plugin-admin'].map((p) => `packages/${p}/src`)]) walk(join(ROOT, dir));
    expect(read.size).toBeGreaterThan(15);
    const missing = [...read].filter((v) => !new RegExp(`\\b${v}\\b`).test(r.stdout));
    expect(missing).toEqual([]);
    expect(r.stdout).toContain('FRAMEWORKS_GATEWAY_URL');
  });

  it('help exit-codes lists every exit status', async () => {
    const r = await sb.run(['help', 'exit-codes', '--json']);
    const text = (r.json!.result as { output: string }).output;
    for (const code of [0, 1, 2, 3, 4, 5, 6, 10, 68, 130]) expect(text).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
  });
});

describe.skipIf(!python)('on a terminal', () => {
  it('help uses the terminal width (120) and goes through $PAGER when longer than the screen', async () => {
    const pager = join(sb.home, 'pager.sh');
    writeFileSync(pager, '#!/bin/sh\necho "--- paged ---"\ncat\n');
    chmodSync(pager, 0o755);
    const env = { ...sb.baseEnv, CI: undefined, PAGER: pager };
    const r = await runInPty(['edge', 'init', '--help'], { env, cols: 120, rows: 20 });
    expect(r.text).toContain('--- paged ---');
    const lines = r.text.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeGreaterThan(80);
    expect(lines.every((l) => l.length <= 120)).toBe(true);
    const short = await runInPty(['context', 'current', '--help'], { env, cols: 120, rows: 60 });
    expect(short.text).not.toContain('--- paged ---');
  });
});
