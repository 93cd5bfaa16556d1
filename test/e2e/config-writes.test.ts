// The config store's writes, as a user meets them: a config.yaml that is a symlink (dotfiles) stays
// a link and its target gets the change, as kubectl and git do; a lock left by a killed frameworks
// process is taken over at once, with a warning, instead of a silent wait.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, ROOT } from '../support/cli.js';

let sb: CliSandbox;
const cfg = () => join(sb.frameworksHome, 'config.yaml');

beforeAll(() => {
  sb = new CliSandbox();
});
afterAll(() => sb.cleanup());

/** A process that takes the config lock (the SDK's own lock code) and then hangs until killed. */
async function holdLock(path: string): Promise<{ pid: number; kill9(): Promise<void> }> {
  const lockModule = join(ROOT, 'packages/sdk/dist/fs/lock.js');
  const hold = "() => { console.log('locked'); setInterval(() => {}, 1000); return new Promise(() => {}); }";
  const script = `import(${JSON.stringify(lockModule)}).then((m) => m.withFileLock(${JSON.stringify(path)}, ${hold}));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
  return {
    pid: child.pid!,
    kill9: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

describe('config writes', () => {
  it('a config.yaml that is a symlink is written through to its target; the link stays a link', async () => {
    const dotfiles = join(sb.home, 'dotfiles');
    mkdirSync(dotfiles, { recursive: true });
    mkdirSync(sb.frameworksHome, { recursive: true, mode: 0o700 });
    const target = join(dotfiles, 'frameworks.yaml');
    symlinkSync(target, cfg());
    expect((await sb.run(['context', 'init'])).code).toBe(0);
    const r = await sb.run(['context', 'create', 'prod', '--set', 'gateway=https://api.example.com']);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(cfg()).isSymbolicLink()).toBe(true);
    expect(readlinkSync(cfg())).toBe(target);
    expect(readFileSync(target, 'utf8')).toContain('https://api.example.com');
    expect(lstatSync(target).mode & 0o777).toBe(0o600);
  });

  it('a lock left by a frameworks process killed with -9 is taken over at once, with a warning naming it', async () => {
    const holder = await holdLock(cfg());
    await holder.kill9();
    expect(existsSync(`${cfg()}.lock`)).toBe(true);
    const r = await sb.run(['context', 'use', 'prod', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const warnings = r.json!.warnings as Array<{ code: string; message: string }>;
    const w = warnings.find((x) => x.code === 'STALE_LOCK_TAKEN_OVER');
    expect(w?.message).toContain(`process ${holder.pid}`);
    expect(w?.message).toContain('no longer running');
    expect(existsSync(`${cfg()}.lock`)).toBe(false);
    expect(readFileSync(join(sb.home, 'dotfiles', 'frameworks.yaml'), 'utf8')).toMatch(/^current: prod$/m);
  });

  it('a live holder is waited for, then named (LOCK_TIMEOUT), and the file is left alone', async () => {
    const holder = await holdLock(cfg());
    try {
      const before = readFileSync(cfg(), 'utf8');
      const r = await sb.run(['context', 'use', 'local', '--json'], { timeoutMs: 40_000 });
      expect(r.code).toBe(1);
      expect(r.json).toMatchObject({ code: 'LOCK_TIMEOUT' });
      expect(String(r.json!.message)).toContain(`process ${holder.pid}`);
      expect(readFileSync(cfg(), 'utf8')).toBe(before);
    } finally {
      await holder.kill9();
    }
  });
});
