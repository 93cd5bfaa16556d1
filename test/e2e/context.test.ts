import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';

let sb: CliSandbox;
const cfg = () => join(sb.frameworksHome, 'config.yaml');
const auditLines = () => readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

beforeAll(() => {
  sb = new CliSandbox();
});
afterAll(() => sb.cleanup());

describe('context lifecycle', () => {
  it('init writes a 0600 config in a 0700 folder and is idempotent', async () => {
    const first = await sb.run(['context', 'init', '--json']);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ status: 0, result: { written: true, current: 'local' }, warnings: [] });
    expect(statSync(cfg()).mode & 0o777).toBe(0o600);
    expect(statSync(sb.frameworksHome).mode & 0o777).toBe(0o700);
    expect(readFileSync(cfg(), 'utf8')).toContain('gateway: http://localhost:18000');
    const again = await sb.run(['context', 'init']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Already initialised');
  });

  it('--json writes exactly one JSON document to stdout and nothing else', async () => {
    const r = await sb.run(['context', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.json?.result).toMatchObject({ configured: true, current: 'local', contexts: [{ name: 'local', current: true }] });
  });

  it('create, use, show, set-url, list', async () => {
    expect((await sb.run(['context', 'create', 'prod', '--set', 'gateway=https://api.example.com', '--description', 'production'])).code).toBe(0);
    expect((await sb.run(['context', 'use', 'prod'])).code).toBe(0);
    const setUrl = await sb.run(['context', 'set-url', 'decklog-grpc', 'grpcs://decklog.example.com:18006', '--json']);
    expect(setUrl.json).toMatchObject({ status: 0, result: { context: 'prod', service: 'decklog-grpc', url: 'grpcs://decklog.example.com:18006' } });
    const show = await sb.run(['context', 'show', '--json']);
    const endpoints = (show.json!.result as { endpoints: Array<{ service: string; url: string; source: string }> }).endpoints;
    expect(endpoints.find((e) => e.service === 'gateway')).toMatchObject({ url: 'https://api.example.com', source: 'config' });
    expect(endpoints.find((e) => e.service === 'decklog-grpc')?.url).toBe('grpcs://decklog.example.com:18006');
    // The settings other commands default from: shown when set (text and --json), null when not.
    expect((show.json!.result as Record<string, unknown>)).toMatchObject({ release: { source: null, public_key: null }, workspace_dir: null, infra_dir: null });
    for (const [key, value] of [['workspace.dir', '/srv/ws'], ['infra.dir', '/srv/infra'], ['release.source', 'https://releases.example.com/fw']]) {
      expect((await sb.run(['context', 'set', 'prod', key, value])).code).toBe(0);
    }
    const shown = await sb.run(['context', 'show', '--json']);
    expect(shown.json!.result).toMatchObject({ release: { source: 'https://releases.example.com/fw', public_key: null }, workspace_dir: '/srv/ws', infra_dir: '/srv/infra' });
    const text = await sb.run(['context', 'show']);
    expect(text.stdout).toMatch(/release source:\s+https:\/\/releases\.example\.com\/fw/);
    expect(text.stdout).toMatch(/workspace:\s+\/srv\/ws/);
    expect(text.stdout).toMatch(/infra dir:\s+\/srv\/infra/);
    const list = await sb.run(['context', 'list']);
    expect(list.stdout).toMatch(/\*\s+prod\s+https:\/\/api\.example\.com/);
    expect(list.stdout).toContain('production');
  });

  it('creating an existing context fails without touching the file', async () => {
    const before = readFileSync(cfg(), 'utf8');
    const r = await sb.run(['context', 'create', 'prod']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already exists');
    expect(readFileSync(cfg(), 'utf8')).toBe(before);
  });

  it('precedence: --context > FRAMEWORKS_CONTEXT > current', async () => {
    const show = async (args: string[], env: Record<string, string> = {}) =>
      ((await sb.run(['context', 'show', '--json', ...args], { env })).json!.result as { name: string; selected_by: string });
    expect(await show([])).toMatchObject({ name: 'prod', selected_by: 'config' });
    expect(await show([], { FRAMEWORKS_CONTEXT: 'local' })).toMatchObject({ name: 'local', selected_by: 'env' });
    expect(await show(['--context', 'prod'], { FRAMEWORKS_CONTEXT: 'local' })).toMatchObject({ name: 'prod', selected_by: 'flag' });
  });

  it('precedence: FRAMEWORKS_<SERVICE>_URL overrides the file, the file overrides defaults', async () => {
    const r = await sb.run(['context', 'show', '--json'], { env: { FRAMEWORKS_GATEWAY_URL: 'http://override:1' } });
    const endpoints = (r.json!.result as { endpoints: Array<{ service: string; url: string; source: string; env?: string }> }).endpoints;
    expect(endpoints.find((e) => e.service === 'gateway')).toMatchObject({ url: 'http://override:1', source: 'env', env: 'FRAMEWORKS_GATEWAY_URL' });
    const local = await sb.run(['context', 'show', 'local', '--json']);
    const purser = (local.json!.result as { endpoints: Array<{ service: string; source: string }> }).endpoints.find((e) => e.service === 'purser');
    expect(purser?.source).toBe('config');
  });

  it('delete refuses to prompt without a TTY, then deletes with --yes', async () => {
    await sb.run(['context', 'create', 'tmp']);
    const refused = await sb.run(['context', 'delete', 'tmp', '--json']);
    expect(refused.code).toBe(2);
    expect(refused.json).toMatchObject({ status: 2, code: 'INPUT_REQUIRED', suggestions: ['frameworks context delete tmp --json --yes'] });
    const ok = await sb.run(['context', 'delete', 'tmp', '--yes']);
    expect(ok.code).toBe(0);
    expect(readFileSync(cfg(), 'utf8')).not.toMatch(/^\s+tmp:/m);
  });

  it('records mutating commands in the audit log, one JSON line each', async () => {
    const lines = auditLines();
    const setUrl = lines.find((l) => l.command === 'context:set-url');
    expect(setUrl).toMatchObject({ outcome: 'ok', exit_code: 0, context: 'prod', targets: ['prod:decklog-grpc'] });
    expect(typeof setUrl.user).toBe('string');
    expect(typeof setUrl.duration_ms).toBe('number');
    expect(lines.some((l) => l.command === 'context:create' && l.outcome === 'failed')).toBe(true);
    expect(lines.some((l) => l.command === 'context:list')).toBe(false);
  });
});

describe('bad input', () => {
  it('an unknown context is exit 4 with the fix', async () => {
    const r = await sb.run(['context', 'show', '--context', 'prdo', '--json']);
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ status: 4, name: 'ConfigError', code: 'CONTEXT_NOT_FOUND' });
    expect(r.json!.message).toContain('Did you mean "prod"?');
    expect(r.json!.suggestions).toContain('frameworks context show prod');
    const use = await sb.run(['context', 'use', 'nope']);
    expect(use.code).toBe(4);
    expect(use.stderr).toContain('Context "nope"');
    const env = await sb.run(['context', 'show'], { env: { FRAMEWORKS_CONTEXT: 'ghost' } });
    expect(env.code).toBe(4);
    expect(env.stderr).toContain('from FRAMEWORKS_CONTEXT');
  });

  it('an unknown service key in set-url is a usage error (exit 2), file untouched', async () => {
    const before = readFileSync(cfg(), 'utf8');
    const r = await sb.run(['context', 'set-url', 'gatway', 'http://x:1', '--json']);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ status: 2, code: 'USAGE' });
    expect(String(r.json!.message)).toContain('gateway');
    expect(readFileSync(cfg(), 'utf8')).toBe(before);
  });

  it('an invalid URL is exit 2 with an example, file untouched', async () => {
    const before = readFileSync(cfg(), 'utf8');
    for (const [svc, url] of [['gateway', 'localhost:18000'], ['gateway', 'http://bad host'], ['decklog-grpc', 'decklog'], ['signalman-ws', 'ftp://x']]) {
      const r = await sb.run(['context', 'set-url', svc, url]);
      expect(r.code, `${svc} ${url}`).toBe(2);
      expect(r.stderr).toContain(`Invalid URL for ${svc}`);
      expect(r.stderr).toContain('Next:');
    }
    expect(readFileSync(cfg(), 'utf8')).toBe(before);
  });

  it('a malformed YAML config: exit 4 naming the file and line, file untouched, for readers and writers', async () => {
    const other = new CliSandbox();
    try {
      mkdirSync(other.frameworksHome, { recursive: true, mode: 0o700 });
      const path = join(other.frameworksHome, 'config.yaml');
      const broken = 'version: 1\ncurrent: local\ncontexts:\n  local:\n    endpoints: {gateway: http://x:1\n';
      writeFileSync(path, broken, { mode: 0o600 });
      const mtime = statSync(path).mtimeMs;
      for (const args of [['context', 'list'], ['context', 'set-url', 'gateway', 'http://y:1'], ['context', 'use', 'local'], ['login', '--service-token', 'abcdefgh123']]) {
        const r = await other.run([...args, '--json']);
        expect(r.code, args.join(' ')).toBe(4);
        expect(r.json).toMatchObject({ status: 4, code: 'CONFIG_MALFORMED' });
        expect(String(r.json!.message)).toMatch(/config\.yaml is not valid YAML \(line \d+, column \d+\)/);
      }
      expect(readFileSync(path, 'utf8')).toBe(broken);
      expect(statSync(path).mtimeMs).toBe(mtime);
      // --force is the documented way out.
      expect((await other.run(['context', 'init', '--force'])).code).toBe(0);
      expect((await other.run(['context', 'list'])).code).toBe(0);
    } finally {
      other.cleanup();
    }
  });

  it('a schema violation names the key path (exit 4)', async () => {
    const other = new CliSandbox();
    try {
      mkdirSync(other.frameworksHome, { recursive: true, mode: 0o700 });
      writeFileSync(join(other.frameworksHome, 'config.yaml'), 'version: 1\ncontexts:\n  local:\n    endpoints:\n      gateway: 42\n      quartermastr: http://x:1\n');
      const r = await other.run(['context', 'list']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('contexts.local.endpoints.gateway');
      expect(r.stderr).toContain('contexts.local.endpoints.quartermastr: unknown key');
    } finally {
      other.cleanup();
    }
  });

  it('an endpoint whose scheme is now refused: exit 4 naming the repair; set-url and delete repair it, other problems stay exit 4', async () => {
    const other = new CliSandbox();
    try {
      mkdirSync(other.frameworksHome, { recursive: true, mode: 0o700 });
      const path = join(other.frameworksHome, 'config.yaml');
      const good = 'version: 1\ncurrent: local\ncontexts:\n  local:\n    endpoints:\n      gateway: http://gw.example:18000\n';
      const brokenProd = '  prod:\n    endpoints:\n      signalman-ws: https://sig.example:18009\n      purser: 42\n';
      writeFileSync(path, good + brokenProd, { mode: 0o600 });
      const list = await other.run(['context', 'list', '--json']);
      expect(list.code).toBe(4);
      expect(list.json).toMatchObject({ code: 'CONFIG_INVALID' });
      expect(list.json!.suggestions).toEqual(expect.arrayContaining([
        'frameworks context set-url signalman-ws wss://sig.example:18009 --context prod',
        'frameworks context set-url purser http://localhost:18003 --context prod',
      ]));

      // Setting one broken endpoint while another one stays broken: exit 4, nothing written.
      const before = readFileSync(path, 'utf8');
      const mtime = statSync(path).mtimeMs;
      const partial = await other.run(['context', 'set-url', 'signalman-ws', 'wss://sig.example:18009', '--context', 'prod', '--json']);
      expect(partial.code).toBe(4);
      expect(String(partial.json!.message)).toContain('contexts.prod.endpoints.purser');
      // A problem elsewhere (another context) is not repaired by setting this endpoint either.
      const elsewhere = await other.run(['context', 'set-url', 'gateway', 'http://gw2.example:18000', '--context', 'local']);
      expect(elsewhere.code).toBe(4);
      expect(readFileSync(path, 'utf8')).toBe(before);
      expect(statSync(path).mtimeMs).toBe(mtime);

      // One broken endpoint left: set-url on exactly that endpoint repairs the file.
      writeFileSync(path, good + '  prod:\n    endpoints:\n      signalman-ws: https://sig.example:18009\n', { mode: 0o600 });
      expect((await other.run(['context', 'list'])).code).toBe(4);
      const fix = await other.run(['context', 'set-url', 'signalman-ws', 'wss://sig.example:18009', '--context', 'prod', '--json']);
      expect(fix.code, fix.stderr).toBe(0);
      expect(fix.json).toMatchObject({ result: { context: 'prod', service: 'signalman-ws', url: 'wss://sig.example:18009' } });
      const show = await other.run(['context', 'list', '--json']);
      expect(show.code).toBe(0);
      expect(readFileSync(path, 'utf8')).toContain('gateway: http://gw.example:18000');

      // A context whose endpoints are broken can be deleted; the current one is repaired through its own endpoint.
      writeFileSync(path, good + brokenProd, { mode: 0o600 });
      const del = await other.run(['context', 'delete', 'prod', '--yes']);
      expect(del.code, del.stderr).toBe(0);
      expect((await other.run(['context', 'list'])).code).toBe(0);
      writeFileSync(path, 'version: 1\ncurrent: local\ncontexts:\n  local:\n    endpoints:\n      signalman-ws: http://sig.example:18009\n', { mode: 0o600 });
      expect((await other.run(['context', 'set-url', 'signalman-ws', 'ws://sig.example:18009'])).code).toBe(0);
      expect((await other.run(['context', 'list'])).code).toBe(0);
    } finally {
      other.cleanup();
    }
  });

  it('a group-readable credentials file is refused with the chmod fix', async () => {
    expect((await sb.run(['login', '--service-token-stdin'], { input: 'svc-token-for-perms-test\n' })).code).toBe(0);
    const creds = join(sb.frameworksHome, 'credentials.yaml');
    expect(statSync(creds).mode & 0o777).toBe(0o600);
    chmodSync(creds, 0o640);
    try {
      const r = await sb.run(['auth', 'status', '--json']);
      expect(r.code).toBe(4);
      expect(r.json).toMatchObject({ code: 'CREDENTIALS_INSECURE', suggestions: [`chmod 600 ${creds}`] });
      expect(r.json!.message).toContain('Rotate the tokens it holds');
    } finally {
      chmodSync(creds, 0o600);
    }
    expect((await sb.run(['logout'])).code).toBe(0);
  });

  it('unknown flags and commands are usage errors', async () => {
    const flag = await sb.run(['context', 'list', '--bogus', '--json']);
    expect(flag.code).toBe(2);
    expect(flag.json).toMatchObject({ status: 2, code: 'USAGE' });
    const cmd = await sb.run(['contxt', 'list']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('"contxt list" is not a frameworks command');
    expect(cmd.stderr).toContain('Did you mean "context list"?');
    expect(cmd.stderr).toMatch(/Next: frameworks context list\n/);
    const json = await sb.run(['context', 'lst', '--json']);
    expect(json.code).toBe(2);
    expect(json.json).toMatchObject({ status: 2, code: 'COMMAND_NOT_FOUND' });
  });
});

describe('concurrency', () => {
  it('50 concurrent set-url calls: no lost update, a valid file afterwards', async () => {
    const other = new CliSandbox();
    try {
      mkdirSync(other.frameworksHome, { recursive: true, mode: 0o700 });
      const names = Array.from({ length: 50 }, (_, i) => `c${i}`);
      writeFileSync(
        join(other.frameworksHome, 'config.yaml'),
        `version: 1\ncurrent: c0\ncontexts:\n${names.map((n) => `  ${n}: {endpoints: {}}`).join('\n')}\n`,
        { mode: 0o600 },
      );
      const results = await Promise.all(
        names.map((n, i) => other.run(['context', 'set-url', 'gateway', `http://host-${i}.example:18000`, '--context', n], { timeoutMs: 60_000 })),
      );
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const list = await other.run(['context', 'list', '--json']);
      expect(list.code).toBe(0);
      const contexts = (list.json!.result as { contexts: Array<{ name: string; gateway: string }> }).contexts;
      for (const [i, n] of names.entries()) expect(contexts.find((c) => c.name === n)?.gateway).toBe(`http://host-${i}.example:18000`);
      expect(existsSync(join(other.frameworksHome, 'config.yaml.lock'))).toBe(false);
    } finally {
      other.cleanup();
    }
  }, 120_000);
});
