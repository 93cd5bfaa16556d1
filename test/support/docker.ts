/**
 * The real Docker engine the e2e tests run against (`bash scripts/infra.sh up`), and the stand-in
 * images it holds. Nothing here talks to a system docker: the engine is a private dockerd on
 * unix://$FW_INFRA_STATE/docker.sock (default /tmp/frameworks-infra/docker.sock) with its own
 * data-root, bridge (fw-docker0) and address pools; a local registry serves 127.0.0.1:5000.
 *
 * The stand-ins (built by scripts/images/build.sh, no registry pull) are documented below as
 * constants, so edge tests match exactly what the images print and serve. test/e2e/compose-driver
 * checks these constants against the running images.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// ------------------------------------------------------------------ where the engine is

export const INFRA_STATE = process.env.FW_INFRA_STATE ?? '/tmp/frameworks-infra';
export const DOCKER_SOCKET = join(INFRA_STATE, 'docker.sock');
export const DOCKER_HOST = `unix://${DOCKER_SOCKET}`;
const INFRA_HINT = 'Start it with `bash scripts/infra.sh up` (private dockerd, compose v2 + v1, registry 127.0.0.1:5000, stand-in images).';

/** Environment for docker/compose calls: the private engine, never a system docker. */
export function dockerEnv(): Record<string, string> {
  return { DOCKER_HOST };
}

/** Run the docker CLI against the private engine. Throws with stderr on a non-zero exit. */
export async function docker(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
  try {
    const { stdout } = await run('docker', args, {
      env: { ...process.env, ...dockerEnv() },
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as Error & { stderr?: string; code?: number };
    throw new Error(`docker ${args.join(' ')} failed (exit ${e.code}): ${e.stderr?.trim() || e.message}`, { cause: error });
  }
}

// ------------------------------------------------------------------ images

export const REGISTRY = '127.0.0.1:5000';
export const REGISTRY_URL = `http://${REGISTRY}`;

/** The stand-in images in the engine (built by `docker import`, never pulled). */
export const IMAGES = {
  busybox: 'local/busybox:1',
  caddy: 'local/caddy:2.6.2',
  mistserver: 'local/mistserver:1',
  helmsman: 'local/helmsman:1',
  helmsman2: 'local/helmsman:2',
} as const;

/** The same images in the local registry (`compose pull` fetches these for real). */
export const REGISTRY_IMAGES = {
  busybox: `${REGISTRY}/edge/busybox:1`,
  caddy: `${REGISTRY}/edge/caddy:2.6.2`,
  mistserver: `${REGISTRY}/edge/mistserver:1`,
  helmsman: `${REGISTRY}/edge/helmsman:1`,
  helmsman2: `${REGISTRY}/edge/helmsman:2`,
} as const;

/**
 * local/caddy:2.6.2 — Debian's caddy 2.6.2 (dynamically linked; its libraries and the CA bundle are
 * in the image). Like the official caddy:2 image: XDG_DATA_HOME=/data, XDG_CONFIG_HOME=/config,
 * WORKDIR /srv, `caddy run --config /etc/caddy/Caddyfile --adapter caddyfile`. Its default
 * Caddyfile answers `:80` with 200 "caddy stand-in"; edge stacks mount their own. Caddy v2 spells
 * the directive `header` (not `headers`). With `tls internal` the root is /data/caddy/pki/authorities/local/root.crt.
 */
export const CADDY = {
  defaultBody: 'caddy stand-in',
  rootCert: '/data/caddy/pki/authorities/local/root.crt',
  caddyfile: '/etc/caddy/Caddyfile',
} as const;

/**
 * local/mistserver:1 — HTTP on :8080 (MIST_HTTP_PORT overrides). GET/HEAD only (else 405):
 *   /            200 text/plain "MistServer stand-in\n"
 *   /api, /api2  200 application/json {"active_streams":[],"streams":{},"standin":true}
 *   /health      200 text/plain "ok\n"  (the MVP Caddyfile proxies https://<domain>/health here)
 *   /view, /view/…  200 text/plain: "mistserver view <path as received>\nhost: <container hostname>\n
 *                   x-forwarded-proto: <header>\nx-forwarded-for: <header>\n" — shows what a proxy did
 *   anything else 404 application/json {"error":"not found","path":"<path>"}
 * Log line at start: level=info msg="MistServer stand-in listening" port=8080 version=1
 */
export const MISTSERVER = {
  port: 8080,
  rootBody: 'MistServer stand-in\n',
  apiBody: { active_streams: [], streams: {}, standin: true },
  healthBody: 'ok\n',
  viewPrefix: 'mistserver view ',
  logs: { listening: 'level=info msg="MistServer stand-in listening"' },
} as const;

/**
 * local/helmsman:1 and :2 — the Helmsman sidecar (contract §6), on :18007 (PORT overrides).
 *
 * Env it reads: EDGE_ENROLLMENT_TOKEN, NODE_ID, NODE_NAME, PORT, MISTSERVER_URL, FOGHORN_CONTROL_ADDR
 * (default foghorn:18019, only logged), and for tests ENROLL_DELAY_MS (default 1000),
 * ENROLL_RETRY_MS (default 5000), STANDIN_TENANT_ID (default below). It binds all interfaces
 * (HELMSMAN_BIND_ADDR is ignored).
 *
 * Start: `level=info msg="Helmsman starting" version=v1 port=18007 node_id=<pre-enrollment id>`,
 * where the pre-enrollment id is NODE_ID, else NODE_NAME, else the container hostname.
 * After ENROLL_DELAY_MS:
 *   - token set and not the literal `invalid` → enrollment succeeds; in this order:
 *       level=info msg="Helmsman registered" node_id=<pre id> foghorn_addr=<FOGHORN_CONTROL_ADDR>
 *       level=info msg="Edge node enrolled via Quartermaster" node_id=edge-YYMMDDhhmmss tenant_id=<tenant>
 *       level=info msg="Mist config reconcile succeeded" node_id=edge-YYMMDDhhmmss
 *     (/node/mode reports the canonical id before the "enrolled" line is printed; a restarted —
 *     not recreated — container keeps its id). In the real system the first two are Foghorn's lines.
 *   - no token, or `invalid` → every ENROLL_RETRY_MS, forever:
 *       level=warn msg="Edge enrollment failed; continuing without mapping" node_id=<pre id> error="no enrollment token"
 *     (error="invalid enrollment token" for `invalid`). The token itself is never printed.
 * On SIGTERM: level=info msg="Helmsman stopping" version=v1
 *
 * HTTP:
 *   GET|HEAD /health → 200 healthy / 503 unhealthy, JSON shaped like contract §2:
 *     {"status","service":"helmsman","version":"v1"|"v2","timestamp":<unix s>,"checks":{…}}
 *     checks.config: healthy when NODE_ID is set, or NODE_NAME and PORT both are (MVP's config
 *       check); otherwise unhealthy — as with the MVP compose template, which sets neither.
 *     checks.mistserver (only when MISTSERVER_URL is set): GET $MISTSERVER_URL/api must answer.
 *     checks.standin: unhealthy while the file /run/helmsman/force-unhealthy exists (touch it with exec).
 *   GET /node/mode → {"mode":"normal","node_id":"<pre id, or edge-… once enrolled>"}
 *   POST /node/mode {"mode":"normal|draining|maintenance","reason":"…"} → 200
 *     {"status":"requested","requested_mode":"<mode>","message":"Mode change to <mode> requested"}
 *     and the mode is applied at once (logged: msg="Operational mode change requested" mode=… reason=…);
 *     400 {"error":"invalid mode: <mode>"}; 503 {"error":"control stream not connected"} before enrollment.
 *   GET /metrics → text: helmsman_up 1, helmsman_info{version="v1"} 1
 *   anything else → 404 {"error":"not found","path":"<path>"}
 * :2 differs only by its version: "v2" in /health, /metrics and the start line.
 */
export const HELMSMAN = {
  port: 18007,
  versions: { [IMAGES.helmsman]: 'v1', [IMAGES.helmsman2]: 'v2' } as Record<string, string>,
  tenantId: '5eed0000-0000-4000-8000-000000000001',
  nodeIdPattern: /^edge-\d{12}$/,
  invalidToken: 'invalid',
  forceUnhealthyFile: '/run/helmsman/force-unhealthy',
  logs: {
    starting: 'level=info msg="Helmsman starting"',
    registered: 'level=info msg="Helmsman registered"',
    enrolled: 'level=info msg="Edge node enrolled via Quartermaster"',
    reconciled: 'level=info msg="Mist config reconcile succeeded"',
    enrollFailed: 'level=warn msg="Edge enrollment failed; continuing without mapping"',
    modeRequested: 'level=info msg="Operational mode change requested"',
    stopping: 'level=info msg="Helmsman stopping"',
  },
  errors: { noToken: 'error="no enrollment token"', invalidToken: 'error="invalid enrollment token"' },
} as const;

/**
 * Healthcheck commands for compose files. ⚠ busybox 1.35's `wget -T` segfaults: use these (the
 * healthcheck's own `timeout` bounds them), or `timeout N wget …`.
 */
export const HEALTHCHECKS = {
  helmsman: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:18007/health`],
  mistserver: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:8080/api`],
  caddy: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:80/`],
} as const;

// ------------------------------------------------------------------ is it up?

function ping(socket: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `answered /_ping with HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve(e.message));
    req.end();
  });
}

function imageExists(socket: string, ref: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: `/images/${encodeURIComponent(ref)}/json`, timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Why the engine cannot serve tests, or undefined when it can (daemon answers, stand-in images present). */
export async function dockerProblem(): Promise<string | undefined> {
  if (!existsSync(DOCKER_SOCKET)) return `no Docker engine socket at ${DOCKER_SOCKET}.`;
  const err = await ping(DOCKER_SOCKET);
  if (err) return `the Docker engine at ${DOCKER_HOST} does not answer (${err}).`;
  const missing: string[] = [];
  for (const ref of Object.values(IMAGES)) if (!(await imageExists(DOCKER_SOCKET, ref))) missing.push(ref);
  if (missing.length) return `the engine lacks the stand-in images ${missing.join(', ')}.`;
  return undefined;
}

/**
 * Decide whether a suite that needs the engine runs. In CI (process.env.CI set) it must: a missing
 * engine throws with the fix. Locally the suite is skipped and the reason printed.
 */
export async function requireDocker(suite: string): Promise<{ skip: boolean; reason?: string }> {
  const problem = await dockerProblem();
  if (!problem) return { skip: false };
  const message = `${suite}: ${problem} ${INFRA_HINT}`;
  if (process.env.CI) throw new Error(message);
  console.warn(`SKIPPING ${message}`);
  return { skip: true, reason: message };
}

/** Compose v1 (`docker-compose` 1.x) is optional: scripts/infra.sh installs it, other hosts may not have it. */
export async function composeV1Available(): Promise<boolean> {
  try {
    const { stdout } = await run('docker-compose', ['version', '--short'], { env: { ...process.env, ...dockerEnv() }, timeout: 30_000 });
    return /^1\./.test(stdout.trim());
  } catch {
    return false;
  }
}

/** Compose v2 (`docker compose` plugin). */
export async function composeV2Version(): Promise<string | undefined> {
  try {
    const { stdout } = await run('docker', ['compose', 'version', '--short'], { env: { ...process.env, ...dockerEnv() }, timeout: 30_000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ cleanup and helpers

/**
 * Remove everything a compose project left in the engine — containers (with their anonymous
 * volumes), named volumes and networks, found by the com.docker.compose.project label — whatever
 * the test did. Safe to call when nothing is left.
 */
export async function removeComposeProject(project: string): Promise<void> {
  const filter = `label=com.docker.compose.project=${project}`;
  const ids = (await docker(['ps', '-aq', '--filter', filter])).split('\n').filter(Boolean);
  if (ids.length) await docker(['rm', '-f', '-v', ...ids]);
  const volumes = (await docker(['volume', 'ls', '-q', '--filter', filter])).split('\n').filter(Boolean);
  if (volumes.length) await docker(['volume', 'rm', '-f', ...volumes]);
  const networks = (await docker(['network', 'ls', '-q', '--filter', filter])).split('\n').filter(Boolean);
  for (const n of networks) await docker(['network', 'rm', n]).catch(() => undefined);
}

/** Ports already handed out in this process: the kernel may give a just-closed port back on the next bind(0). */
const handedOut = new Set<number>();

/**
 * A TCP port that is free on 127.0.0.1 right now (bind port 0, read it, close) and not handed out before in
 * this process — two calls in a row (--http-port, --https-port) must never get the same one.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** A name unique to this run, for compose projects and registry repositories ([a-z0-9-]). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}${Math.random().toString(36).slice(2, 6)}`.toLowerCase();
}

// ------------------------------------------------------------------ the local registry

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

/** Tag a local image as 127.0.0.1:5000/<repo>:<tag> and push it; returns the registry's manifest digest. */
export async function pushToRegistry(localRef: string, repo: string, tag: string): Promise<string> {
  const ref = `${REGISTRY}/${repo}:${tag}`;
  await docker(['tag', localRef, ref]);
  await docker(['push', '-q', ref]);
  const digest = await registryDigest(repo, tag);
  if (!digest) throw new Error(`pushed ${ref} but the registry does not serve it`);
  return digest;
}

/** The manifest digest the registry serves for repo:tag, or undefined. */
export async function registryDigest(repo: string, tag: string): Promise<string | undefined> {
  const res = await fetch(`${REGISTRY_URL}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: MANIFEST_V2 } });
  return res.ok ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
}

/**
 * Point repo:toTag at the image repo:fromTag names — in the registry only, like a release being
 * published: engines that pulled repo:toTag before still have the old image until they pull.
 */
export async function retagInRegistry(repo: string, fromTag: string, toTag: string): Promise<string> {
  const get = await fetch(`${REGISTRY_URL}/v2/${repo}/manifests/${fromTag}`, { headers: { accept: MANIFEST_V2 } });
  if (!get.ok) throw new Error(`GET manifest ${repo}:${fromTag}: HTTP ${get.status}`);
  const body = Buffer.from(await get.arrayBuffer());
  const put = await fetch(`${REGISTRY_URL}/v2/${repo}/manifests/${toTag}`, {
    method: 'PUT',
    headers: { 'content-type': get.headers.get('content-type') ?? MANIFEST_V2 },
    body,
  });
  if (!put.ok) throw new Error(`PUT manifest ${repo}:${toTag}: HTTP ${put.status} ${await put.text()}`);
  return put.headers.get('docker-content-digest') ?? get.headers.get('docker-content-digest') ?? '';
}

/** Delete a test repository's tags from the registry (manifests; blobs are shared and stay). */
export async function deleteFromRegistry(repo: string, tags: string[]): Promise<void> {
  for (const tag of tags) {
    const digest = await registryDigest(repo, tag);
    if (digest) await fetch(`${REGISTRY_URL}/v2/${repo}/manifests/${digest}`, { method: 'DELETE' }).catch(() => undefined);
  }
}
