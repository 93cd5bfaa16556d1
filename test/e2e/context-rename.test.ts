// context current and context rename (issue 9, "First contact"): the name commands use, for scripts; a
// rename moves config and credentials together or not at all, the current context follows, and an
// existing name is refused.
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';

const sb = new CliSandbox('fw-e2e-rename-');
afterAll(() => sb.cleanup());
const cfg = () => join(sb.frameworksHome, 'config.yaml');
const creds = () => join(sb.frameworksHome, 'credentials.yaml');
const show = (r: CliResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
async function ok(args: string[], input?: string) {
  const r = await sb.run(args, input === undefined ? {} : { input });
  expect(r.code, show(r)).toBe(0);
  return r;
}

beforeAll(async () => {
  await ok(['context', 'init']);
  await ok(['context', 'create', 'staging', '--set', 'gateway=https://api.staging.example.com']);
  await ok(['login', '--service-token-stdin', '--context', 'staging'], 'fwk_staging_token_0123456789\n');
});

describe('context current', () => {
  it('prints just the name (for scripts), and --json where it came from', async () => {
    expect((await ok(['context', 'current'])).stdout).toBe('local\n');
    expect((await ok(['context', 'current', '--context', 'staging'])).stdout).toBe('staging\n');
    const env = await sb.run(['context', 'current', '--json'], { env: { FRAMEWORKS_CONTEXT: 'staging' } });
    expect(env.json).toMatchObject({ status: 0, result: { name: 'staging', source: 'env' } });
    const unknown = await sb.run(['context', 'current', '--context', 'nope']);
    expect(unknown.code).toBe(4);
  });
});

describe('context rename', () => {
  it('moves the context and its credentials; show, login state and endpoints follow', async () => {
    const r = await ok(['context', 'rename', 'staging', 'staging-eu', '--json']);
    expect(r.json!.result).toEqual({ from: 'staging', to: 'staging-eu', current: false, credentials_moved: true });
    const config = readFileSync(cfg(), 'utf8');
    expect(config).toMatch(/^\s+staging-eu:/m);
    expect(config).not.toMatch(/^\s+staging:/m);
    const credentials = readFileSync(creds(), 'utf8');
    expect(credentials).toMatch(/^\s+staging-eu:/m);
    expect(credentials).not.toMatch(/^\s+staging:/m);
    const shown = await ok(['context', 'show', 'staging-eu', '--json']);
    expect(JSON.stringify(shown.json!.result)).toContain('https://api.staging.example.com');
    const auth = await ok(['auth', 'status', '--context', 'staging-eu', '--json']);
    expect(JSON.stringify(auth.json!.result)).toContain('fwk_');
  });

  it('the current context follows the rename', async () => {
    await ok(['context', 'use', 'staging-eu']);
    const r = await ok(['context', 'rename', 'staging-eu', 'eu']);
    expect(r.stdout).toContain('Renamed context "staging-eu" to "eu" with its credentials; it is still the current context.');
    expect((await ok(['context', 'current'])).stdout).toBe('eu\n');
  });

  it('refuses a name that exists (exit 1), and an unknown context (exit 4, no "create" hint); nothing changes', async () => {
    const before = [readFileSync(cfg(), 'utf8'), readFileSync(creds(), 'utf8')];
    const taken = await sb.run(['context', 'rename', 'eu', 'local', '--json']);
    expect(taken.code).toBe(1);
    expect(taken.json).toMatchObject({ code: 'CONTEXT_EXISTS', message: 'Context "local" already exists; nothing was renamed.' });
    const missing = await sb.run(['context', 'rename', 'nope', 'other', '--json']);
    expect(missing.code).toBe(4);
    expect(missing.json).toMatchObject({ code: 'CONTEXT_NOT_FOUND' });
    expect(missing.json!.suggestions).not.toContain('frameworks context create nope');
    const invalid = await sb.run(['context', 'rename', 'eu', 'bad name']);
    expect(invalid.code).toBe(2);
    expect([readFileSync(cfg(), 'utf8'), readFileSync(creds(), 'utf8')]).toEqual(before);
  });

  it('all or nothing: when the credentials cannot be moved, config.yaml is not changed either', async () => {
    const before = readFileSync(cfg(), 'utf8');
    chmodSync(creds(), 0o640); // refused as insecure: the move fails before config.yaml is written
    try {
      const r = await sb.run(['context', 'rename', 'eu', 'europe', '--json']);
      expect(r.code, show(r)).toBe(4);
      expect(r.json).toMatchObject({ code: 'CREDENTIALS_INSECURE' });
      expect(readFileSync(cfg(), 'utf8')).toBe(before);
    } finally {
      chmodSync(creds(), 0o600);
    }
  });
});
