/**
 * @frameworks/sdk/compose against the real engine of `bash scripts/infra.sh up`: a private dockerd,
 * the stand-in images, the local registry on 127.0.0.1:5000. The same flow runs with Compose v2
 * (the plugin) and, when installed, v1 (docker-compose 1.29): up --wait → ps by labels → enrollment
 * logs → streaming logs --follow → exec → pull of a tag moved in the registry → update → rollback
 * by recorded digest → down -v; then the error paths (daemon unreachable, bad/missing compose file,
 * failed pull with a secret in the output, no compose at all). Last, the same driver over SSH
 * (SshExecutor against a real sshd whose sessions get DOCKER_HOST through SetEnv).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor, clearSecrets, isFrameworksError, parseSshTarget, registerSecret, type FrameworksError } from '@frameworks/sdk';
import { ComposeProject, detectCompose, type ComposeInfo, type ComposeKind, type LogLine } from '@frameworks/sdk/compose';
import { closeAllSsh, connectSsh, type SshExecutor } from '@frameworks/sdk/ssh';
import { sshdAvailable, startSshd, type Sshd } from '../support/sshd.js';
import {
  DOCKER_HOST,
  HEALTHCHECKS,
  HELMSMAN,
  IMAGES,
  MISTSERVER,
  REGISTRY,
  composeV1Available,
  deleteFromRegistry,
  docker,
  dockerEnv,
  freePort,
  pushToRegistry,
  removeComposeProject,
  requireDocker,
  retagInRegistry,
  uniqueName,
} from '../support/docker.js';

const SUITE = 'test/e2e/compose-driver.test.ts';
const gate = await requireDocker(SUITE);
const v1Installed = !gate.skip && (await composeV1Available());
if (!gate.skip && !v1Installed) console.warn(`${SUITE}: Compose v1 (docker-compose 1.x) is not installed: the v1 flow is skipped.`);

const executor = new LocalExecutor();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<FrameworksError> {
  try {
    await p;
  } catch (err) {
    expect(isFrameworksError(err), String(err)).toBe(true);
    return err as FrameworksError;
  }
  throw new Error('expected a rejection');
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const COMPOSE_FILE = `services:
  mistserver:
    image: \${MIST_IMAGE}
    init: true
    ports: ["127.0.0.1:\${MIST_PORT}:8080"]
    healthcheck: {test: ${JSON.stringify(HEALTHCHECKS.mistserver)}, interval: 1s, timeout: 3s, retries: 30}
  helmsman:
    image: \${HELMSMAN_IMAGE}
    init: true
    environment:
      EDGE_ENROLLMENT_TOKEN: \${EDGE_ENROLLMENT_TOKEN}
      NODE_NAME: edge-e2e
      PORT: "18007"
      MISTSERVER_URL: http://mistserver:8080
      ENROLL_DELAY_MS: "1500"
    ports: ["127.0.0.1:\${HELMSMAN_PORT}:18007"]
    volumes: ["state:/var/lib/helmsman"]
    healthcheck: {test: ${JSON.stringify(HEALTHCHECKS.helmsman)}, interval: 1s, timeout: 3s, retries: 30}
volumes:
  state: {}
`;

const kinds: ComposeKind[] = ['v2', 'v1'];

describe.skipIf(gate.skip)('compose driver against the real engine', () => {
  afterAll(() => clearSecrets());

  it('detectCompose prefers v2 and reports which it found; no compose at all is a clear error', async () => {
    const found = await detectCompose(executor, { env: dockerEnv() });
    expect(found.kind).toBe('v2');
    expect(found.argv).toEqual(['docker', 'compose']);
    expect(found.dockerArgv).toEqual(['docker']);
    expect(found.version).toMatch(/^2\.\d+\.\d+/);
    if (v1Installed) {
      const v1 = await detectCompose(executor, { env: dockerEnv(), kind: 'v1' });
      expect(v1).toMatchObject({ kind: 'v1', argv: ['docker-compose'] });
      expect(v1.version).toMatch(/^1\.\d+\.\d+/);
    }
    const err = await rejection(detectCompose(executor, { env: { ...dockerEnv(), PATH: '/nonexistent' } }));
    expect(err.code).toBe('COMPOSE_NOT_FOUND');
    expect(err.message).toMatch(/docker compose: not installed/);
    expect(err.suggestions.join('\n')).toMatch(/Compose plugin/);
  });

  describe.each(kinds)('Compose %s', (kind) => {
    const skip = kind === 'v1' && !v1Installed;
    const name = uniqueName(`cd-${kind}`);
    const repo = `e2e/${name}/helmsman`;
    const imageRef = `${REGISTRY}/${repo}:current`;
    const token = `bt_${randomBytes(12).toString('hex')}`;
    let dir = '';
    let compose: ComposeInfo;
    let project: ComposeProject;
    let helmsmanUrl = '';
    let digestV1 = '';
    const env = (helmsmanImage: string, ports: { mist: number; helmsman: number }) =>
      [`MIST_IMAGE=${IMAGES.mistserver}`, `HELMSMAN_IMAGE=${helmsmanImage}`, `MIST_PORT=${ports.mist}`, `HELMSMAN_PORT=${ports.helmsman}`, `EDGE_ENROLLMENT_TOKEN=${token}`, ''].join('\n');
    let ports = { mist: 0, helmsman: 0 };

    beforeAll(async () => {
      if (skip || gate.skip) return;
      dir = mkdtempSync(join(tmpdir(), `fw-compose-${kind}-`));
      ports = { mist: await freePort(), helmsman: await freePort() };
      helmsmanUrl = `http://127.0.0.1:${ports.helmsman}`;
      writeFileSync(join(dir, 'docker-compose.test.yml'), COMPOSE_FILE);
      writeFileSync(join(dir, '.env.test'), env(imageRef, ports));
      digestV1 = await pushToRegistry(IMAGES.helmsman, repo, 'current');
      compose = await detectCompose(executor, { env: dockerEnv(), kind });
      project = new ComposeProject({ executor, compose, name, workingDir: dir, files: ['docker-compose.test.yml'], envFile: '.env.test', env: dockerEnv() });
    });

    afterAll(async () => {
      if (skip || gate.skip) return;
      await removeComposeProject(name);
      await deleteFromRegistry(repo, ['current', 'next']);
      await docker(['rmi', `${REGISTRY}/${repo}:current`, `${REGISTRY}/${repo}:next`]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(skip)('config() returns the merged model with the env file interpolated', async () => {
      const cfg = await project.config();
      expect(Object.keys(cfg.services).sort()).toEqual(['helmsman', 'mistserver']);
      expect(cfg.services.helmsman.image).toBe(imageRef);
      expect(cfg.services.mistserver.image).toBe(IMAGES.mistserver);
      expect(JSON.stringify(cfg.services.helmsman.ports)).toContain(String(ports.helmsman));
      expect((await project.services()).sort()).toEqual(['helmsman', 'mistserver']);
    });

    it.skipIf(skip)('up --wait brings both services up healthy; ps finds them by label with state, health and image', async () => {
      const progress: string[] = [];
      const containers = await project.up({ removeOrphans: true, wait: { timeoutMs: 60_000, onProgress: (s) => progress.push(JSON.stringify(s.pending)) } });
      expect(containers.map((c) => c.service)).toEqual(['helmsman', 'mistserver']);
      for (const c of containers) {
        expect(c, JSON.stringify(c)).toMatchObject({ project: name, state: 'running', health: 'healthy', number: 1, oneoff: false });
        expect(c.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(c.labels['com.docker.compose.service']).toBe(c.service);
        // v1 names containers proj_svc_1, v2 proj-svc-1: the driver never relies on either
        expect(c.name).toBe(kind === 'v1' ? `${name}_${c.service}_1` : `${name}-${c.service}-1`);
      }
      const h = containers.find((c) => c.service === 'helmsman')!;
      expect(h.image).toBe(imageRef);
      expect(h.digest).toBe(digestV1);
      expect(h.ports).toContainEqual({ containerPort: 18007, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: ports.helmsman });
      const health = await getJson(`${helmsmanUrl}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'healthy', service: 'helmsman', version: 'v1' });
      expect(Object.keys(health.body.checks as object).sort()).toEqual(['config', 'mistserver']);
      const mist = await fetch(`http://127.0.0.1:${ports.mist}/view/abc`);
      expect(await mist.text()).toContain(`${MISTSERVER.viewPrefix}/view/abc`);
      // a second up is a no-op that still reports the same containers
      const again = await project.up({ removeOrphans: true, wait: true });
      expect(again.map((c) => c.id)).toEqual(containers.map((c) => c.id));
    });

    it.skipIf(skip)('the helmsman stand-in enrolls: exact log lines in order, canonical node id on /node/mode, token never printed', async () => {
      let lines: LogLine[] = [];
      for (let i = 0; i < 50; i++) {
        lines = (await project.logs({ services: ['helmsman'] })).lines;
        if (lines.some((l) => l.text.startsWith(HELMSMAN.logs.reconciled))) break;
        await sleep(200);
      }
      const texts = lines.map((l) => l.text);
      const at = (prefix: string) => texts.findIndex((t) => t.startsWith(prefix));
      expect(at(HELMSMAN.logs.starting), texts.join('\n')).toBeGreaterThanOrEqual(0);
      expect(at(HELMSMAN.logs.registered)).toBeGreaterThan(at(HELMSMAN.logs.starting));
      expect(at(HELMSMAN.logs.enrolled)).toBeGreaterThan(at(HELMSMAN.logs.registered));
      expect(at(HELMSMAN.logs.reconciled)).toBeGreaterThan(at(HELMSMAN.logs.enrolled));
      expect(lines.every((l) => l.service === 'helmsman')).toBe(true);
      const enrolled = texts[at(HELMSMAN.logs.enrolled)];
      expect(enrolled).toContain(`tenant_id=${HELMSMAN.tenantId}`);
      const nodeId = /node_id=(\S+)/.exec(enrolled)![1];
      expect(nodeId).toMatch(HELMSMAN.nodeIdPattern);
      expect(texts.join('\n')).not.toContain(token);
      const mode = await getJson(`${helmsmanUrl}/node/mode`);
      expect(mode.body).toEqual({ mode: 'normal', node_id: nodeId });
    });

    it.skipIf(skip)('logs --follow delivers each line as it is written, before the process ends', async () => {
      const ac = new AbortController();
      const [a, b] = [`level=info msg="follow-a-${randomBytes(4).toString('hex')}"`, `level=info msg="follow-b-${randomBytes(4).toString('hex')}"`];
      const arrived = new Map<string, number>();
      let first: () => void = () => undefined;
      const attached = new Promise<void>((r) => (first = r));
      let ended = false;
      const following = project
        .logs({
          services: ['helmsman'],
          follow: true,
          tail: 1,
          signal: ac.signal,
          onLine: (l) => {
            first();
            for (const m of [a, b]) if (l.text === m && !arrived.has(m)) arrived.set(m, Date.now());
          },
        })
        .finally(() => (ended = true));
      await attached; // the last line of history came through: the follow is attached
      // PID 1 (docker-init) holds the container's log pipe: write there from an exec
      const execDone = project
        .exec('helmsman', ['sh', '-c', `echo '${a}' >/proc/1/fd/1; sleep 2; echo '${b}' >/proc/1/fd/1`])
        .then((r) => (expect(r.code).toBe(0), Date.now()));
      const finished = await execDone;
      for (let i = 0; i < 50 && !arrived.has(b); i++) await sleep(100);
      expect(arrived.get(a), 'line A arrived').toBeDefined();
      expect(arrived.get(b), 'line B arrived').toBeDefined();
      expect(finished - arrived.get(a)!, 'A arrived while the writer was still sleeping').toBeGreaterThan(1000);
      expect(ended).toBe(false);
      ac.abort();
      const result = await following;
      expect(result.aborted).toBe(true);
      expect(result.lines).toEqual([]); // delivered through onLine, not collected
    });

    it.skipIf(skip)('exec passes every argument intact, returns the exit status, feeds stdin; a missing service is an error', async () => {
      const tricky = ['a b', "it's", '$HOME', '"q"', '*', '; echo injected', ''];
      const r = await project.exec('helmsman', ['sh', '-c', 'printf "%s|" "$@"', 'sh', ...tricky]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(tricky.map((t) => `${t}|`).join(''));
      expect((await project.exec('helmsman', ['sh', '-c', 'exit 3'])).code).toBe(3);
      expect((await project.exec('helmsman', ['cat'], { input: 'hello\n' })).stdout).toBe('hello\n');
      expect((await project.exec('helmsman', ['cat', '/etc/standin/version'])).stdout.trim()).toBe('v1');
      const env = await project.exec('mistserver', ['sh', '-c', 'echo "$X" "$(pwd)"'], { env: { X: 'x y' }, workdir: '/tmp' });
      expect(env.stdout.trim()).toBe('x y /tmp');
      const err = await rejection(project.exec('nope', ['true']));
      expect(err.code).toBe('COMPOSE_SERVICE_NOT_RUNNING');
    });

    it.skipIf(skip)('update: pull fetches the tag moved in the registry, up recreates, imageDigests records both; rollback by digest', async () => {
      const before = await project.imageDigests();
      const h1 = before.find((s) => s.service === 'helmsman')!;
      expect(h1).toMatchObject({ image: imageRef, digest: digestV1, pinned: `${REGISTRY}/${repo}@${digestV1}`, state: 'running' });
      const m1 = before.find((s) => s.service === 'mistserver')!;
      expect(m1.digest).toBeUndefined(); // local/mistserver:1 was never pulled under that name
      expect(m1.pinned).toBe(m1.imageId);

      // publish "v2" under the same tag, in the registry only
      await pushToRegistry(IMAGES.helmsman2, repo, 'next');
      const digestV2 = await retagInRegistry(repo, 'next', 'current');
      expect(digestV2).not.toBe(digestV1);
      const idOf = async (ref: string) => (await docker(['image', 'inspect', '-f', '{{.Id}}', ref])).trim();
      const [v1Id, v2Id] = [await idOf(IMAGES.helmsman), await idOf(IMAGES.helmsman2)];
      expect(await idOf(imageRef)).toBe(v1Id); // the engine still has the old image under that tag

      await project.pull({ services: ['helmsman'] });
      expect(await idOf(imageRef)).toBe(v2Id); // pull really fetched the new manifest

      await project.up({ removeOrphans: true, wait: { timeoutMs: 60_000 } });
      expect((await getJson(`${helmsmanUrl}/health`)).body.version).toBe('v2');
      const h2 = (await project.imageDigests()).find((s) => s.service === 'helmsman')!;
      expect(h2).toMatchObject({ image: imageRef, digest: digestV2, imageId: v2Id });

      // roll back to what was recorded before the update
      writeFileSync(join(dir, '.env.test'), env(h1.pinned, ports));
      const back = await project.up({ removeOrphans: true, wait: { timeoutMs: 60_000 } });
      expect(back.find((c) => c.service === 'helmsman')).toMatchObject({ image: h1.pinned, digest: digestV1, imageId: v1Id });
      expect((await getJson(`${helmsmanUrl}/health`)).body.version).toBe('v1');
      writeFileSync(join(dir, '.env.test'), env(imageRef, ports));
    });

    it.skipIf(skip)('a pull the registry cannot serve fails with COMPOSE_PULL_FAILED and the secret in its output masked', async () => {
      const secret = `bt_${randomBytes(10).toString('hex')}`; // a valid repository name that is also a token
      registerSecret(secret);
      writeFileSync(join(dir, 'missing.yml'), `services:\n  ghost:\n    image: ${REGISTRY}/e2e/${secret}:1\n`);
      const ghost = new ComposeProject({ executor, compose, name: `${name}-ghost`, workingDir: dir, files: ['missing.yml'], env: dockerEnv() });
      const err = await rejection(ghost.pull());
      expect(err.code).toBe('COMPOSE_PULL_FAILED');
      expect(err.message).toContain('e2e/');
      expect(err.message).not.toContain(secret);
      expect(JSON.stringify(err.result)).not.toContain(secret);
      expect(err.suggestions.join('\n')).toMatch(/registry/);
    });

    it.skipIf(skip)('an unreachable daemon fails with DOCKER_UNAVAILABLE and a `docker info` hint (docker and compose calls)', async () => {
      const dead = new ComposeProject({
        executor,
        compose,
        name,
        workingDir: dir,
        files: ['docker-compose.test.yml'],
        envFile: '.env.test',
        env: { DOCKER_HOST: `unix://${dir}/no-such-engine.sock` },
      });
      for (const call of [() => dead.ps(), () => dead.up({ wait: true }), () => dead.down()]) {
        const err = await rejection(call());
        expect(err.code, err.message).toBe('DOCKER_UNAVAILABLE');
        expect(err.suggestions[0]).toMatch(/^docker info/);
        expect(err.message).toContain('no-such-engine.sock');
      }
    });

    it.skipIf(skip)('a bad compose file fails with COMPOSE_FILE_INVALID naming the file; a missing one with a --dir hint', async () => {
      writeFileSync(join(dir, 'bad-key.yml'), 'services:\n  web:\n    image: local/busybox:1\n    no_such_option: 1\n');
      writeFileSync(join(dir, 'bad-yaml.yml'), 'services:\n  web: [image: x\n');
      for (const file of ['bad-key.yml', 'bad-yaml.yml']) {
        const bad = new ComposeProject({ executor, compose, name: `${name}-bad`, workingDir: dir, files: [file], env: dockerEnv() });
        const err = await rejection(bad.config());
        expect(err.code, err.message).toBe('COMPOSE_FILE_INVALID');
        expect(err.exitCode).toBe(4);
        expect(err.message).toContain(join(dir, file));
        expect(err.suggestions[0]).toContain('config');
      }
      const missing = new ComposeProject({ executor, compose, name: `${name}-bad`, workingDir: join(dir, 'nowhere'), files: ['docker-compose.edge.yml'], env: dockerEnv() });
      const err = await rejection(missing.up());
      expect(err.code, err.message).toBe('COMPOSE_FILE_NOT_FOUND');
      expect(err.message).toContain(join(dir, 'nowhere', 'docker-compose.edge.yml'));
      expect(err.suggestions.join('\n')).toContain('--dir');
    });

    it.skipIf(skip)('down -v removes the containers, the network and the named volume', async () => {
      await project.down({ volumes: true, removeOrphans: true, stopTimeoutSec: 5 });
      expect(await project.ps()).toEqual([]);
      const filter = `label=com.docker.compose.project=${name}`;
      expect((await docker(['volume', 'ls', '-q', '--filter', filter])).trim()).toBe('');
      expect((await docker(['network', 'ls', '-q', '--filter', filter])).trim()).toBe('');
      await project.down({ volumes: true }); // idempotent
    });
  });

  describe.skipIf(!sshdAvailable())('over SSH', () => {
    const name = uniqueName('cd-ssh');
    let sshd: Sshd;
    let ssh: SshExecutor;
    let dir = '';
    let project: ComposeProject;
    let port = 0;

    beforeAll(async () => {
      // The remote login gets the private engine as its default docker, as a real host has /var/run/docker.sock.
      sshd = await startSshd({ setEnv: { DOCKER_HOST } });
      dir = mkdtempSync(join(tmpdir(), 'fw-compose-ssh-'));
      writeFileSync(join(dir, 'known_hosts'), `${sshd.knownHostsLine()}\n`);
      ssh = await connectSsh(parseSshTarget(`${sshd.user}@${sshd.host}:${sshd.port}`), {
        homeDir: sshd.home,
        knownHostsFile: join(dir, 'known_hosts'),
        sshConfigFile: join(dir, 'no-ssh-config'),
        systemSshConfigFile: null,
        globalKnownHostsFiles: [],
        env: {},
        identityFile: sshd.clientKey,
        connectTimeoutMs: 5000,
      });
      port = await freePort();
      const remoteDir = join(dir, 'edge dir'); // a space: every path must reach the remote shell quoted
      await ssh.run(['mkdir', '-p', remoteDir]);
      await ssh.writeFile(
        join(remoteDir, 'docker-compose.edge.yml'),
        `services:\n  helmsman:\n    image: ${IMAGES.helmsman}\n    init: true\n    environment: {NODE_ID: ssh-node, ENROLL_DELAY_MS: "200", EDGE_ENROLLMENT_TOKEN: "\${EDGE_ENROLLMENT_TOKEN}"}\n` +
          `    ports: ["127.0.0.1:${port}:18007"]\n    healthcheck: {test: ${JSON.stringify(HEALTHCHECKS.helmsman)}, interval: 1s, retries: 30}\n`,
      );
      await ssh.writeFile(join(remoteDir, '.edge.env'), 'EDGE_ENROLLMENT_TOKEN=invalid\n', 0o600);
      project = await ComposeProject.open({ executor: ssh, name, workingDir: remoteDir, files: ['docker-compose.edge.yml'], envFile: '.edge.env' });
    });

    afterAll(async () => {
      await removeComposeProject(name).catch(() => undefined);
      await ssh?.close();
      await closeAllSsh();
      await sshd?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('detects, ups, inspects, execs, follows logs and downs through the same API', async () => {
      expect((await project.compose()).kind).toBe('v2');
      const [c] = await project.up({ removeOrphans: true, wait: { timeoutMs: 60_000 } });
      expect(c).toMatchObject({ service: 'helmsman', state: 'running', health: 'healthy', name: `${name}-helmsman-1` });
      expect((await getJson(`http://127.0.0.1:${port}/node/mode`)).body).toEqual({ mode: 'normal', node_id: 'ssh-node' });

      const tricky = ['a b', "it's", '$(id)', '`id`', '"q"', '*', ''];
      const r = await project.exec('helmsman', ['sh', '-c', 'printf "%s|" "$@"', 'sh', ...tricky]);
      expect(r.stdout).toBe(tricky.map((t) => `${t}|`).join(''));

      // with the token `invalid`, the stand-in logs a failed enrollment every ENROLL_RETRY_MS (5 s):
      // follow until the first one arrives over the SSH channel, then stop the remote process
      const ac = new AbortController();
      let got: LogLine | undefined;
      const following = project.logs({
        services: ['helmsman'],
        follow: true,
        signal: ac.signal,
        onLine: (l) => {
          if (l.text.startsWith(HELMSMAN.logs.enrollFailed)) {
            got ??= l;
            ac.abort();
          }
        },
      });
      const result = await following;
      expect(result.aborted).toBe(true);
      expect(got?.text).toContain(HELMSMAN.errors.invalidToken);

      await project.down({ volumes: true });
      expect(await project.ps()).toEqual([]);
    });

    it('names the remote host in errors', async () => {
      const dead = new ComposeProject({ executor: ssh, compose: await project.compose(), name, workingDir: dir, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
      const err = await rejection(dead.ps());
      expect(err.code).toBe('DOCKER_UNAVAILABLE');
      expect(err.message).toContain(`on ${ssh.name}`);
      expect(err.suggestions[0]).toContain(`docker info on ${ssh.name}`);
    });
  });
});
