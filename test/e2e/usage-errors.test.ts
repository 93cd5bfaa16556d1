// Parser errors and did-you-mean (issue 9, "One envelope, one error style"): one line saying what is
// wrong, then a runnable command (the fixed command line, or the command's own example), exit 2; JSON
// errors carry the same commands as plain `suggestions`; global flags are taken before the command.
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';

const sb = new CliSandbox('fw-e2e-usage-');
afterAll(() => sb.cleanup());

/** The ✗ line and the Next: commands of a text-mode error. */
function parsed(r: CliResult): { message: string; next: string[] } {
  // Node's own warnings (vitest runs with NODE_ENV=test, which turns oclif's dev checks on) are not ours.
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^\((node:\d+|Use `node)/.test(l));
  expect(lines[0], r.stderr).toMatch(/^✗ /);
  const at = lines.findIndex((l) => /^\s*Next: /.test(l));
  expect(at, r.stderr).toBe(1); // one line of message, then the next step
  return { message: lines[0].slice(2), next: lines.slice(at).map((l) => l.replace(/^\s*(Next:)?\s*/, '')) };
}

/** A suggestion is runnable: a frameworks command line, no prose, placeholders or comments. */
function runnable(s: string) {
  expect(s).toMatch(/^frameworks [a-z-]/);
  expect(s).not.toMatch(/…|#|Run the command|Pass /);
}

describe('parser errors: one line and a runnable next step, exit 2', () => {
  it('a missing required flag names it and offers the command\'s example that has it', async () => {
    const r = await sb.run(['edge', 'init']);
    expect(r.code, r.stderr).toBe(2);
    const { message, next } = parsed(r);
    expect(message).toBe('edge init needs --domain.');
    expect(next[0]).toMatch(/^frameworks edge init --domain \S+ --email \S+/);
    next.forEach(runnable);
    const json = await sb.run(['edge', 'init', '--json']);
    expect(json.code).toBe(2);
    expect(json.json).toMatchObject({ status: 2, code: 'USAGE', message: 'edge init needs --domain.' });
    (json.json!.suggestions as string[]).forEach(runnable);
  });

  it('a misspelt flag: did you mean, and the command line with it fixed', async () => {
    const r = await sb.run(['context', 'check', '--tiemout', '3s']);
    expect(r.code).toBe(2);
    const { message, next } = parsed(r);
    expect(message).toBe('context check has no flag --tiemout; did you mean --timeout?');
    expect(next[0]).toBe('frameworks context check --timeout 3s');
    next.forEach(runnable);
  });

  it('a flag value not among its options: did you mean the closest one', async () => {
    const r = await sb.run(['edge', 'init', '--tls', 'internl', '--domain', 'a.example.com', '--email', 'o@example.com', '--json']);
    expect(r.code).toBe(2);
    expect(r.json!.message).toBe('--tls must be one of acme, internal, not "internl"; did you mean internal?');
    expect((r.json!.suggestions as string[])[0]).toBe('frameworks edge init --tls internal --domain a.example.com --email o@example.com --json');
  });

  it('a context set-url service key: did you mean the closest key', async () => {
    const r = await sb.run(['context', 'set-url', 'gatway', 'http://localhost:1']);
    expect(r.code).toBe(2);
    const { message, next } = parsed(r);
    expect(message).toMatch(/^"gatway" is not a valid service: one of gateway, .*; did you mean gateway\?$/);
    expect(next[0]).toBe('frameworks context set-url gateway http://localhost:1');
  });

  it('a missing argument or one too many', async () => {
    const missing = await sb.run(['context', 'use']);
    expect(missing.code).toBe(2);
    const m = parsed(missing);
    expect(m.message).toBe('context use needs <name>.');
    m.next.forEach(runnable);
    const extra = await sb.run(['context', 'use', 'a', 'b']);
    expect(extra.code).toBe(2);
    const e = parsed(extra);
    expect(e.message).toBe('context use takes 1 argument; "b" is one too many.');
    expect(e.next[0]).toBe('frameworks context use a');
  });
});

describe('did-you-mean for commands and topics', () => {
  it.each([
    ['edg', 'edge', 'frameworks edge --help'],
    ['contex', 'context', 'frameworks context --help'],
  ])('%s → the %s topic', async (typed, topic, next) => {
    const r = await sb.run([typed]);
    expect(r.code).toBe(2);
    const p = parsed(r);
    expect(p.message).toBe(`"${typed}" is not a frameworks command. Did you mean "${topic}"?`);
    expect(p.next[0]).toBe(next);
    const json = await sb.run([typed, '--json']);
    expect(json.json).toMatchObject({ status: 2, code: 'COMMAND_NOT_FOUND' });
    (json.json!.suggestions as string[]).forEach(runnable);
  });

  it('context delete of an unknown context does not suggest creating it', async () => {
    const r = await sb.run(['context', 'delete', 'nope', '--yes', '--json']);
    expect(r.code).toBe(4);
    expect(r.json!.code).toBe('CONTEXT_NOT_FOUND');
    expect(r.json!.suggestions).not.toContain('frameworks context create nope');
    (r.json!.suggestions as string[]).forEach(runnable);
  });

  it('a prompt that cannot be shown suggests the command line with the flag that answers it', async () => {
    await sb.run(['context', 'create', 'doomed']);
    const r = await sb.run(['context', 'delete', 'doomed', '--json']);
    expect(r.code, r.stdout).toBe(2);
    expect(r.json).toMatchObject({ code: 'INPUT_REQUIRED', suggestions: ['frameworks context delete doomed --json --yes'] });
  });
});

describe('global flags before the command', () => {
  it('frameworks --context <name> --json context show works as kubectl and gh take it', async () => {
    await sb.run(['context', 'create', 'staging']);
    const r = await sb.run(['--context', 'staging', '--json', 'context', 'show']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({ name: 'staging' });
  });
});
