#!/usr/bin/env node
// Development entry: rebuilds incrementally (tsc -b), then runs oclif without the manifest,
// so new or renamed commands show up without `oclif manifest`. bin/run.js is the shipped path.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-b'], { cwd: root, stdio: 'inherit' });
const { execute } = await import('@oclif/core');
await execute({ development: true, dir: import.meta.url });
