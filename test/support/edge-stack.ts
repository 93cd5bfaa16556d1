/**
 * An edge stack for the `edge status|logs|cert|doctor` e2e suites: `frameworks edge init` (fixture
 * release manifest: the stand-in images; `tls internal` for edge.test; free ports on 127.0.0.1; a
 * unique project), brought up with Compose v2 (`docker compose up -d --wait`) or v1
 * (`docker-compose up -d`, then polled), on the private engine of scripts/infra.sh.
 *
 * Health checks are shortened (every 1 s, 2 retries) so "touch the force-unhealthy file → unhealthy"
 * takes seconds, not the 30 s of the production timing; nothing else of the generated files changes.
 *
 * Also: the SSH side of those suites — an sshd whose sessions start in a chosen folder (~/.bashrc of the sessions),
 * and ~/.ssh/config aliases in the sandbox HOME, so `--ssh alias --dir <relative>` lands on a stack
 * (or, for another sshd, on a folder without one).
 */
import { execFile, execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CliSandbox } from './cli.js';
import { DOCKER_HOST, HELMSMAN, docker, dockerEnv, freePort, removeComposeProject, uniqueName } from './docker.js';
import { ROOT } from './cli.js';
import { startSshd, type Sshd } from './sshd.js';

const run = promisify(execFile);
export const FIXTURE = join(ROOT, 'test/fixtures/edge/release-manifest.yaml');
export const TOKEN = 'bt_e2eTokenValue0123456789abcdef';
export const DOMAIN = 'edge.test';
/** This machine cannot grant nofile 1048576: pass the hard limit, as real test hosts would. */
export const NOFILE = execSync('ulimit -Hn', { shell: '/bin/sh', encoding: 'utf8' }).trim();
const COMPOSE_FILE = 'docker-compose.edge.yml';

export interface EdgeStackFixture {
  dir: string;
  project: string;
  httpPort: number;
  httpsPort: number;
  kind: 'v2' | 'v1';
  /** `docker compose` (or docker-compose for v1) on this project, private engine. */
  compose(...args: string[]): Promise<string>;
  /** docker exec in the service's container. */
  exec(service: string, argv: string[]): Promise<string>;
  container(service: string): Promise<string>;
  /** Wait until the service's container reports this health status. */
  waitHealth(service: string, status: 'healthy' | 'unhealthy', timeoutMs?: number): Promise<void>;
  forceUnhealthy(on: boolean): Promise<void>;
  /** POST /node/mode inside helmsman: it logs `Operational mode change requested` (and needs enrollment done). */
  requestMode(mode: string, reason: string): Promise<string>;
  remove(): Promise<void>;
}

/** `edge init` only (no containers): enough for cert tests that dial their own TLS server. */
export async function initEdgeDir(sb: CliSandbox, dir: string, o: { project?: string; httpPort?: number; httpsPort?: number; token?: string } = {}): Promise<void> {
  const r = await sb.run([
    'edge', 'init', '--dir', dir, '--release-manifest', FIXTURE, '--allow-unpinned', '--nofile', NOFILE,
    '--domain', DOMAIN, '--tls', 'internal', '--bind', '127.0.0.1',
    '--http-port', String(o.httpPort ?? (await freePort())), '--https-port', String(o.httpsPort ?? (await freePort())),
    '--project', o.project ?? uniqueName('fw-edge'), ...(o.token ? ['--token', o.token] : []),
  ]);
  if (r.code !== 0) throw new Error(`edge init failed (exit ${r.code}): ${r.stderr}`);
}

/** Shorten the generated health checks (test timing only). */
async function fastHealthchecks(dir: string): Promise<void> {
  const yaml = await import('js-yaml');
  const path = join(dir, COMPOSE_FILE);
  const doc = yaml.load(readFileSync(path, 'utf8')) as { services: Record<string, { healthcheck?: Record<string, unknown> }> };
  for (const s of Object.values(doc.services)) if (s.healthcheck) Object.assign(s.healthcheck, { interval: '1s', timeout: '3s', retries: 2, start_period: '30s' });
  writeFileSync(path, yaml.dump(doc, { forceQuotes: true, quoteStyle: 'double', lineWidth: -1, noRefs: true }));
}

export async function startEdgeStack(sb: CliSandbox, o: { kind?: 'v2' | 'v1'; prefix?: string; dir?: string } = {}): Promise<EdgeStackFixture> {
  const kind = o.kind ?? 'v2';
  const project = uniqueName(o.prefix ?? 'fw-edge');
  const dir = o.dir ?? join(sb.home, project);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  await initEdgeDir(sb, dir, { project, httpPort, httpsPort, token: TOKEN });
  await fastHealthchecks(dir);
  const prefix = ['-p', project, '-f', join(dir, COMPOSE_FILE), '--env-file', join(dir, '.edge.env')];
  const compose = async (...args: string[]) => {
    if (kind === 'v2') return docker(['compose', ...prefix, ...args], { timeoutMs: 110_000 });
    const { stdout } = await run('docker-compose', [...prefix, ...args], { env: { ...process.env, ...dockerEnv() }, timeout: 110_000 });
    return stdout;
  };
  const container = async (service: string) => {
    const id = (await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`])).trim().split('\n')[0];
    if (!id) throw new Error(`no container for ${service} in ${project}`);
    return id;
  };
  const waitHealth = async (service: string, status: 'healthy' | 'unhealthy', timeoutMs = 40_000) => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = (await docker(['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{end}}', await container(service)])).trim();
      if (last === status) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${project}/${service} is "${last}", not ${status}, after ${timeoutMs} ms`);
  };
  const fixture: EdgeStackFixture = {
    dir,
    project,
    httpPort,
    httpsPort,
    kind,
    compose,
    container,
    exec: async (service, argv) => docker(['exec', await container(service), ...argv]),
    waitHealth,
    forceUnhealthy: async (on) => {
      await docker(['exec', await container('helmsman'), ...(on ? ['touch', HELMSMAN.forceUnhealthyFile] : ['rm', '-f', HELMSMAN.forceUnhealthyFile])]);
    },
    requestMode: async (mode, reason) =>
      docker(['exec', await container('helmsman'), 'wget', '-qO-', '--header', 'Content-Type: application/json', '--post-data', JSON.stringify({ mode, reason }), `http://127.0.0.1:${HELMSMAN.port}/node/mode`]),
    remove: () => removeComposeProject(project),
  };
  try {
    if (kind === 'v2') await compose('up', '-d', '--wait');
    else await compose('up', '-d');
    await Promise.all(['caddy', 'mistserver', 'helmsman'].map((s) => waitHealth(s, 'healthy', 60_000)));
    // Enrollment (ENROLL_DELAY_MS 1 s) gives Helmsman its canonical id; /node/mode POSTs need it.
    const deadline = Date.now() + 20_000;
    while (!/"node_id":"edge-\d{12}"/.test(await fixture.exec('helmsman', ['wget', '-qO-', `http://127.0.0.1:${HELMSMAN.port}/node/mode`]).catch(() => ''))) {
      if (Date.now() > deadline) throw new Error('helmsman did not enroll within 20 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (err) {
    await removeComposeProject(project).catch(() => undefined);
    throw err;
  }
  return fixture;
}

/** Environment of CLI runs against the private engine; Quartermaster and the gateway point at nothing (no stray stand-in). */
export async function edgeCliEnv(): Promise<Record<string, string>> {
  const dead = `http://127.0.0.1:${await freePort()}`;
  return { DOCKER_HOST, FRAMEWORKS_QUARTERMASTER_URL: dead, FRAMEWORKS_GATEWAY_URL: dead };
}

/** Every compose v1 call of the CLI: a `docker` on PATH that refuses `compose`, so detection falls back to docker-compose 1.x. */
export function v1OnlyPath(home: string): string {
  const bin = join(home, 'v1-only-bin');
  mkdirSync(bin, { recursive: true });
  const real = execSync('command -v docker', { shell: '/bin/sh', encoding: 'utf8' }).trim();
  writeFileSync(
    join(bin, 'docker'),
    `#!/bin/sh\nif [ "$1" = compose ]; then echo "docker: 'compose' is not a docker command." >&2; exit 1; fi\nexec ${real} "$@"\n`,
    { mode: 0o755 },
  );
  return `${bin}:${process.env.PATH}`;
}

export interface SshSide {
  sshd: Sshd;
  /** The folder its sessions start in (relative --dir resolves there). */
  cwd: string;
  stop(): Promise<void>;
}

/**
 * An sshd (test/support/sshd.ts) whose sessions start in `cwd`: bash run by sshd for a command
 * reads ~/.bashrc (not BASH_ENV), and the sessions' HOME is the sshd's own throw-away folder, so a
 * `cd` there moves only these sessions. They get the private DOCKER_HOST.
 */
export async function sshdIn(cwd: string): Promise<SshSide> {
  const sshd = await startSshd({ setEnv: { DOCKER_HOST } });
  writeFileSync(join(sshd.home, '.bashrc'), `cd ${JSON.stringify(cwd)} || exit 1\n`);
  return { sshd, cwd, stop: () => sshd.stop() };
}

/** ~/.ssh/config of the sandbox: one Host block per alias, all with the sshd's client key; new host keys are accepted. */
export function writeSshConfig(sb: CliSandbox, aliases: Record<string, Sshd>): void {
  const ssh = join(sb.home, '.ssh');
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  const blocks = Object.entries(aliases).map(([alias, s]) =>
    [`Host ${alias}`, `  HostName ${s.host}`, `  Port ${s.port}`, `  User ${s.user}`, `  IdentityFile ${s.clientKey}`, '  StrictHostKeyChecking accept-new', ''].join('\n'),
  );
  writeFileSync(join(ssh, 'config'), blocks.join('\n'), { mode: 0o600 });
}
