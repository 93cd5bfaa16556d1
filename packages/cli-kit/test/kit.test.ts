import { describe, expect, it, vi } from 'vitest';
import { describeCause, normalizeError } from '../src/errors.js';
import { chooseRenderer, runTasks } from '../src/tasks.js';
import { inputRequired, promptConfirm, promptPassword } from '../src/prompts.js';
import { renderKeyValues, renderTable } from '../src/output/table.js';
import { colorEnabled, paint } from '../src/output/style.js';
import { FrameworksError } from '@frameworks/sdk';

describe('normalizeError → exit codes', () => {
  it('keeps FrameworksErrors as they are', () => {
    const e = new FrameworksError('x', { code: 'X', exitCode: 5 });
    expect(normalizeError(e)).toBe(e);
  });
  it('maps oclif parse errors to 2, this.exit(n) to n, bugs to 10, network codes to 6, the rest to 1', () => {
    expect(normalizeError(Object.assign(new Error('Nonexistent flag: --x\nSee more help with --help'), { oclif: { exit: 2 } }))).toMatchObject({
      exitCode: 2,
      code: 'USAGE',
      message: 'Nonexistent flag: --x',
    });
    expect(normalizeError(Object.assign(new Error('EEXIT: 7'), { code: 'EEXIT', oclif: { exit: 7 } }))).toMatchObject({ exitCode: 7, message: '' });
    expect(normalizeError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatchObject({ exitCode: 10, code: 'INTERNAL' });
    expect(normalizeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ exitCode: 6 });
    expect(normalizeError(new Error('boom'))).toMatchObject({ exitCode: 1, message: 'boom' });
  });
});

describe('--verbose causes', () => {
  it('are text, never "[object Object]": errors by their stack, plain objects by their message or as JSON', () => {
    const plain = { code: 'ECONNRESET', message: 'socket hang up' };
    expect(describeCause(plain)).toBe('ECONNRESET: socket hang up');
    expect(describeCause({ reason: 'no such host', level: 'client-dns' })).toBe('{"reason":"no such host","level":"client-dns"}');
    expect(describeCause(new Error('boom'))).toMatch(/^Error: boom\n\s+at /);
    expect(describeCause('said so')).toBe('said so');
    for (const c of [plain, { a: 1 }, Object.create(null) as object]) expect(describeCause(c)).not.toContain('[object Object]');
  });
});

describe('task renderer', () => {
  it('is silent under --json, verbose under --verbose, animated only on an interactive TTY, else plain lines', () => {
    expect(chooseRenderer({ json: true, verbose: true, interactive: true })).toBe('silent');
    expect(chooseRenderer({ json: false, verbose: true, interactive: false })).toBe('verbose');
    expect(chooseRenderer({ json: false, verbose: false, interactive: false })).toBe('simple');
  });

  it('draws on stderr, never stdout, and runs every task', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const ctx = await runTasks<{ n: number }>(
        [
          { title: 'first step', task: (c) => void (c.n += 1) },
          { title: 'second step', task: (c) => void (c.n += 10) },
        ],
        { json: false, verbose: false, interactive: false },
        { ctx: { n: 0 } },
      );
      expect(ctx.n).toBe(11);
      expect(out).not.toHaveBeenCalled();
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('second step');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('prints nothing at all under --json and still reports a failed task', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(
        runTasks([{ title: 'fails', task: () => Promise.reject(new Error('nope')) }], { json: true, verbose: false, interactive: false }),
      ).rejects.toThrow('nope');
      expect(out).not.toHaveBeenCalled();
      expect(err).not.toHaveBeenCalled();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});

describe('prompts', () => {
  it('refuse when not interactive and name the flag that answers', async () => {
    await expect(promptConfirm({ interactive: false }, 'Delete?')).rejects.toMatchObject({ exitCode: 2, code: 'INPUT_REQUIRED', suggestions: ['Pass --yes'] });
    await expect(promptPassword({ interactive: false }, 'Password', '--password-stdin')).rejects.toMatchObject({ suggestions: ['Pass --password-stdin'] });
    expect(inputRequired('Q', '--x').message).toContain('Q needs an answer');
  });
});

describe('output', () => {
  it('aligns table columns and key/value pairs', () => {
    const t = renderTable([{ a: 'x', b: 'long value' }, { a: 'longer', b: 'y' }], [
      { header: 'a', get: (r) => r.a },
      { header: 'b', get: (r) => r.b },
    ]);
    expect(t.split('\n')).toEqual(['A       B', 'x       long value', 'longer  y']);
    expect(renderKeyValues([['k', '1'], ['key', '2']])).toBe('k:   1\nkey: 2');
  });
  it('colours only a TTY without NO_COLOR', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    expect(colorEnabled(tty, {})).toBe(true);
    expect(colorEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: false } as NodeJS.WriteStream, {})).toBe(false);
    expect(paint('x', 'red', { isTTY: false } as NodeJS.WriteStream)).toBe('x');
  });
});

describe('terminal-safe text', () => {
  it('escapes control characters from data and keeps our own colours on a colour stream', async () => {
    const { terminalText } = await import('../src/output/safe-text.js');
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    const env = { ...process.env };
    delete process.env.NO_COLOR;
    delete process.env.FORCE_COLOR;
    try {
      expect(terminalText('a\u001b[2Jb\rc\nd', { stream: pipe })).toBe('a\\x1b[2Jb\\rc\\nd');
      expect(terminalText('a\r\nb\tc\u0007', { keepNewlines: true, stream: pipe })).toBe('a\nb\tc\\x07');
      expect(terminalText('\u001b[32m✓\u001b[39m \u001b[2J', { stream: tty })).toBe('\u001b[32m✓\u001b[39m \\x1b[2J');
      expect(terminalText('\u001b[32m✓\u001b[39m', { stream: pipe })).toBe('\\x1b[32m✓\\x1b[39m');
      expect(terminalText('rtl \u202e evil')).toBe('rtl \\u202e evil');
    } finally {
      Object.assign(process.env, env);
    }
  });
  it('a table cell stays on one line whatever a server put in it', () => {
    const t = renderTable([{ a: 'x\ny\u001b[2J', b: 'z' }], [{ header: 'a', get: (r) => r.a }, { header: 'b', get: (r) => r.b }]);
    expect(t.split('\n')).toHaveLength(2);
    expect(t).toContain('x\\ny\\x1b[2J');
  });
});
