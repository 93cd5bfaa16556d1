import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { KEY, focused, ptyUnavailableReason, runInPty, type PtyResult } from '../support/pty.js';

// The interactive menu through a real pseudo-terminal (python3's pty module, driven by
// test/support/pty-drive.py), plus the non-interactive paths that must never prompt.

if (ptyUnavailableReason && !process.env.CI) console.warn(`menu.test: skipping the pseudo-terminal cases: ${ptyUnavailableReason}.`);
/** Never skipped under CI: there a missing python3 fails the test. */
const itPty = ptyUnavailableReason && !process.env.CI ? it.skip : it;

let sb: CliSandbox;
/** A terminal session as a user has it: CliSandbox's CI=1 / NO_COLOR=1 removed, a real TERM. */
let ttyEnv: Record<string, string | undefined>;

beforeAll(async () => {
  sb = new CliSandbox('fw-e2e-menu-');
  ttyEnv = { ...sb.baseEnv, CI: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm-256color' };
  const init = await sb.run(['context', 'init']);
  expect(init.code, init.stderr).toBe(0);
});
afterAll(() => sb.cleanup());

const explain = (r: PtyResult) => `pty: code=${r.code} signal=${r.signal} timed_out=${r.timed_out} failed_step=${r.failed_step} error=${r.error}\n${r.text}`;

describe('interactive menu (pseudo-terminal)', () => {
  itPty('bare `frameworks` opens the topic picker; context → context list runs it and shows the table', async () => {
    const r = await runInPty([], {
      env: ttyEnv,
      steps: [
        { expect: 'Topic', timeout: 20 },
        { select: focused('context'), key: KEY.down },
        { send: KEY.enter },
        { expect: 'Command', timeout: 20 },
        { select: focused('context list'), key: KEY.down },
        { send: KEY.enter },
        // It is a loop: after the command, back to the commands of the topic, until quit.
        { expect: 'exited 0', timeout: 30 },
        { expect: 'Command', timeout: 20 },
        { quiet: 0.3 },
        { send: 'quit' },
        { quiet: 0.3 },
        { send: KEY.enter },
      ],
    });
    expect(r.failed_step, explain(r)).toBeNull();
    expect(r.timed_out, explain(r)).toBe(false);
    expect(r.code, explain(r)).toBe(0);
    // The topic picker lists the topics (autocomplete commands are left out of the menu).
    expect(r.text).toMatch(/^\S?\s*\(top level\)/m);
    expect(r.text).toMatch(/^\S?\s*auth\s/m);
    expect(r.text).toMatch(/^\S?\s*context\s+Manage contexts/m);
    // Then the commands of the topic, with the topic separator of the CLI (a space).
    expect(r.text).toMatch(/^\S?\s*context init\s/m);
    expect(r.text).toContain('$ frameworks context list');
    const after = r.text.slice(r.text.indexOf('$ frameworks context list'));
    expect(after).toMatch(/NAME\s+GATEWAY\s+EXECUTOR\s+DESCRIPTION/);
    expect(after).toMatch(/\*\s+local\s+http:\/\/localhost:18000\s+local/);
    // The prompt gave the cursor back.
    expect(r.output.lastIndexOf('\u001b[?25h')).toBeGreaterThan(r.output.lastIndexOf('\u001b[?25l'));
  });

  itPty('type to filter, aligned descriptions, a key legend, contexts offered for `context use`, back, quit', async () => {
    await sb.run(['context', 'create', 'prod']);
    const r = await runInPty([], {
      env: ttyEnv,
      steps: [
        { expect: 'Topic', timeout: 20 },
        { quiet: 0.3 },
        { send: 'cont' },
        { quiet: 0.3 },
        { send: KEY.enter },
        { expect: 'Command', timeout: 20 },
        { quiet: 0.3 },
        { send: 'use' },
        { quiet: 0.3 },
        { send: KEY.enter },
        { expect: 'name (Context name)', timeout: 20 },
        { quiet: 0.3 },
        { send: 'prod' },
        { quiet: 0.3 },
        { send: KEY.enter },
        { expect: '$ frameworks context use prod', timeout: 20 },
        { expect: 'exited 0', timeout: 30 },
        { expect: 'Command', timeout: 20 },
        { quiet: 0.3 },
        { send: 'back' },
        { quiet: 0.3 },
        { send: KEY.enter },
        { expect: 'Topic', timeout: 20 },
        { quiet: 0.3 },
        { send: 'quit' },
        { quiet: 0.3 },
        { send: KEY.enter },
      ],
    });
    expect(r.failed_step, explain(r)).toBeNull();
    expect(r.code, explain(r)).toBe(0);
    expect(r.text).toContain('type to filter · ↑↓ move · enter choose');
    // (top level) describes its commands, with no unrendered template.
    expect(r.text).toMatch(/\(top level\)\s+[a-z, ]*help, login, logout/);
    expect(r.text).not.toContain('<%=');
    // Descriptions start in one column.
    const col = (name: string) => r.text.split('\n').map((l) => new RegExp(`^\\S?\\s*(${name}\\s+)\\S`).exec(l)).find(Boolean);
    const a = col('context check')!;
    const b = col('context set-url')!;
    expect(a.index + a[0].length).toBe(b.index + b[0].length);
    // The contexts were offered, the current one described; the command ran.
    expect(r.text).toMatch(/local\s+current/);
    expect((await sb.run(['context', 'current'])).stdout).toBe('prod\n');
    await sb.run(['context', 'use', 'local']);
  });

  itPty('Ctrl-C at the topic prompt exits 130 with "Interrupted" and restores the cursor', async () => {
    const r = await runInPty([], {
      env: ttyEnv,
      steps: [{ expect: 'Topic', timeout: 20 }, { quiet: 0.3 }, { send: KEY.ctrlC }],
    });
    expect(r.failed_step, explain(r)).toBeNull();
    expect(r.code, explain(r)).toBe(130);
    expect(r.text).toContain('Interrupted');
    expect(r.output.lastIndexOf('\u001b[?25h')).toBeGreaterThan(r.output.lastIndexOf('\u001b[?25l'));
  });

  itPty('on a terminal with CI set or TERM=dumb, bare `frameworks` prints help instead of the menu', async () => {
    for (const env of [{ ...ttyEnv, CI: '1' }, { ...ttyEnv, TERM: 'dumb' }]) {
      const r = await runInPty([], { env, timeoutSec: 30 });
      expect(r.timed_out, explain(r)).toBe(false);
      expect(r.code, explain(r)).toBe(0);
      expect(r.text).toContain('USAGE');
      expect(r.text).not.toContain('Topic');
    }
  });

  itPty('`frameworks menu --json` on a terminal still refuses to prompt', async () => {
    const r = await runInPty(['menu', '--json'], { env: ttyEnv, timeoutSec: 30 });
    expect(r.timed_out, explain(r)).toBe(false);
    expect(r.code, explain(r)).toBe(2);
    expect(r.text).toContain('"code": "INPUT_REQUIRED"');
    expect(r.text).not.toContain('Topic');
  });
});

describe('menu without a terminal', () => {
  it('bare `frameworks` with no TTY prints help and exits (no hang), even with CI unset', async () => {
    const r = await sb.run([], { env: { CI: undefined }, timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('USAGE');
    expect(r.stdout).toContain('$ frameworks [COMMAND]');
    expect(r.stdout + r.stderr).not.toContain('Topic');
  });

  it('`frameworks menu --json` exits 2 with an INPUT_REQUIRED error document', async () => {
    const r = await sb.run(['menu', '--json'], { env: { CI: undefined }, timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.json).toMatchObject({ status: 2, code: 'INPUT_REQUIRED', name: 'InputRequiredError' });
    expect(r.json?.suggestions).toEqual(expect.arrayContaining([expect.stringContaining('frameworks --help')]));
  });

  it('`frameworks menu` with no TTY exits 2 and says how to run a command directly', async () => {
    const r = await sb.run(['menu'], { env: { CI: undefined }, timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('prompting is off');
    expect(r.stderr).toContain('frameworks --help');
  });
});
