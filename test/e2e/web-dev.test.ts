// `frameworks web dev` and `marketing dev` run as a user would, against a REAL Vite dev server: two
// fixture apps (package.json with "dev": "vite", an index.html) whose node_modules link the vite this
// repository installs (a root devDependency), started in the background, reached over HTTP, stopped
// as a whole process group. Bad input: a port held by another program, `down` with nothing running,
// stale pid files (process gone, pid reused), a server that exits at once, a timeout, missing
// dependencies (and --install with npm, offline), a package manager that is not installed.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, ROOT, type CliResult } from '../support/cli.js';
import { freePort } from '../support/docker.js';
import { spawnCli } from '../support/spawn-cli.js';

interface UpResult {
  app: string;
  url: string;
  port: number;
  pid: number;
  pgid: number;
  dir: string;
  log: string;
  pid_file: string;
  package_manager: string;
  command: string[];
  gateway_url: string;
  already_running: boolean;
  http_status: number;
}

let sb: CliSandbox;
let tmp: string;
const GATEWAY = 'http://127.0.0.1:18555';
const env = { FRAMEWORKS_GATEWAY_URL: GATEWAY };
const run = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => sb.run(args, { env: { ...env, ...extra }, timeoutMs: 90_000 });
const result = <T = UpResult>(r: CliResult) => r.json!.result as T;
const devDir = () => join(sb.frameworksHome, 'dev');

/** Live members (zombies excluded: nobody here may reap them) of a process group, from /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z') out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Live processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z' && readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function get(url: string): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { error: String((err as Error).cause ?? err) };
  }
}

/** An app folder: package.json with the given scripts, an index.html, and node_modules linking this repo's vite. */
function fixture(name: string, scripts: Record<string, string>, o: { vite?: boolean; files?: Record<string, string>; pkg?: Record<string, unknown> } = {}): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', scripts, ...o.pkg }, null, 2));
  writeFileSync(join(dir, 'index.html'), `<!doctype html><html><body><h1>${name}-content</h1></body></html>\n`);
  for (const [file, text] of Object.entries(o.files ?? {})) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  if (o.vite !== false) {
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', 'vite'), join(dir, 'node_modules', 'vite'));
    symlinkSync('../vite/bin/vite.js', join(dir, 'node_modules', '.bin', 'vite'));
  }
  return dir;
}

// The app shows what it was started with: the variables the CLI passes (a Vite plugin answering /__env).
const ENV_PLUGIN = `export default { plugins: [{ name: 'env', configureServer(s) {
  s.middlewares.use('/__env', (_req, res) => res.end(JSON.stringify({ gateway: process.env.DEV_PROXY_GATEWAY_URL, port: process.env.PORT })));
} }] };
`;

let webApp: string;
let marketingApp: string;

beforeAll(() => {
  sb = new CliSandbox('fw-webdev-');
  tmp = mkdtempSync(join(tmpdir(), 'fw-webdev-apps-'));
  webApp = fixture('webapp', { dev: 'vite' }, { files: { 'vite.config.js': ENV_PLUGIN } });
  marketingApp = fixture('marketing', { dev: 'vite' });
});

afterAll(async () => {
  // Never leave a dev server behind, whatever failed.
  for (const app of ['web', 'marketing']) await run([app, 'dev', 'down']).catch(() => undefined);
  sb.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('web dev and marketing dev with a real Vite dev server', () => {
  it('up starts vite in the background and waits for HTTP; status, logs, down stop the whole group; both spellings', async () => {
    const port = await freePort();
    const up = await run(['web', 'dev', 'up', '--dir', webApp, '--port', String(port), '--json']);
    expect(up.code, up.stderr).toBe(0);
    const r = result(up);
    expect(r).toMatchObject({ app: 'web', url: `http://localhost:${port}/`, port, already_running: false, http_status: 200, package_manager: 'npm', gateway_url: GATEWAY });
    expect(r.pid_file).toBe(join(devDir(), 'web.pid'));
    expect(r.log).toBe(join(devDir(), 'web.log'));

    // The page is the fixture's, served by vite, and the app got the port and the context's gateway.
    const page = await get(r.url);
    expect(page).toMatchObject({ status: 200 });
    expect((page as { body: string }).body).toContain('webapp-content');
    expect((page as { body: string }).body).toContain('/@vite/client');
    const seen = await get(`${r.url}__env`);
    expect(JSON.parse((seen as { body: string }).body)).toEqual({ gateway: GATEWAY, port: String(port) });

    // Its own process group, with vite (a child of npm's shell) in it.
    expect(r.pgid).toBe(r.pid);
    const members = groupMembers(r.pgid);
    expect(members.length).toBeGreaterThanOrEqual(2);
    expect(members.some((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('vite'))).toBe(true);

    // The seed's colon spelling reaches the same command.
    const status = await run(['web:dev', 'status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(result(status)).toMatchObject({ running: true, pid: r.pid, port, url: r.url, answering: true, http_status: 200 });
    const text = await run(['web', 'dev', 'status']);
    expect(text.stdout).toMatch(/running: +yes \(pid \d+\)/);
    expect(text.stdout).toContain('HTTP 200');

    // A second up is an answer, not a second server.
    const again = await run(['web', 'dev', 'up', '--dir', webApp, '--port', String(port), '--json']);
    expect(result(again)).toMatchObject({ already_running: true, pid: r.pid });

    const logs = await run(['web:dev:logs', '-n', '50', '--json']);
    expect(logs.code).toBe(0);
    expect((result<{ lines: string[] }>(logs)).lines.join('\n')).toMatch(/VITE v\d+\.\d+\.\d+ +ready/);
    const logText = await run(['web', 'dev', 'logs', '-n', '3']);
    expect(logText.stdout.trim().split('\n').length).toBeLessThanOrEqual(3);
    // -f prints what the server writes next, until Ctrl-C (exit 130).
    const follow = spawnCli(['web', 'dev', 'logs', '-f', '-n', '1'], { ...sb.baseEnv, ...env });
    await follow.waitFor(/\n/);
    appendFileSync(r.log, 'a line written while following\n');
    await follow.waitFor(/a line written while following/);
    follow.child.kill('SIGINT');
    expect((await follow.done).code).toBe(130);

    const down = await run(['web', 'dev', 'down', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(result(down)).toMatchObject({ app: 'web', was_running: true, pid: r.pid, signal: 'SIGTERM' });
    expect(groupMembers(r.pgid)).toEqual([]);
    expect(existsSync(r.pid_file)).toBe(false);
    expect(await get(r.url)).toHaveProperty('error');
    const after = await run(['web', 'dev', 'status', '--json']);
    expect(result(after)).toMatchObject({ running: false, pid: null });

    // Audit lines for the two changes.
    const audit = readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { command: string; outcome: string });
    expect(audit.filter((a) => a.command === 'web:dev:up' || a.command === 'web:dev:down').map((a) => a.outcome)).toEqual(['ok', 'ok', 'ok']);
  });

  it('marketing runs beside web, each on its port with its own pid file and log', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const web = await run(['web', 'dev', 'up', '--dir', webApp, '--port', String(p1), '--json']);
    const mkt = await run(['marketing', 'dev', 'up', '--dir', marketingApp, '--port', String(p2), '--json']);
    expect(web.code, web.stderr).toBe(0);
    expect(mkt.code, mkt.stderr).toBe(0);
    expect(result(mkt)).toMatchObject({ app: 'marketing', port: p2, pid_file: join(devDir(), 'marketing.pid') });
    expect(((await get(result(mkt).url)) as { body: string }).body).toContain('marketing-content');
    expect(((await get(result(web).url)) as { body: string }).body).toContain('webapp-content');

    const down = await run(['marketing:dev', 'down']);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('Stopped the marketing site dev server');
    expect(groupMembers(result(mkt).pgid)).toEqual([]);
    // web is untouched by marketing's down.
    expect(groupMembers(result(web).pgid).length).toBeGreaterThan(0);
    expect((await run(['web', 'dev', 'down'])).code).toBe(0);
    expect(groupMembers(result(web).pgid)).toEqual([]);
  });

  it('--dry-run shows the command and environment and starts nothing', async () => {
    const port = await freePort();
    const r = await run(['web', 'dev', 'up', '--dir', webApp, '--port', String(port), '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`PORT=${port} DEV_PROXY_GATEWAY_URL=${GATEWAY}`);
    expect(r.stdout).toMatch(/npm run dev -- --port \d+/);
    expect(existsSync(join(devDir(), 'web.pid'))).toBe(false);
    expect(await get(`http://localhost:${port}/`)).toHaveProperty('error');
  });
});

describe('bad input', () => {
  let holder: Server;
  let heldPort: number;
  beforeAll(async () => {
    heldPort = await freePort();
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(heldPort, '127.0.0.1', resolve));
  });
  afterAll(() => holder.close());

  it('a port already in use names the process holding it (pid and command); nothing is started', async () => {
    rmSync(join(devDir(), 'web.log'), { force: true });
    const r = await run(['web', 'dev', 'up', '--dir', webApp, '--port', String(heldPort), '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'DEV_PORT_IN_USE' });
    const message = r.json!.message as string;
    expect(message).toContain(`Port ${heldPort} is already in use by pid ${process.pid} (`);
    expect(message).toContain(readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').split('\0')[0]);
    expect(r.json!.suggestions).toContain(`kill ${process.pid}   # then run up again`);
    expect(existsSync(join(devDir(), 'web.pid'))).toBe(false);
    expect(existsSync(join(devDir(), 'web.log'))).toBe(false);
  });

  it('down with nothing running: exit 0 and says so', async () => {
    const r = await run(['marketing', 'dev', 'down']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('The marketing site dev server is not running; nothing to stop.');
    const j = await run(['marketing', 'dev', 'down', '--json']);
    expect(result(j)).toMatchObject({ was_running: false, signal: 'none' });
  });

  it('a stale pid file (process gone, or its pid now another program) is detected, removed, said; nobody is killed', async () => {
    mkdirSync(devDir(), { recursive: true });
    const pidFile = join(devDir(), 'web.pid');
    const dead = spawnSync('true').pid!;
    const record = (pid: number, ticks: number) => JSON.stringify({ app: 'web', pid, pgid: pid, start_ticks: ticks, started_at: new Date().toISOString(), command: ['npm', 'run', 'dev'], port: 1, url: 'http://localhost:1/' });
    writeFileSync(pidFile, record(dead, 1));
    const status = await run(['web', 'dev', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(result(status)).toMatchObject({ running: false });
    expect(status.json!.warnings).toEqual([expect.objectContaining({ code: 'DEV_STALE_PID_FILE', message: expect.stringContaining(`pid ${dead} (npm run dev), but that process is gone`) })]);
    expect(existsSync(pidFile)).toBe(false);

    // This very test process, with another start time: a reused pid. down must not signal it.
    writeFileSync(pidFile, record(process.pid, 1));
    const down = await run(['web', 'dev', 'down']);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('that pid now belongs to another program');
    expect(down.stdout).toContain('not running; nothing to stop');
    expect(existsSync(pidFile)).toBe(false);

    // up goes ahead after cleaning one.
    writeFileSync(pidFile, record(dead, 1));
    const port = await freePort();
    const up = await run(['web', 'dev', 'up', '--dir', webApp, '--port', String(port), '--json']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json!.warnings).toEqual([expect.objectContaining({ code: 'DEV_STALE_PID_FILE' })]);
    expect((await run(['web', 'dev', 'down'])).code).toBe(0);
  });

  it('status of a server that runs but does not answer HTTP: a warning, and down stops its group', async () => {
    const sleeper = spawn('sh', ['-c', 'sleep 60 & wait'], { detached: true, stdio: 'ignore' });
    sleeper.unref();
    const pid = sleeper.pid!;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const port = await freePort();
    mkdirSync(devDir(), { recursive: true });
    const url = `http://localhost:${port}/`;
    writeFileSync(join(devDir(), 'marketing.pid'), JSON.stringify({ app: 'marketing', pid, pgid: pid, start_ticks: ticks, started_at: new Date().toISOString(), command: ['sh'], port, url, dir: tmp, log: join(devDir(), 'marketing.log') }));
    const status = await run(['marketing', 'dev', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(result(status)).toMatchObject({ running: true, pid, port, url, answering: false, http_status: null });
    expect(status.json!.warnings).toEqual([expect.objectContaining({ code: 'DEV_NOT_ANSWERING' })]);
    const down = await run(['marketing', 'dev', 'down', '--json']);
    expect(result(down)).toMatchObject({ was_running: true, pid, signal: 'SIGTERM' });
    expect(groupMembers(pid)).toEqual([]);
  });

  it('a dev server that exits at once: exit 1 with the last lines of its log, no pid file left', async () => {
    const dir = fixture('crashes', { dev: `node -e "console.error('boom: cannot read config'); process.exit(3)"` }, { vite: false, files: { 'node_modules/.keep': '' } });
    const r = await run(['web', 'dev', 'up', '--dir', dir, '--port', String(await freePort()), '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'DEV_SERVER_EXITED' });
    expect(r.json!.message).toContain('boom: cannot read config');
    expect(r.json!.detail).toContain('boom: cannot read config');
    expect(existsSync(join(devDir(), 'web.pid'))).toBe(false);
    const text = await run(['web', 'dev', 'up', '--dir', dir, '--port', String(await freePort())]);
    expect(text.stderr).toContain('✗ The web app dev server exited before it answered HTTP.');
  });

  it('a dev server that never answers: exit 6 after --timeout with its log, and it is stopped (group gone)', async () => {
    const marker = `fw-slow-${process.pid}-${Date.now()}`;
    const dir = fixture('slow', { dev: `node -e "console.log('starting slowly'); setInterval(() => {}, 1000)" ${marker}` }, { vite: false, files: { 'node_modules/.keep': '' } });
    const r = await run(['web', 'dev', 'up', '--dir', dir, '--port', String(await freePort()), '--timeout', '2s', '--json']);
    expect(r.code).toBe(6);
    expect(r.json).toMatchObject({ code: 'DEV_SERVER_TIMEOUT' });
    expect(r.json!.message).toMatch(/did not answer HTTP at http:\/\/localhost:\d+\/ within 2 s; it was stopped/);
    expect(r.json!.message).toContain('starting slowly');
    expect(processesWith(marker)).toEqual([]);
    expect(existsSync(join(devDir(), 'web.pid'))).toBe(false);
  });

  it('missing dependencies name --install; --install runs npm install (offline, a local package) and then the server', async () => {
    const server = "#!/usr/bin/env node\nconst port = process.argv[process.argv.indexOf('--port') + 1];\nrequire('node:http').createServer((q, s) => s.end('installed-ok')).listen(port, 'localhost');\n";
    const dir = fixture('needs-install', { dev: 'fw-mini-server' }, {
      vite: false,
      pkg: { type: 'commonjs', devDependencies: { 'fw-mini-server': 'file:./vendor/fw-mini-server' } },
      files: { 'vendor/fw-mini-server/package.json': JSON.stringify({ name: 'fw-mini-server', version: '1.0.0', bin: { 'fw-mini-server': 'server.js' } }), 'vendor/fw-mini-server/server.js': server },
    });
    const port = await freePort();
    const missing = await run(['marketing', 'dev', 'up', '--dir', dir, '--port', String(port), '--json']);
    expect(missing.code).toBe(1);
    expect(missing.json).toMatchObject({ code: 'DEV_DEPENDENCIES_MISSING' });
    expect(missing.json!.suggestions).toEqual(expect.arrayContaining([expect.stringMatching(/^frameworks marketing dev up --dir .* --install$/)]));

    const up = await run(['marketing', 'dev', 'up', '--dir', dir, '--port', String(port), '--install', '--json'], { npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' });
    expect(up.code, JSON.stringify(up.json)).toBe(0);
    expect(result(up).http_status).toBe(200);
    expect(existsSync(join(dir, 'node_modules', '.bin', 'fw-mini-server'))).toBe(true);
    expect(await get(`http://localhost:${port}/`)).toMatchObject({ status: 200, body: 'installed-ok' });
    expect((await run(['marketing', 'dev', 'down'])).code).toBe(0);
  });

  it('a lockfile of a package manager that is not installed: the fix is named, nothing started', async () => {
    const dir = fixture('pnpm-app', { dev: 'vite' }, { vite: false, files: { 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" } });
    const r = await run(['web', 'dev', 'up', '--dir', dir, '--port', String(await freePort()), '--json'], { PATH: join(tmp, 'no-such-bin') });
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'DEV_PACKAGE_MANAGER_MISSING', suggestions: ['corepack enable pnpm', 'npm install --global pnpm'] });
    expect(r.json!.message).toContain('pnpm is not installed');
    expect(r.json!.message).toContain('pnpm-lock.yaml');
  });

  it('no --dir and no workspace: exit 2 naming --dir; a folder that is not an app: exit 2', async () => {
    const none = await run(['web', 'dev', 'up', '--json']);
    expect(none.code).toBe(2);
    expect(none.json).toMatchObject({ code: 'DEV_DIR_REQUIRED' });
    const notApp = await run(['web', 'dev', 'up', '--dir', tmp, '--json']);
    expect(notApp.code).toBe(2);
    expect(notApp.json).toMatchObject({ code: 'DEV_APP_INVALID' });
  });
});
