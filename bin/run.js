#!/usr/bin/env node
// Entry point. `--version` is answered before oclif loads (the most common scripted call);
// everything else goes through oclif with its manifest, which imports only the command run.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`);
  process.exit(0);
}

const { enableCompileCache } = await import('node:module');
enableCompileCache?.();

// Shell completion asks `frameworks __complete <words…>` on every TAB: answered here from the manifests,
// without loading oclif (src/lib/complete.ts).
if (argv[0] === '__complete') {
  const { complete } = await import('../dist/lib/complete.js');
  const root = new URL('..', import.meta.url).pathname;
  const lines = await complete(argv.slice(1), { root, env: process.env }).catch(() => []);
  process.stdout.write(lines.length ? lines.join('\n') + '\n' : '');
  process.exit(0);
}

// Ctrl-C and SIGTERM (the protocol is in packages/cli-kit/src/interrupts.ts). A command that has not
// started yet, a read-only one or a quick mutating one exits 130 at once with the documented error
// document (a mutating one writes its audit line first). A command that handles it has turned
// `graceful` on: the first signal aborts its AbortSignal (it stops starting new
// steps, lets the one in flight finish, then rolls back or says what changed, exit 130, audit line);
// a second one aborts at once, with a warning. Every write is temp file + rename either way.
const jsonMode = argv.includes('--json') || process.env.FRAMEWORKS_CONTENT_TYPE?.toLowerCase() === 'json';
const INTERRUPT = Symbol.for('frameworks.interrupt');
globalThis[INTERRUPT] ??= { controller: new AbortController(), graceful: false, count: 0 };
const onSignal = (signal) => {
  const state = globalThis[INTERRUPT];
  state.count += 1;
  if (state.graceful && state.count === 1) {
    const what = signal === 'SIGTERM' ? 'Terminated' : 'Interrupted';
    process.stderr.write(`\n⚠ ${what}: no new step starts; the one in flight gets a moment to finish (Ctrl-C again to abort at once).\n`);
    state.controller.abort(signal);
    return;
  }
  let printed = false;
  if (state.graceful) process.stderr.write('\n⚠ Aborted at once: the step in flight was cut off and may be half done.\n');
  try {
    // A mutating command writes its audit line (and, under --json, its document).
    printed = state.hardExit?.() ?? false;
  } catch {
    // Last words only: the exit code says what happened.
  }
  if (!printed && jsonMode) {
    const doc = { status: 130, name: 'InterruptedError', code: 'INTERRUPTED', message: 'Interrupted.', suggestions: [], warnings: [] };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else if (!printed && !state.graceful) {
    process.stderr.write('\n✗ Interrupted.\n');
  }
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// `frameworks … | head` closes the pipe early: that is the reader's choice, not a failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Bare `frameworks` on a terminal opens the interactive menu; anywhere else it prints help.
const interactive = process.stdin.isTTY && process.stdout.isTTY && !process.env.CI && process.env.TERM !== 'dumb';
const args = argv.length === 0 && interactive ? ['menu'] : colonCommandSplit(globalFlagsLast(argv));

/**
 * The seed's colon spellings (`frameworks web:dev up`, `edge:lock status`): oclif takes a colon id only
 * whole, so a colon topic followed by a spaced verb would show the topic's help. Split into words,
 * the spaced lookup finds the command (`web:dev:up` as one word still works).
 */
function colonCommandSplit(words) {
  const first = words[0];
  return first && !first.startsWith('-') && first.includes(':') ? [...first.split(':').filter(Boolean), ...words.slice(1)] : words;
}

/**
 * Global flags typed before the command (`frameworks --context prod edge status`, as kubectl and gh
 * take them) move behind it, where oclif parses them; `--` and what follows stay last.
 */
function globalFlagsLast(words) {
  const VALUED = new Set(['--context', '-c', '--output', '-o', '--via']);
  const BARE = new Set(['--verbose', '--no-input', '--json', '--quiet', '-q', '--no-color']);
  const front = [];
  let i = 0;
  while (i < words.length) {
    const w = words[i];
    if (VALUED.has(w) && i + 1 < words.length) {
      front.push(w, words[i + 1]);
      i += 2;
    } else if (BARE.has(w) || /^--(context|output|via)=/.test(w)) {
      front.push(w);
      i += 1;
    } else break;
  }
  if (front.length === 0 || i === words.length) return words;
  const rest = words.slice(i);
  const dashes = rest.indexOf('--');
  return dashes === -1 ? [...rest, ...front] : [...rest.slice(0, dashes), ...front, ...rest.slice(dashes)];
}

const { execute } = await import('@oclif/core');
await execute({ args, dir: import.meta.url });
