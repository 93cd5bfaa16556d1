// `services plan --interactive` through a real pseudo-terminal (test/support/pty-drive.py): a preset
// from the profiles, then the multi-select grouped by role.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { KEY, focused, ptyUnavailableReason, runInPty, type PtyResult } from '../support/pty.js';

const itPty = ptyUnavailableReason && !process.env.CI ? it.skip : it;
const sb = new CliSandbox('fw-e2e-services-pty-');
const tmp = mkdtempSync(join(tmpdir(), 'fw-e2e-svc-pty-'));
afterAll(() => {
  sb.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});
const ttyEnv = { ...sb.baseEnv, CI: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm-256color' };
const explain = (r: PtyResult) => `pty: code=${r.code} timed_out=${r.timed_out} failed_step=${r.failed_step} error=${r.error}\n${r.text}`;
const fragments = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('svc-')).sort();

describe('services plan --interactive (pseudo-terminal)', () => {
  itPty('a profile preset, confirmed as it is → that profile', async () => {
    const dir = join(tmp, 'a');
    const r = await runInPty(['services', 'plan', '--interactive', '--dir', dir], {
      env: ttyEnv,
      steps: [
        { expect: 'Start from', timeout: 20 },
        { select: focused('control-core'), key: KEY.down },
        { send: KEY.enter },
        { expect: 'Services', timeout: 20 },
        { quiet: 0.3 },
        { send: KEY.enter },
      ],
    });
    expect(r.code, explain(r)).toBe(0);
    // Grouped by role: a heading per role, services with their titles.
    expect(r.text).toMatch(/── analytics ──/);
    expect(r.text).toMatch(/── routing ──/);
    expect(fragments(dir)).toEqual(['svc-commodore.yml', 'svc-gateway.yml', 'svc-quartermaster.yml']);
    expect(readFileSync(join(dir, 'plan.yaml'), 'utf8')).toContain('profile: control-core');
  });

  itPty('toggling a service makes the selection custom; Ctrl-C exits 130 and writes nothing', async () => {
    const dir = join(tmp, 'b');
    const r = await runInPty(['services', 'plan', '--interactive', '--dir', dir], {
      env: ttyEnv,
      steps: [
        { expect: 'Start from', timeout: 20 },
        { select: focused('billing-only'), key: KEY.down },
        { send: KEY.enter },
        { expect: 'Services', timeout: 20 },
        { quiet: 0.3 },
        { send: ' ' },
        { quiet: 0.3 },
        { send: KEY.enter },
      ],
    });
    expect(r.code, explain(r)).toBe(0);
    const plan = readFileSync(join(dir, 'plan.yaml'), 'utf8');
    expect(plan).toContain('profile: custom');
    expect(fragments(dir)).toHaveLength(2);
    expect(fragments(dir)).toContain('svc-purser.yml');

    const dir2 = join(tmp, 'c');
    const c = await runInPty(['services', 'plan', '--interactive', '--dir', dir2], {
      env: ttyEnv,
      steps: [{ expect: 'Start from', timeout: 20 }, { quiet: 0.3 }, { send: KEY.ctrlC }],
    });
    expect(c.code, explain(c)).toBe(130);
    expect(existsSync(dir2)).toBe(false);
  });
});
