// `frameworks edge init`, run as a user would (the built bin/run.js). The generated files are checked
// with the real `caddy validate`, the Compose JSON schema and `docker compose config -q`.
import { execFile, execSync } from 'node:child_process';
import { request } from 'node:https';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, ROOT, type CliResult } from '../support/cli.js';
import { composeV1Available, docker, dockerEnv, freePort, removeComposeProject, requireDocker, uniqueName } from '../support/docker.js';
import { caddyValidate, composeConfig, composeSchemaErrors } from '../../packages/plugin-edge/test/support/output-validators.js';

const FIXTURE = join(ROOT, 'test/fixtures/edge/release-manifest.yaml');
const SOURCE = join(ROOT, 'test/fixtures/edge/release');
const TOKEN = 'bt_e2eTokenValue0123456789abcdef';
/** This machine cannot grant nofile 1048576 (REAL-COMPONENTS.md): pass the hard limit, as real runs would. */
const NOFILE = execSync('ulimit -Hn', { shell: '/bin/sh', encoding: 'utf8' }).trim();

let sb: CliSandbox;
let n = 0;
/** A fresh edge folder (not created yet) in the sandbox. */
const newDir = () => join(sb.home, `edge-${++n}`);
const base = (dir: string) => ['edge', 'init', '--dir', dir, '--release-manifest', FIXTURE, '--allow-unpinned', '--nofile', NOFILE];
const baseArgs = base;
const acme = (dir: string, ...extra: string[]) => [...base(dir), '--domain', 'edge-1.example.com', '--email', 'ops@example.com', ...extra];

function snapshot(dir: string): Record<string, { data: string; mode: number; mtimeMs: number }> {
  const out: Record<string, { data: string; mode: number; mtimeMs: number }> = {};
  for (const name of readdirSync(dir)) {
    const st = statSync(join(dir, name));
    out[name] = { data: readFileSync(join(dir, name), 'latin1'), mode: st.mode & 0o777, mtimeMs: st.mtimeMs };
  }
  return out;
}

function expectNoSecret(r: CliResult): void {
  expect(r.stdout).not.toContain(TOKEN);
  expect(r.stderr).not.toContain(TOKEN);
}

beforeAll(() => {
  sb = new CliSandbox('fw-e2e-edge-init-');
});
afterAll(() => sb.cleanup());

describe('edge init: writes the four files', () => {
  it('creates .edge.env (0600), .edge.env.example, compose and Caddyfile; --json lists them', async () => {
    const dir = newDir();
    const r = await sb.run([...acme(dir, '--token', TOKEN), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectNoSecret(r);
    const result = r.json!.result as { files: Array<{ name: string; path: string; mode: string; bytes: number; action: string }>; images: Record<string, string>; host: string; dir: string };
    expect(result.host).toBe('local');
    expect(result.dir).toBe(dir);
    expect(result.images).toEqual({ caddy: 'local/caddy:2.6.2', mistserver: 'local/mistserver:1', helmsman: 'local/helmsman:1' });
    expect(result.files.map((f) => [f.name, f.mode, f.action])).toEqual([
      ['.edge.env', '0600', 'created'],
      ['.edge.env.example', '0644', 'created'],
      ['docker-compose.edge.yml', '0644', 'created'],
      ['Caddyfile', '0644', 'created'],
    ]);
    for (const f of result.files) {
      expect(f.path).toBe(join(dir, f.name));
      expect(statSync(f.path).mode & 0o777).toBe(Number.parseInt(f.mode, 8));
      expect(statSync(f.path).size).toBe(f.bytes);
    }
    const env = readFileSync(join(dir, '.edge.env'), 'utf8');
    expect(env).toContain(`EDGE_ENROLLMENT_TOKEN=${TOKEN}\n`);
    expect(env).toMatch(/^NODE_NAME=edge-1$/m);
    expect(env).toMatch(/^FOGHORN_CONTROL_ADDR=localhost:18019$/m);
    expect(env).toMatch(/^FOGHORN_HTTP_BASE=http:\/\/localhost:18008$/m);
    expect(env).toMatch(/^EDGE_NOFILE=\d+$/m);
    expect(readFileSync(join(dir, '.edge.env.example'), 'utf8')).toMatch(/^EDGE_ENROLLMENT_TOKEN=$/m);
    const warnings = (r.json!.warnings as Array<{ code: string }>).map((w) => w.code);
    expect(warnings).toEqual(expect.arrayContaining(['IMAGES_NOT_PINNED', 'FOGHORN_LOCALHOST']));
    // The audit line of this mutating command carries no token either.
    expect(readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8')).not.toContain(TOKEN);
  });

  it('the generated files pass caddy validate, the Compose schema and docker compose config', async () => {
    for (const args of [acme(newDir()), [...base(newDir()), '--domain', '203.0.113.7', '--tls', 'internal', '--bind', '127.0.0.1', '--http-port', '18080', '--https-port', '18443']]) {
      const dir = args[3];
      const r = await sb.run(args);
      expect(r.code, r.stderr).toBe(0);
      const caddy = caddyValidate(join(dir, 'Caddyfile'));
      expect(caddy.ok, caddy.output).toBe(true);
      const yaml = await import('js-yaml');
      expect(composeSchemaErrors(yaml.load(readFileSync(join(dir, 'docker-compose.edge.yml'), 'utf8')))).toEqual([]);
      const cfg = composeConfig(dir, 'docker-compose.edge.yml', 'frameworks-edge');
      if ('skipped' in cfg) console.log(`docker compose config not run: ${cfg.skipped}`);
      else expect(cfg.ok, cfg.output).toBe(true);
    }
  });

  it('human output: ✓ per file and Next hints; a second run reports unchanged and writes nothing', async () => {
    const dir = newDir();
    const first = await sb.run(acme(dir));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/✓ created\s+\S*\.edge\.env\s+0600/);
    expect(first.stdout).toMatch(/✓ created\s+\S*Caddyfile\s+0644/);
    expect(first.stderr).toContain(`Next: frameworks edge preflight --dir ${dir}`);
    expect(first.stderr).toContain(`frameworks edge enroll --dir ${dir}`);
    expect(first.stderr).toMatch(/No enrollment token was given/);
    const before = snapshot(dir);
    const again = await sb.run([...acme(dir), '--json']);
    expect(again.code).toBe(0);
    expect((again.json!.result as { files: Array<{ action: string }> }).files.map((f) => f.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(snapshot(dir)).toEqual(before);
  });

  it('--tls internal with an IP address, --token-stdin, canary channel, --image override, context endpoints', async () => {
    const dir = newDir();
    const r = await sb.run([...base(dir).filter((a) => a !== FIXTURE && a !== '--release-manifest'), '--release-source', SOURCE, '--domain', '203.0.113.7', '--tls', 'internal', '--channel', 'canary', '--token-stdin', '--image', 'mistserver=local/mistserver:dev', '--json'], {
      input: `${TOKEN}\n`,
      env: { FRAMEWORKS_FOGHORN_GRPC_URL: 'grpcs://foghorn.example.com:443', FRAMEWORKS_FOGHORN_HTTP_URL: 'https://foghorn.example.com' },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expectNoSecret(r);
    const env = readFileSync(join(dir, '.edge.env'), 'utf8');
    expect(env).toContain(`EDGE_ENROLLMENT_TOKEN=${TOKEN}\n`);
    expect(env).toMatch(/^FOGHORN_CONTROL_ADDR=foghorn\.example\.com:443$/m);
    expect(env).toMatch(/^GRPC_USE_TLS=true$/m);
    expect(env).toMatch(/^FOGHORN_HTTP_BASE=https:\/\/foghorn\.example\.com$/m);
    expect(env).toMatch(/^NODE_NAME=edge-203-0-113-7$/m);
    expect(env).toMatch(/^EDGE_TLS=internal$/m);
    expect(env).toMatch(/^ACME_EMAIL=$/m);
    const compose = readFileSync(join(dir, 'docker-compose.edge.yml'), 'utf8');
    expect(compose).toContain('image: "local/mistserver:dev"');
    expect(compose).toContain('image: "local/helmsman:2"');
    expect(readFileSync(join(dir, 'Caddyfile'), 'utf8')).toMatch(/^203\.0\.113\.7 \{\n\t# .*\n\ttls internal$/m);
  });

  it('--dry-run prints the files with the token masked and writes nothing', async () => {
    const dir = newDir();
    const r = await sb.run(acme(dir, '--token', TOKEN, '--dry-run'));
    expect(r.code, r.stderr).toBe(0);
    expectNoSecret(r);
    expect(existsSync(dir)).toBe(false);
    expect(r.stdout).toContain(`# ---- ${join(dir, '.edge.env')}  (0600,`);
    expect(r.stdout).toMatch(/would-create\)/);
    expect(r.stdout).toMatch(/^EDGE_ENROLLMENT_TOKEN=bt_e…cdef \(32 chars\)$/m);
    expect(r.stdout).toContain('services:');
    expect(r.stdout).toContain('edge-1.example.com {');
    expect(r.stderr).toContain('Dry run: nothing was written.');
    // Without a token there is nothing to mask: what --dry-run prints is exactly what a real run writes
    // (no line is mangled by output redaction).
    const blank = await sb.run(acme(dir, '--dry-run'));
    expect(blank.stdout).toMatch(/^EDGE_ENROLLMENT_TOKEN=$/m);
    expect((await sb.run(acme(dir))).code).toBe(0);
    for (const name of ['.edge.env', '.edge.env.example', 'docker-compose.edge.yml', 'Caddyfile']) {
      const header = `# ---- ${join(dir, name)}  (`;
      const start = blank.stdout.indexOf('\n', blank.stdout.indexOf(header)) + 1;
      const end = blank.stdout.indexOf('\n# ---- ', start);
      expect(blank.stdout.slice(start, end < 0 ? undefined : end).replace(/\n+$/, '')).toBe(readFileSync(join(dir, name), 'utf8').replace(/\n+$/, ''));
    }
    // Over existing files: a dry run reports the conflict (with the masked diff) and still writes nothing.
    const before = snapshot(dir);
    const json = await sb.run(acme(dir, '--token', TOKEN, '--dry-run', '--json'));
    expect(json.code).toBe(0);
    expectNoSecret(json);
    const result = json.json!.result as { dry_run: boolean; files: Array<{ action: string; diff?: string; content: string }> };
    expect(result.dry_run).toBe(true);
    expect(result.files.map((f) => f.action)).toEqual(['conflict', 'unchanged', 'unchanged', 'unchanged']);
    expect(result.files[0].diff).toMatch(/^\+EDGE_ENROLLMENT_TOKEN=bt_e…cdef \(32 chars\)$/m);
    expect(result.files[0].content).toMatch(/^EDGE_ENROLLMENT_TOKEN=bt_e…cdef \(32 chars\)$/m);
    expect((json.json!.warnings as Array<{ code: string }>).map((w) => w.code)).toContain('EDGE_FILES_EXIST');
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('edge init: existing files', () => {
  it('refuses without --force (exit 1, EDGE_FILES_EXIST, masked diff), leaves every file byte for byte; --force replaces', async () => {
    const dir = newDir();
    expect((await sb.run(acme(dir, '--token', TOKEN))).code).toBe(0);
    writeFileSync(join(dir, 'Caddyfile'), readFileSync(join(dir, 'Caddyfile'), 'utf8') + '# local edit\n');
    const before = snapshot(dir);
    const other = [...base(dir), '--domain', 'edge-2.example.com', '--email', 'ops@example.com', '--token', 'bt_anotherTokenValue9876543210zz'];

    const r = await sb.run(other);
    expect(r.code).toBe(1);
    // The compose file does not depend on the domain: it is identical, the other three differ.
    expect(r.stderr).toMatch(/✗ 3 files already exist in .* with other content \(\.edge\.env, \.edge\.env\.example, Caddyfile\)\. Nothing was written\./);
    expect(r.stderr).toMatch(/--force/);
    expect(r.stderr).toContain(`--- ${join(dir, '.edge.env')} (on disk)`);
    expect(r.stderr).toContain('-EDGE_DOMAIN=edge-1.example.com');
    expect(r.stderr).toContain('+EDGE_DOMAIN=edge-2.example.com');
    expect(r.stderr).toMatch(/^-EDGE_ENROLLMENT_TOKEN=bt_e…cdef \(32 chars\)$/m);
    expect(r.stderr).toMatch(/^\+EDGE_ENROLLMENT_TOKEN=bt_a…10zz \(32 chars\)$/m);
    expect(r.stderr).toContain('-# local edit');
    expect(r.stderr).toContain(' FOGHORN_CONTROL_ADDR=localhost:18019');
    expect(r.stderr).not.toContain('FOGH…');
    expectNoSecret(r);
    expect(r.stderr).not.toContain('bt_anotherTokenValue9876543210zz');
    expect(snapshot(dir)).toEqual(before);

    const j = await sb.run([...other, '--json']);
    expect(j.code).toBe(1);
    expect(j.json).toMatchObject({ status: 1, code: 'EDGE_FILES_EXIST' });
    const files = (j.json!.result as { files: Array<{ name: string; action: string; diff?: string }> }).files;
    expect(files.map((f) => f.action)).toEqual(['conflict', 'conflict', 'unchanged', 'conflict']);
    expect(files[0].diff).toContain('+EDGE_DOMAIN=edge-2.example.com');
    expect(j.stdout).not.toContain(TOKEN);
    expect(snapshot(dir)).toEqual(before);

    const forced = await sb.run([...other, '--force', '--json']);
    expect(forced.code, forced.stdout).toBe(0);
    expect((forced.json!.result as { files: Array<{ action: string }> }).files.map((f) => f.action)).toEqual(['replaced', 'replaced', 'unchanged', 'replaced']);
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toContain('EDGE_DOMAIN=edge-2.example.com');
    expect(statSync(join(dir, '.edge.env')).mode & 0o777).toBe(0o600);
  });

  it('one differing file blocks the others (all or nothing)', async () => {
    const dir = newDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'Caddyfile'), 'mine\n');
    const r = await sb.run(acme(dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Caddyfile already exists in .* Nothing was written/);
    expect(readdirSync(dir)).toEqual(['Caddyfile']);
    expect(readFileSync(join(dir, 'Caddyfile'), 'utf8')).toBe('mine\n');
  });
});

describe('edge init: bad input is refused before anything is written', () => {
  const cases: Array<[string, string[], number, string, RegExp]> = [
    ['a domain with a space', ['--domain', 'edge 1.example.com', '--email', 'ops@example.com'], 2, 'INVALID_DOMAIN', /a space/],
    ['a domain with a newline', ['--domain', 'edge.example.com\nevil.example.com {', '--email', 'ops@example.com'], 2, 'INVALID_DOMAIN', /a newline/],
    ['a domain with {', ['--domain', 'edge.example.com{', '--email', 'ops@example.com'], 2, 'INVALID_DOMAIN', /"\{"/],
    ['a domain with }', ['--domain', '}edge.example.com', '--email', 'ops@example.com'], 2, 'INVALID_DOMAIN', /"\}"/],
    ['a domain with $(...)', ['--domain', '$(touch /tmp/pwned).example.com', '--email', 'ops@example.com'], 2, 'INVALID_DOMAIN', /"\$"/],
    ['a wildcard domain', ['--domain', '*.example.com', '--email', 'ops@example.com'], 2, 'INVALID_DOMAIN', /wildcard/],
    ['an IP address with ACME', ['--domain', '203.0.113.7', '--email', 'ops@example.com'], 2, 'INVALID_DOMAIN', /IP address.*DNS names only/],
    ['a reserved TLD with ACME', ['--domain', 'edge.test', '--email', 'ops@example.com'], 2, 'INVALID_DOMAIN', /reserved/],
    ['an email without @', ['--domain', 'edge.example.com', '--email', 'ops.example.com'], 2, 'INVALID_EMAIL', /no @/],
    ['an email with a space', ['--domain', 'edge.example.com', '--email', 'ops @example.com'], 2, 'INVALID_EMAIL', /a space/],
    ['an email with a newline', ['--domain', 'edge.example.com', '--email', 'ops@example.com\n}'], 2, 'INVALID_EMAIL', /a newline/],
    ['an email with a brace', ['--domain', 'edge.example.com', '--email', 'ops{x}@example.com'], 2, 'INVALID_EMAIL', /"\{"/],
    ['no email with ACME', ['--domain', 'edge.example.com'], 2, 'MISSING_EMAIL', /--email is required/],
    ['a token with whitespace', ['--domain', 'edge.example.com', '--email', 'ops@example.com', '--token', 'abc def'], 2, 'INVALID_TOKEN', /whitespace|a space/],
    ['an unknown channel', ['--domain', 'edge.example.com', '--email', 'ops@example.com', '--release-source', SOURCE, '--channel', 'nightly'], 2, 'UNKNOWN_CHANNEL', /Unknown channel "nightly".*canary, stable/],
    ['a bad --image', ['--domain', 'edge.example.com', '--email', 'ops@example.com', '--image', 'mistserver=local/mistserver'], 2, 'INVALID_IMAGE', /no tag or digest/],
    ['a bad --tls', ['--domain', 'edge.example.com', '--tls', 'dns'], 2, 'USAGE', /acme, internal/],
  ];
  // Independent runs in separate folders: run a few at once (local expect, as concurrent tests need).
  it.concurrent.for(cases)('%s', async ([, args, exit, code, message], { expect }) => {
    const dir = newDir();
    // A case with its own release source leaves out the fixture's --release-manifest (which would win).
    const base = (d: string) => baseArgs(d).filter((a, i, all) => !args.includes('--release-source') || (a !== FIXTURE && all[i + 1] !== FIXTURE));
    const r = await sb.run([...base(dir), ...args, '--json']);
    expect(r.code, r.stdout).toBe(exit);
    expect(r.json).toMatchObject({ status: exit, code });
    expect(String(r.json!.message)).toMatch(message);
    expect(existsSync(dir)).toBe(false);
    // Human form: the same message on stderr, nothing on stdout.
    const h = await sb.run([...base(dir), ...args]);
    expect(h.code).toBe(exit);
    expect(h.stdout).toBe('');
    expect(h.stderr).toMatch(/^✗ /);
  });

  it('a domain with a trailing dot is accepted without the dot (with a warning)', async () => {
    const dir = newDir();
    const r = await sb.run([...base(dir), '--domain', 'Edge-1.Example.com.', '--email', 'ops@example.com', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect((r.json!.result as { domain: string }).domain).toBe('edge-1.example.com');
    expect((r.json!.warnings as Array<{ code: string; message: string }>).find((w) => w.code === 'DOMAIN_NORMALISED')?.message).toMatch(/trailing dot removed/);
    expect(readFileSync(join(dir, 'Caddyfile'), 'utf8')).toMatch(/^edge-1\.example\.com \{$/m);
  });

  it('an invalid release manifest: exit 4 naming the file and the key path', async () => {
    const dir = newDir();
    const bad = join(sb.home, 'bad-release.yaml');
    writeFileSync(bad, 'platform_version: v1\ngit_commit: abc\nrelease_date: "2026-01-01T00:00:00Z"\nservices:\n  - { name: caddy, image: local/caddy, tag: "2.6.2" }\n  - { name: mistserver, image: local/mistserver, tag: "1", digest: "sha256:nope" }\n  - { image: local/helmsman, tag: "1" }\n');
    const r = await sb.run(['edge', 'init', '--dir', dir, '--release-manifest', bad, '--domain', 'edge.example.com', '--email', 'ops@example.com']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(bad.replace(sb.home, '~'));
    expect(r.stderr).toContain('services[1].digest: "sha256:nope" is not a digest');
    expect(r.stderr).toContain('services[2].name: is required');
    const y = join(sb.home, 'broken.yaml');
    writeFileSync(y, 'channels: [\n');
    const r2 = await sb.run(['edge', 'init', '--dir', dir, '--release-manifest', y, '--domain', 'edge.example.com', '--email', 'ops@example.com', '--json']);
    expect(r2.code).toBe(4);
    expect(r2.json).toMatchObject({ code: 'RELEASE_MANIFEST_INVALID' });
    expect(String(r2.json!.message)).toMatch(/broken\.yaml is invalid: not valid YAML \(line \d+, column \d+\)/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('edge init: the generated stack runs', () => {
  it('docker-compose v1 accepts the file (no `version:` key, project name from -p)', async (ctx) => {
    if (!(await composeV1Available())) {
      if (process.env.CI) throw new Error('docker-compose v1 is missing: bash scripts/infra.sh up installs it');
      console.log('docker-compose v1 not installed: skipped');
      ctx.skip();
    }
    const dir = newDir();
    expect((await sb.run(acme(dir))).code).toBe(0);
    const { stdout } = await promisify(execFile)('docker-compose', ['-p', 'frameworks-edge', '-f', 'docker-compose.edge.yml', 'config'], { cwd: dir, env: { ...process.env, ...dockerEnv() } });
    expect(stdout).toContain('image: local/caddy:2.6.2');
    expect(stdout).toMatch(/shm_size: '?1g'?/);
  });

  it('comes up healthy on the stand-in images; /health through Caddy is Helmsman\'s', { timeout: 180_000 }, async (ctx) => {
    const gate = await requireDocker('edge init stack');
    if (gate.skip) ctx.skip();
    const dir = newDir();
    const project = uniqueName('fw-edge-init');
    const [http, https] = [await freePort(), await freePort()];
    const r = await sb.run([...base(dir), '--domain', 'edge.test', '--tls', 'internal', '--bind', '127.0.0.1', '--http-port', String(http), '--https-port', String(https), '--project', project, '--token', TOKEN]);
    expect(r.code, r.stderr).toBe(0);
    const compose = (...args: string[]) => docker(['compose', '-p', project, '-f', join(dir, 'docker-compose.edge.yml'), ...args], { timeoutMs: 150_000 });
    try {
      await compose('up', '-d', '--wait');
      const ps = (await compose('ps', '--format', 'json')).trim().split('\n').map((l) => JSON.parse(l) as { Service: string; Health: string });
      expect(Object.fromEntries(ps.map((c) => [c.Service, c.Health]))).toEqual({ caddy: 'healthy', helmsman: 'healthy', mistserver: 'healthy' });
      const health = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: https, path: '/health', servername: 'edge.test', headers: { host: 'edge.test' }, rejectUnauthorized: false, timeout: 10_000 }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject).on('timeout', () => req.destroy(new Error('timeout'))).end();
      });
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ service: 'helmsman', status: 'healthy', checks: { config: { status: 'healthy' }, mistserver: { status: 'healthy' } } });
    } finally {
      await removeComposeProject(project);
    }
  });
});
