// All or nothing, for real: `edge init --force` and `services plan` onto a full disk (a small ext4 loop
// filesystem, filled up), locally and over SSH; a target made immutable with chattr +i; temp files left
// by a run that was killed; `edge init --force` without a token keeps the one the stack has. Every
// failure leaves each existing file byte-identical and no temp file behind.
import { execFile, execSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, ROOT, type CliResult } from '../support/cli.js';
import { mountLoopFs, type LoopFs } from '../support/loopfs.js';
import { startSshd, type Sshd } from '../support/sshd.js';

const run = promisify(execFile);
const FIXTURE = join(ROOT, 'test/fixtures/edge/release-manifest.yaml');
const TOKEN = 'bt_keepThisToken0123456789abcdef';
const NOFILE = execSync('ulimit -Hn', { shell: '/bin/sh', encoding: 'utf8' }).trim();

let sb: CliSandbox;
let fs: LoopFs;
let sshd: Sshd;
let n = 0;
const newDir = () => join(fs.dir, `d${++n}`);
const init = (dir: string, domain: string, ...extra: string[]) =>
  sb.run(['edge', 'init', '--dir', dir, '--release-manifest', FIXTURE, '--allow-unpinned', '--nofile', NOFILE, '--domain', domain, '--tls', 'internal', ...extra]);
const ssh = () => ['--ssh', `${sshd.user}@127.0.0.1:${sshd.port}`, '--ssh-key', sshd.clientKey, '--accept-new-host-key'];

function snapshot(dir: string): Record<string, { data: string; mode: number }> {
  const file = (name: string) => ({ data: readFileSync(join(dir, name), 'latin1'), mode: statSync(join(dir, name)).mode & 0o777 });
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, file(name)]));
}
const temps = (dir: string) => readdirSync(dir).filter((name) => /\.fw(tmp|bak)\.|\.tmp$/.test(name));

/** A stack made by edge init with a token: what a full disk must not destroy. */
async function stack(dir: string): Promise<Record<string, { data: string; mode: number }>> {
  const r = await init(dir, 'edge-1.test', '--token', TOKEN);
  expect(r.code, r.stderr).toBe(0);
  return snapshot(dir);
}

function expectDiskFull(r: CliResult, dir: string): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.json).toMatchObject({ status: 1, code: 'DISK_FULL' });
  const message = String(r.json!.message);
  expect(message).toContain('the disk is full');
  expect(message).toContain(dir); // where: the folder …
  expect(message).toContain(`mounted on ${fs.dir}`); // … and the filesystem
  expect(message).toContain('Nothing was changed');
  expect(String((r.json!.suggestions as string[])[0])).toContain('df -h');
}

beforeAll(async () => {
  sb = new CliSandbox('fw-e2e-txn-');
  fs = await mountLoopFs(4);
  sshd = await startSshd();
});
afterAll(async () => {
  await run('chattr', ['-R', '-i', fs.dir]).catch(() => undefined);
  await Promise.allSettled([fs?.umount(), sshd?.stop()]);
  sb?.cleanup();
});

describe('edge init --force onto a full disk', () => {
  it.each([
    ['locally', () => [] as string[]],
    ['over SSH', ssh],
  ])('%s: exit 1, says the disk is full and where, every old file byte-identical, no temp file', async (_how, where) => {
    const dir = newDir();
    const before = await stack(dir);
    await fs.fill();
    try {
      const r = await init(dir, 'edge-2.test', '--force', '--json', ...where());
      expectDiskFull(r, dir);
      expect(snapshot(dir)).toEqual(before);
      expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toContain(`EDGE_ENROLLMENT_TOKEN=${TOKEN}`);
      expect(temps(dir)).toEqual([]);
    } finally {
      fs.unfill();
    }
    // With room again the same command goes through, and the token stays (no new one was given).
    const again = await init(dir, 'edge-2.test', '--force', '--json', ...where());
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toContain(`EDGE_ENROLLMENT_TOKEN=${TOKEN}`);
    expect(readFileSync(join(dir, 'Caddyfile'), 'utf8')).toContain('edge-2.test');
  });
});

describe('a target that cannot be replaced (chattr +i)', () => {
  it('nothing is replaced (the files renamed before it are put back) and the message says permissions', async () => {
    const dir = newDir();
    const before = await stack(dir);
    await run('chattr', ['+i', join(dir, 'Caddyfile')]); // the last file renamed: three were already in place
    try {
      const r = await init(dir, 'edge-3.test', '--force', '--json');
      expect(r.code, r.stdout).toBe(1);
      expect(r.json).toMatchObject({ code: 'WRITE_PERMISSION_DENIED' });
      expect(String(r.json!.message)).toMatch(/Caddyfile: the operation is not permitted .*immutable/);
      expect(String((r.json!.suggestions as string[])[0])).toContain('lsattr');
      expect(snapshot(dir)).toEqual(before);
      expect(temps(dir)).toEqual([]);
    } finally {
      await run('chattr', ['-i', join(dir, 'Caddyfile')]);
    }
  });
});

describe('a filesystem mounted read-only', () => {
  it('says so (READ_ONLY_FILESYSTEM), and nothing is touched', async () => {
    const dir = newDir();
    const before = await stack(dir);
    await run('mount', ['-o', 'remount,ro', fs.dir]);
    try {
      const r = await init(dir, 'edge-6.test', '--force', '--json');
      expect(r.code, r.stdout).toBe(1);
      expect(r.json).toMatchObject({ code: 'READ_ONLY_FILESYSTEM' });
      expect(String(r.json!.message)).toContain(`the filesystem holding ${dir} is mounted read-only`);
      expect(snapshot(dir)).toEqual(before);
    } finally {
      await run('mount', ['-o', 'remount,rw', fs.dir]);
    }
  });
});

describe('temp files of a killed run', () => {
  /** What a run killed between writing its temp file and renaming it leaves: the SDK's own temp name, its process gone. */
  async function leftover(target: string): Promise<string> {
    const names = join(ROOT, 'packages/sdk/dist/fs/temp-names.js');
    const make = `const fs = await import('node:fs'); const p = m.sideName(${JSON.stringify(target)}, 'tmp'); fs.writeFileSync(p, ''); console.log(p);`;
    const script = `import(${JSON.stringify(names)}).then(async (m) => { ${make} });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => child.on('exit', r));
    return out.trim();
  }

  it.each([
    ['locally', () => [] as string[]],
    ['over SSH', ssh],
  ])('%s: are removed by the next run', async (_how, where) => {
    const dir = newDir();
    await stack(dir);
    const left = await leftover(join(dir, 'Caddyfile'));
    expect(existsSync(left)).toBe(true);
    const r = await init(dir, 'edge-4.test', '--force', ...where());
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(left)).toBe(false);
    expect(temps(dir)).toEqual([]);
  });
});

describe('temp files of the writers this one replaced', () => {
  it.each([
    ['locally', () => [] as string[]],
    ['over SSH', ssh],
  ])('%s: removed when older than ten minutes and their writer (where named) is gone; younger ones and live writers stay', async (_how, where) => {
    const dir = newDir();
    await stack(dir);
    const dead = spawnSync('true').pid; // a pid whose process has exited
    const old = new Date(Date.now() - 11 * 60_000);
    const make = (name: string, mtime?: Date) => {
      writeFileSync(join(dir, name), 'half-written');
      if (mtime) utimesSync(join(dir, name), mtime, mtime);
      return name;
    };
    const gone = [make(`.Caddyfile.${dead}.0badc0de.tmp`, old), make('.edge.env.0123456789ab.tmp', old)];
    const kept = [make('.edge.env.ba9876543210.tmp'), make(`.Caddyfile.${process.pid}.12345678.tmp`, old), make('.notes.tmp', old)].sort();
    const r = await init(dir, 'edge-7.test', '--force', ...where());
    expect(r.code, r.stderr).toBe(0);
    for (const name of gone) expect(existsSync(join(dir, name)), name).toBe(false);
    expect(temps(dir).sort()).toEqual(kept);
  });
});

describe('edge init --force without a token', () => {
  it('keeps the enrollment token of the existing .edge.env; a new token replaces it', async () => {
    const dir = newDir();
    await stack(dir);
    const r = await init(dir, 'edge-5.test', '--force', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({ token_source: 'kept' });
    expect((r.json!.warnings as Array<{ code: string }>).map((w) => w.code)).not.toContain('NO_ENROLLMENT_TOKEN');
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toContain(`EDGE_ENROLLMENT_TOKEN=${TOKEN}`);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    const other = 'bt_aNewTokenValue0123456789abcdef';
    const r2 = await init(dir, 'edge-5.test', '--force', '--token', other, '--json');
    expect(r2.code).toBe(0);
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toContain(`EDGE_ENROLLMENT_TOKEN=${other}`);
  });
});

describe('services plan onto a full disk', () => {
  it('exit 1, says the disk is full and where, every old file byte-identical (.central.env included), no temp file', async () => {
    const dir = newDir();
    const first = await sb.run(['services', 'plan', '--profile', 'billing-only', '--dir', dir]);
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot(dir);
    await fs.fill();
    try {
      const r = await sb.run(['services', 'plan', '--profile', 'control-core', '--include', 'purser', '--dir', dir, '--json']);
      expectDiskFull(r, dir);
      expect(snapshot(dir)).toEqual(before);
      expect(temps(dir)).toEqual([]);
    } finally {
      fs.unfill();
    }
  });
});
