// `Next:` hints are commands to run (issue 9): prose hints of the sources become the typed command line
// with the flag they name set, added or removed; advice that is no command moves into the message.
import { describe, expect, it } from 'vitest';
import { FrameworksError } from '@frameworks/sdk';
import { normalizeError } from '../src/errors.js';
import { runnableHints } from '../src/runnable-hints.js';
import { safeArgv } from '../src/usage-errors.js';

const src = (id: string, argv: string[], flags: Record<string, { type: string; multiple?: boolean }> = {}) => ({
  id,
  argv,
  config: { bin: 'frameworks' },
  ctor: { flags, baseFlags: { context: { type: 'option' }, verbose: { type: 'boolean' } } },
});

describe('runnableHints', () => {
  it('Pass --yes → the command line with --yes', () => {
    const r = runnableHints(['Pass --yes'], src('services:down', ['--dir', '/srv/plan'], { yes: { type: 'boolean' }, dir: { type: 'option' } }));
    expect(r).toEqual({ suggestions: ['frameworks services down --dir /srv/plan --yes'], notes: [] });
  });

  it('e.g. --tail 50, … or --tail all → the first example, replacing the value typed', () => {
    const r = runnableHints(['e.g. --tail 50, --tail 0 (only new lines, with --follow) or --tail all'], src('edge:logs', ['caddy', '--tail', 'x'], { tail: { type: 'option' } }));
    expect(r.suggestions).toEqual(['frameworks edge logs caddy --tail 50']);
  });

  it('Re-run with --force … → the command with --force; Drop --node-id → without it', () => {
    const f = { force: { type: 'boolean' }, 'node-id': { type: 'option' }, ssh: { type: 'option', multiple: true } };
    expect(runnableHints(['Re-run with --force to replace them (hand edits are lost)'], src('services:plan', ['--profile', 'billing-only'], f)).suggestions).toEqual([
      'frameworks services plan --profile billing-only --force',
    ]);
    expect(runnableHints(['Drop --node-id'], src('edge:update', ['--drain', '--node-id', 'n1', '--ssh', 'a,b'], f)).suggestions).toEqual([
      'frameworks edge update --drain --ssh a,b',
    ]);
  });

  it('a "# did you mean" comment is dropped; other hints are left exactly as they were', () => {
    const hints = ['Check the node id: frameworks admin nodes list', 'frameworks context show prod   # did you mean "prod"?', 'docker compose up -d   # roll back'];
    expect(runnableHints(hints, src('edge:cert', [])).suggestions).toEqual([
      'Check the node id: frameworks admin nodes list',
      'frameworks context show prod',
      'docker compose up -d   # roll back',
    ]);
  });

  it('normalizeError with the command: Pass --verbose becomes the command line', () => {
    const err = new FrameworksError('Cannot read --ca.', { code: 'CA_UNREADABLE', exitCode: 2, suggestions: ['Pass --verbose'] });
    const out = normalizeError(err, src('edge:cert', ['--ca', 'x.pem']));
    expect(out.suggestions).toEqual(['frameworks edge cert --ca x.pem --verbose']);
  });
});

describe('safeArgv', () => {
  it('a secret typed on the command line is never repeated in a suggestion', () => {
    expect(safeArgv(['--service-token', 'CANARYxyz', '--jwt=eyJabc', '--password-stdin', '--email', 'a@example.com'])).toEqual([
      '--service-token',
      '<secret>',
      '--jwt=<secret>',
      '--password-stdin',
      '--email',
      'a@example.com',
    ]);
  });
});
