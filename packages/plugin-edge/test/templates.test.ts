import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EDGE_ENV_KEYS, composeDocument, renderCaddyfile, renderCompose, renderEdgeEnv, renderEdgeFiles, type EdgeSettings } from '../src/templates/index.js';
import { maskEnvSecrets, parseEdgeEnv } from '../src/lib/edge-env.js';
import { caddyValidate, composeConfig, composeSchemaErrors } from './support/output-validators.js';

const tmp = mkdtempSync(join(tmpdir(), 'fw-templates-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TOKEN = 'bt_0123456789abcdefghijklmnop';

function settings(over: Partial<EdgeSettings> = {}): EdgeSettings {
  return {
    domain: 'edge-1.example.com',
    domainKind: 'dns',
    email: 'ops@example.com',
    tls: 'acme',
    token: TOKEN,
    nodeName: 'edge-1',
    foghorn: { controlAddr: 'foghorn.example.com:18019', httpBase: 'https://foghorn.example.com', tls: true },
    release: { channel: 'stable', version: '2025.09.1', refs: { caddy: 'caddy:2.10.0', mistserver: 'livepeerframeworks/mistserver:1', helmsman: `livepeerframeworks/helmsman@sha256:${'b'.repeat(64)}` } },
    mistShmSize: '1g',
    nofile: 1048576,
    bind: '0.0.0.0',
    httpPort: 80,
    httpsPort: 443,
    project: 'frameworks-edge',
    ...over,
  };
}

async function loadYaml(text: string, schema?: 'yaml11'): Promise<Record<string, unknown>> {
  const yaml = await import('js-yaml');
  return yaml.load(text, schema ? { schema: yaml.YAML11_SCHEMA } : {}) as Record<string, unknown>;
}

describe('.edge.env', () => {
  it('has every key, the token, NODE_NAME, and parses back', () => {
    const env = parseEdgeEnv(renderEdgeEnv(settings()));
    expect(Object.keys(env)).toEqual([...EDGE_ENV_KEYS]);
    expect(env).toMatchObject({
      EDGE_ENROLLMENT_TOKEN: TOKEN,
      FOGHORN_CONTROL_ADDR: 'foghorn.example.com:18019',
      FOGHORN_HTTP_BASE: 'https://foghorn.example.com',
      GRPC_USE_TLS: 'true',
      NODE_NAME: 'edge-1',
      EDGE_DOMAIN: 'edge-1.example.com',
      ACME_EMAIL: 'ops@example.com',
      EDGE_TLS: 'acme',
      EDGE_PROJECT: 'frameworks-edge',
      EDGE_CHANNEL: 'stable',
      EDGE_RELEASE: '2025.09.1',
      CADDY_IMAGE: 'caddy:2.10.0',
      MIST_SHM_SIZE: '1g',
      EDGE_NOFILE: '1048576',
      EDGE_BIND: '0.0.0.0',
      EDGE_HTTP_PORT: '80',
      EDGE_HTTPS_PORT: '443',
    });
  });

  it('the example has the same keys with the token blank', () => {
    const text = renderEdgeEnv(settings(), { example: true });
    expect(text).not.toContain(TOKEN);
    const env = parseEdgeEnv(text);
    expect(Object.keys(env)).toEqual([...EDGE_ENV_KEYS]);
    expect(env.EDGE_ENROLLMENT_TOKEN).toBe('');
    expect(env.EDGE_DOMAIN).toBe('edge-1.example.com');
  });

  it('masks secrets for display, leaves the rest', () => {
    const masked = maskEnvSecrets(renderEdgeEnv(settings()));
    expect(masked).not.toContain(TOKEN);
    expect(masked).toMatch(/^EDGE_ENROLLMENT_TOKEN=bt_0…mnop \(29 chars\)$/m);
    expect(masked).toContain('EDGE_DOMAIN=edge-1.example.com');
    expect(maskEnvSecrets('EDGE_ENROLLMENT_TOKEN=short\n')).toBe('EDGE_ENROLLMENT_TOKEN=**** (5 chars)\n');
    expect(maskEnvSecrets('EDGE_ENROLLMENT_TOKEN=\n')).toBe('EDGE_ENROLLMENT_TOKEN=\n');
    // An empty secret never swallows the next line.
    const blank = 'EDGE_ENROLLMENT_TOKEN=\n# a comment line\nFOGHORN_CONTROL_ADDR=foghorn:18019\n';
    expect(maskEnvSecrets(blank)).toBe(blank);
    expect(maskEnvSecrets(renderEdgeEnv(settings({ token: '' })))).toBe(renderEdgeEnv(settings({ token: '' })));
  });

  it('refuses an unsafe value that slipped past validation', () => {
    expect(() => renderEdgeEnv(settings({ token: 'a b' }))).toThrow(/internal: unsafe value for EDGE_ENROLLMENT_TOKEN/);
    expect(() => renderEdgeEnv(settings({ domain: 'x\nEVIL=1' }))).toThrow(/internal/);
  });
});

describe('docker-compose.edge.yml', () => {
  it('passes the Compose JSON schema (acme, internal, custom bind and ports)', async () => {
    for (const s of [settings(), settings({ tls: 'internal', bind: '127.0.0.1', httpPort: 18080, httpsPort: 18443, nofile: 20000, mistShmSize: '256m' })]) {
      const doc = await loadYaml(await renderCompose(s));
      expect(composeSchemaErrors(doc)).toEqual([]);
      expect(doc).toEqual(JSON.parse(JSON.stringify(composeDocument(s))));
    }
  });

  it('has the three services with pinned images, limits, health checks, env and no fixed names', async () => {
    const doc = (await loadYaml(await renderCompose(settings()))) as { services: Record<string, Record<string, unknown>>; volumes: unknown; version?: unknown; name?: unknown };
    expect(doc.version).toBeUndefined();
    expect(doc.name).toBeUndefined();
    expect(Object.keys(doc.services)).toEqual(['caddy', 'mistserver', 'helmsman']);
    const { caddy, mistserver, helmsman } = doc.services;
    expect(caddy.image).toBe('caddy:2.10.0');
    expect(mistserver.image).toBe('livepeerframeworks/mistserver:1');
    expect(helmsman.image).toMatch(/^livepeerframeworks\/helmsman@sha256:b{64}$/);
    for (const svc of Object.values(doc.services)) {
      expect(svc.container_name).toBeUndefined();
      expect(svc.restart).toBe('unless-stopped');
      expect(svc.init).toBe(true);
      expect(svc.healthcheck).toMatchObject({ interval: '10s', retries: 3 });
    }
    expect(caddy.ports).toEqual(['80:80', '443:443', '443:443/udp']);
    expect(caddy.volumes).toEqual(['./Caddyfile:/etc/caddy/Caddyfile:ro', 'caddy_data:/data', 'caddy_config:/config']);
    expect(mistserver.shm_size).toBe('1g');
    expect(mistserver.ulimits).toEqual({ nofile: { soft: 1048576, hard: 1048576 } });
    expect(helmsman.ulimits).toEqual({ nofile: { soft: 1048576, hard: 1048576 } });
    expect(helmsman.env_file).toEqual(['.edge.env']);
    expect(helmsman.environment).toEqual({ PORT: '18007', HELMSMAN_WEBHOOK_URL: 'http://helmsman:18007', MISTSERVER_URL: 'http://mistserver:8080' });
    expect(JSON.stringify(helmsman.healthcheck)).toContain('http://127.0.0.1:18007/health');
    expect(JSON.stringify(mistserver.healthcheck)).toContain(':8080/');
    expect(doc.volumes).toEqual({ caddy_data: {}, caddy_config: {} });
    // No interpolation: nothing in the file depends on the shell or a .env file.
    expect(await renderCompose(settings())).not.toContain('${');
  });

  it('publishes on a given address and ports; 0.0.0.0 binds every address', async () => {
    const doc = (await loadYaml(await renderCompose(settings({ bind: '127.0.0.1', httpPort: 18080, httpsPort: 18443 })))) as { services: { caddy: { ports: string[] } } };
    expect(doc.services.caddy.ports).toEqual(['127.0.0.1:18080:80', '127.0.0.1:18443:443', '127.0.0.1:18443:443/udp']);
  });

  it('reads the same under YAML 1.1 (docker-compose v1 is PyYAML): ports stay strings', async () => {
    const text = await renderCompose(settings({ httpPort: 8080, httpsPort: 8443 }));
    const doc = (await loadYaml(text, 'yaml11')) as { services: { caddy: { ports: unknown[] }; mistserver: { shm_size: unknown } } };
    expect(doc.services.caddy.ports).toEqual(['8080:80', '8443:443', '8443:443/udp']);
    expect(doc.services.mistserver.shm_size).toBe('1g');
  });

  it('passes `docker compose config -q` (with a Docker engine)', async (ctx) => {
    const dir = mkdtempSync(join(tmp, 'compose-'));
    for (const f of await renderEdgeFiles(settings({ nofile: 20000 }))) writeFileSync(join(dir, f.name), f.content, { mode: f.mode });
    const r = composeConfig(dir, 'docker-compose.edge.yml', 'frameworks-edge');
    if ('skipped' in r) {
      console.log(`skipped docker compose config: ${r.skipped}`);
      ctx.skip();
      return;
    }
    expect(r.ok, r.output).toBe(true);
  });
});

describe('Caddyfile', () => {
  const variants: Array<[string, Partial<EdgeSettings>]> = [
    ['acme', {}],
    ['internal', { tls: 'internal', email: '' }],
    ['internal, IPv4', { tls: 'internal', domain: '203.0.113.7', domainKind: 'ipv4' }],
    ['internal, IPv6', { tls: 'internal', domain: '2001:db8::1', domainKind: 'ipv6' }],
    ['internal, single label', { tls: 'internal', domain: 'edge-lab' }],
  ];
  it.each(variants)('passes caddy validate: %s', (name, over) => {
    const file = join(tmp, `Caddyfile-${name.replace(/\W+/g, '-')}`);
    writeFileSync(file, renderCaddyfile(settings(over)));
    const r = caddyValidate(file);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).not.toMatch(/"level":"warn"/);
  });

  it('has the routes: /health → Helmsman, webhooks stripped → Helmsman, /view streaming, rest → Mist', () => {
    const text = renderCaddyfile(settings());
    expect(text).toMatch(/^\temail ops@example\.com$/m);
    expect(text).toMatch(/protocols h1 h2 h3/);
    expect(text).toMatch(/^edge-1\.example\.com \{$/m);
    expect(text).not.toMatch(/tls internal/);
    expect(text).toMatch(/\n\theader \{/);
    expect(text).not.toMatch(/\bheaders\b/);
    expect(text).toMatch(/handle \/health \{\n\t\treverse_proxy helmsman:18007\n\t\}/);
    expect(text).toMatch(/handle_path \/webhooks\/\* \{\n\t\treverse_proxy helmsman:18007/);
    expect(text).toMatch(/handle \/view\/\* \{\n\t\treverse_proxy mistserver:8080 \{\n\t\t\tflush_interval -1/);
    expect(text).toMatch(/encode @compressible zstd gzip/);
    expect(text).toMatch(/output stdout\n\t\tformat json/);
    expect(renderCaddyfile(settings({ tls: 'internal', email: '' }))).toMatch(/\ttls internal/);
    expect(renderCaddyfile(settings({ tls: 'internal', email: '' }))).not.toMatch(/^\temail /m);
    expect(renderCaddyfile(settings({ tls: 'internal', domain: '2001:db8::1', domainKind: 'ipv6' }))).toMatch(/^\[2001:db8::1\] \{$/m);
  });

  it('refuses a value that could break out of its token', () => {
    expect(() => renderCaddyfile(settings({ domain: 'a.example.com {\n}\nevil.com' }))).toThrow(/internal: unsafe domain/);
    expect(() => renderCaddyfile(settings({ email: 'a@b.com\n}' }))).toThrow(/internal: unsafe email/);
  });
});

describe('renderEdgeFiles', () => {
  it('renders four files with their modes, deterministically', async () => {
    const a = await renderEdgeFiles(settings());
    expect(a.map((f) => [f.name, f.mode.toString(8)])).toEqual([
      ['.edge.env', '600'],
      ['.edge.env.example', '644'],
      ['docker-compose.edge.yml', '644'],
      ['Caddyfile', '644'],
    ]);
    expect(await renderEdgeFiles(settings())).toEqual(a);
    expect(a.filter((f) => f.content.includes(TOKEN)).map((f) => f.name)).toEqual(['.edge.env']);
  });
});
