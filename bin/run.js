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

// Ctrl-C: exit 130 with the documented error document under --json, never a half-written file
// (every write is temp file + rename).
const jsonMode = argv.includes('--json') || process.env.FRAMEWORKS_CONTENT_TYPE?.toLowerCase() === 'json';
process.once('SIGINT', () => {
  if (jsonMode) {
    process.stdout.write(JSON.stringify({ status: 130, name: 'InterruptedError', code: 'INTERRUPTED', message: 'Interrupted.', suggestions: [], warnings: [] }, null, 2) + '\n');
  } else {
    process.stderr.write('\n✗ Interrupted.\n');
  }
  process.exit(130);
});

// `frameworks … | head` closes the pipe early: that is the reader's choice, not a failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Bare `frameworks` on a terminal opens the interactive menu; anywhere else it prints help.
const interactive = process.stdin.isTTY && process.stdout.isTTY && !process.env.CI && process.env.TERM !== 'dumb';
const args = argv.length === 0 && interactive ? ['menu'] : argv;

const { execute } = await import('@oclif/core');
await execute({ args, dir: import.meta.url });
