import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { IMAGES, REGISTRY_IMAGES, docker, dockerEnv } from '../support/docker.js';
import { edgeCliEnv, startEdgeStack } from '../support/edge-stack.js';

const COMPOSE = `services:
  caddy:
    image: ${REGISTRY_IMAGES.caddy}
    restart: unless-stopped
  mistserver:
    image: ${REGISTRY_IMAGES.mistserver}
    shm_size: 1g
  helmsman:
    image: '${REGISTRY_IMAGES.helmsman}'
    env_file: .edge.env
`;
const ENV = `EDGE_DOMAIN=edge.example.test\nCADDY_IMAGE=${REGISTRY_IMAGES.caddy}\nMISTSERVER_IMAGE=${REGISTRY_IMAGES.mistserver}\nHELMSMAN_IMAGE=${REGISTRY_IMAGES.helmsman}\n`;

describe('workspace use-local', () => {
  let sb: CliSandbox;
  const tag = `uselocal-${process.pid}`;

  beforeAll(async () => {
    sb = new CliSandbox('fw-wsuse-');
    await docker(['tag', IMAGES.helmsman, `frameworks-helmsman:${tag}`]);
    await docker(['tag', IMAGES.mistserver, `frameworks-mistserver:${tag}`]);
  });
  afterAll(async () => {
    await docker(['rmi', `frameworks-helmsman:${tag}`, `frameworks-mistserver:${tag}`]).catch(() => undefined);
    sb?.cleanup();
  });

  it('edge: compose image lines and .edge.env point at the local tags; --release restores the files byte for byte', async () => {
    const dir = join(sb.home, 'edge');
    mkdirSync(dir);
    writeFileSync(join(dir, 'docker-compose.edge.yml'), COMPOSE);
    writeFileSync(join(dir, '.edge.env'), ENV, { mode: 0o600 });
    const args = ['workspace', 'use-local', 'edge', '--dir', dir, '--helmsman-tag', tag, '--mist-tag', tag];
    const r = await sb.run([...args, '--json'], { env: dockerEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect((r.json!.result as { changes: unknown[] }).changes).toHaveLength(4);
    const compose = readFileSync(join(dir, 'docker-compose.edge.yml'), 'utf8');
    expect(compose).toContain(`  mistserver:\n    image: frameworks-mistserver:${tag}\n`);
    expect(compose).toContain(`  helmsman:\n    image: 'frameworks-helmsman:${tag}'\n`);
    expect(compose).toContain(`image: ${REGISTRY_IMAGES.caddy}`);
    const env = readFileSync(join(dir, '.edge.env'), 'utf8');
    expect(env).toContain(`HELMSMAN_IMAGE=frameworks-helmsman:${tag}\n`);
    expect(env).toContain(`CADDY_IMAGE=${REGISTRY_IMAGES.caddy}\n`);
    // Compose accepts the result and names the local images.
    const config = await docker(['compose', '-f', join(dir, 'docker-compose.edge.yml'), 'config', '--images']);
    expect(config).toContain(`frameworks-helmsman:${tag}`);

    const back = await sb.run(['workspace', 'use-local', 'edge', '--dir', dir, '--release'], { env: dockerEnv() });
    expect(back.code, back.stderr).toBe(0);
    expect(readFileSync(join(dir, 'docker-compose.edge.yml'), 'utf8')).toBe(COMPOSE);
    expect(readFileSync(join(dir, '.edge.env'), 'utf8')).toBe(ENV);
    expect(existsSync(join(dir, '.frameworks-use-local.json'))).toBe(false);

    const missing = await sb.run(['workspace', 'use-local', 'edge', '--dir', dir, '--helmsman-tag', `nope-${process.pid}`, '--json'], { env: dockerEnv() });
    expect(missing.code).toBe(1);
    expect(missing.json).toMatchObject({ code: 'LOCAL_IMAGE_NOT_FOUND' });
    expect(readFileSync(join(dir, 'docker-compose.edge.yml'), 'utf8')).toBe(COMPOSE);
  });

  it('services: a plan with no Helmsman or MistServer image is refused and left as it is', async () => {
    const dir = join(sb.home, 'central');
    mkdirSync(dir);
    const frag = 'services:\n  gateway:\n    image: "127.0.0.1:5000/central/gateway:1"\n';
    writeFileSync(join(dir, 'svc-gateway.yml'), frag);
    const r = await sb.run(['workspace', 'use-local', 'services', '--dir', dir, '--helmsman-tag', tag, '--json'], { env: dockerEnv() });
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'NOTHING_TO_POINT' });
    expect(readFileSync(join(dir, 'svc-gateway.yml'), 'utf8')).toBe(frag);
  });

  it('edge update then runs what was just built: the local tags are not pulled, the containers run them; --release goes back', async () => {
    const stack = await startEdgeStack(sb, { prefix: 'fw-uselocal' });
    try {
      const env = await edgeCliEnv();
      // Caddy from the local registry (pullable); Helmsman and MistServer are what use-local points at.
      for (const f of ['docker-compose.edge.yml', '.edge.env']) {
        const path = join(stack.dir, f);
        writeFileSync(path, readFileSync(path, 'utf8').split(IMAGES.caddy).join(REGISTRY_IMAGES.caddy));
      }
      const use = await sb.run(['workspace', 'use-local', 'edge', '--dir', stack.dir, '--helmsman-tag', tag, '--mist-tag', tag], { env });
      expect(use.code, use.stderr).toBe(0);
      const up = await sb.run(['edge', 'update', '--dir', stack.dir, '--json'], { env, timeoutMs: 150_000 });
      expect(up.code, up.stderr + up.stdout).toBe(0);
      const running = async (svc: string) => (await docker(['inspect', '--format', '{{.Config.Image}}', await stack.container(svc)])).trim();
      expect(await running('helmsman')).toBe(`frameworks-helmsman:${tag}`);
      expect(await running('mistserver')).toBe(`frameworks-mistserver:${tag}`);
      const back = await sb.run(['workspace', 'use-local', 'edge', '--dir', stack.dir, '--release'], { env });
      expect(back.code, back.stderr).toBe(0);
      expect(readFileSync(join(stack.dir, 'docker-compose.edge.yml'), 'utf8')).not.toContain('frameworks-helmsman');
    } finally {
      await stack.remove();
    }
  }, 240_000);
});
