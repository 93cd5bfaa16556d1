import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor, isFrameworksError, type FrameworksError } from '@frameworks/sdk';
import { loadCatalog, servicesByRole, validateCatalog } from '../src/lib/catalog.js';
import { resolveSelection, splitList } from '../src/lib/selection.js';
import { parseImageOverrides, resolveImages, loadServicesRelease } from '../src/lib/images.js';
import { ENV_FILE, healthcheckTest, parsePlan, renderEnv, renderFragment, renderPlan, sha256 } from '../src/lib/fragments.js';
import { writePlanFiles } from '../src/lib/write-plan.js';
import { multiSelectChoices } from '../src/lib/interactive.js';

const tmp = mkdtempSync(join(tmpdir(), 'fw-svc-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const { catalog } = await loadCatalog();

const err = (fn: () => unknown): FrameworksError => {
  try {
    fn();
  } catch (e) {
    if (isFrameworksError(e)) return e;
    throw e;
  }
  throw new Error('no error');
};
const errAsync = async (p: Promise<unknown>): Promise<FrameworksError> => {
  try {
    await p;
  } catch (e) {
    if (isFrameworksError(e)) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('catalog', () => {
  it('ships the MVP services and profiles, valid against the schema', () => {
    expect(Object.keys(catalog.services).sort()).toEqual(['commodore', 'decklog', 'foghorn', 'gateway', 'marketing', 'periscope_ingest', 'periscope_query', 'purser', 'quartermaster', 'signalman', 'webapp']);
    expect(Object.keys(catalog.profiles)).toEqual(['central-all', 'control-core', 'routing-only', 'analytics-suite', 'billing-only', 'interfaces', 'central-with-interfaces']);
    expect(catalog.services.foghorn.ports).toEqual(['18008:18008', '18019:18019']);
    expect(catalog.services.decklog.health).toEqual({ protocol: 'grpc', port: 18006 });
  });

  it('groups services by role, roles and names sorted', () => {
    expect(servicesByRole(catalog)).toEqual([
      { role: 'analytics', services: ['periscope_ingest', 'periscope_query'] },
      { role: 'billing', services: ['purser'] },
      { role: 'control', services: ['commodore', 'gateway', 'quartermaster'] },
      { role: 'interfaces', services: ['marketing', 'webapp'] },
      { role: 'routing', services: ['decklog', 'foghorn', 'signalman'] },
    ]);
    const choices = multiSelectChoices(catalog);
    expect(choices[0]).toEqual({ role: 'separator', message: '── analytics ──' });
    expect(choices.map((c) => c.name ?? c.message)).toEqual(['── analytics ──', 'periscope_ingest', 'periscope_query', '── billing ──', 'purser', '── control ──', 'commodore', 'gateway', 'quartermaster', '── interfaces ──', 'marketing', 'webapp', '── routing ──', 'decklog', 'foghorn', 'signalman']);
    expect(choices.find((c) => c.name === 'purser')).toEqual({ name: 'purser', message: 'purser', hint: 'Purser (billing)' });
  });

  it('has an "interfaces" group (webapp, marketing) that only the interfaces profiles include, never the default', () => {
    expect(servicesByRole(catalog).find((g) => g.role === 'interfaces')).toEqual({ role: 'interfaces', services: ['marketing', 'webapp'] });
    expect(catalog.services.webapp).toMatchObject({ image: 'frameworks/chartroom:latest', ports: ['18030:18030'], health: { protocol: 'http', path: '/health', port: 18030 } });
    expect(catalog.services.marketing).toMatchObject({ image: 'frameworks/foredeck:latest', ports: ['18031:18031'] });
    for (const [profile, members] of Object.entries(catalog.profiles)) {
      const hasInterfaces = members.some((m) => catalog.services[m].role === 'interfaces');
      expect(hasInterfaces, profile).toBe(profile === 'interfaces' || profile === 'central-with-interfaces');
    }
    expect(resolveSelection(catalog, { profile: 'central-with-interfaces' }).services).toEqual([...resolveSelection(catalog, {}).services, 'marketing', 'webapp'].sort());
    expect(resolveSelection(catalog, { profile: 'central-all', include: ['webapp', 'marketing'] }).profile).toBe('custom');
  });

  it('rejects schema violations and unknown profile members (exit 4, key path)', async () => {
    const bad = structuredClone(catalog) as unknown as Record<string, Record<string, Record<string, unknown>>>;
    bad.services.gateway.health = { protocol: 'http', port: 18000 };
    bad.services.gateway.extra = 1;
    const e = await errAsync(validateCatalog(bad, 'x.yaml'));
    expect(e.exitCode).toBe(4);
    expect(e.message).toMatch(/services\.gateway\.health\.path: is required/);
    expect(e.message).toMatch(/services\.gateway\.extra: unknown key/);
    const bad2 = structuredClone(catalog);
    bad2.profiles['control-core'].push('nope');
    expect((await errAsync(validateCatalog(bad2, 'x.yaml'))).message).toMatch(/profiles\.control-core: unknown service\(s\) nope/);
    writeFileSync(join(tmp, 'broken.yaml'), 'services: [\n');
    expect((await errAsync(loadCatalog(join(tmp, 'broken.yaml')))).message).toMatch(/not valid YAML \(line/);
    expect((await errAsync(loadCatalog(join(tmp, 'missing.yaml')))).exitCode).toBe(2);
  });
});

describe('selection', () => {
  it('profiles, include, exclude; sorted; custom when changed', () => {
    const central = ['commodore', 'decklog', 'foghorn', 'gateway', 'periscope_ingest', 'periscope_query', 'purser', 'quartermaster', 'signalman'];
    expect(resolveSelection(catalog, {})).toEqual({ profile: 'central-all', services: central });
    expect(resolveSelection(catalog, { profile: 'control-core' })).toEqual({ profile: 'control-core', services: ['commodore', 'gateway', 'quartermaster'] });
    expect(resolveSelection(catalog, { profile: 'billing-only', include: splitList(['decklog, foghorn', ',']), exclude: ['purser'] })).toEqual({ profile: 'custom', services: ['decklog', 'foghorn'] });
    // Including a member of the profile changes nothing.
    expect(resolveSelection(catalog, { profile: 'billing-only', include: ['purser'] }).profile).toBe('billing-only');
    // Hyphenated names (HEAD spelling) are accepted.
    expect(resolveSelection(catalog, { profile: 'billing-only', include: ['periscope-ingest'] }).services).toEqual(['periscope_ingest', 'purser']);
  });

  it('unknown profile or services → exit 2 with the lists; empty selection → exit 2', () => {
    const p = err(() => resolveSelection(catalog, { profile: 'everything' }));
    expect([p.exitCode, p.code]).toEqual([2, 'UNKNOWN_PROFILE']);
    expect(p.message).toContain('central-all, control-core, routing-only, analytics-suite, billing-only');
    const s = err(() => resolveSelection(catalog, { include: ['foo'], exclude: ['bar'] }));
    expect([s.exitCode, s.code]).toEqual([2, 'UNKNOWN_SERVICE']);
    expect(s.message).toMatch(/"foo" in --include\. Known services: commodore, decklog/);
    expect(err(() => resolveSelection(catalog, { profile: 'billing-only', exclude: ['purser'] })).code).toBe('EMPTY_SELECTION');
  });
});

describe('images', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  it('catalog tags by default; release digests pin; --image overrides; an unpinned release entry is refused', async () => {
    const file = join(tmp, 'release.yaml');
    const head = 'platform_version: "2025.1"\ngit_commit: a\nrelease_date: "2025-01-01T00:00:00Z"\nservices:\n';
    writeFileSync(file, `${head}  - { name: purser, image: ghcr.io/acme/purser, tag: v1, digest: "${digest}" }\n  - { name: gateway, image: ghcr.io/acme/gateway, tag: v1 }\n`);
    const release = await loadServicesRelease({ manifestFile: file, home: tmp });
    const overrides = parseImageOverrides(catalog, ['quartermaster=local/helmsman:1']);
    const r = resolveImages(catalog, ['purser', 'quartermaster'], { release, overrides });
    expect(r.refs).toEqual({ purser: `ghcr.io/acme/purser@${digest}`, quartermaster: 'local/helmsman:1' });
    expect(r.unpinned).toEqual(['quartermaster']);
    expect(r.overridden).toEqual(['quartermaster']);
    expect(r.version).toBe('2025.1');
    expect(err(() => resolveImages(catalog, ['gateway', 'purser'], { release })).code).toBe('RELEASE_UNPINNED');
    const allowed = resolveImages(catalog, ['gateway', 'purser'], { release, allowUnpinned: true });
    expect(allowed.refs.gateway).toBe('ghcr.io/acme/gateway:v1');
    expect(allowed.allowedUnpinned).toEqual(['gateway']);
    expect(resolveImages(catalog, ['gateway'], {}).refs.gateway).toBe('frameworks/gateway:latest');
    expect(err(() => parseImageOverrides(catalog, ['nope=a:1'])).code).toBe('UNKNOWN_SERVICE');
    expect(err(() => parseImageOverrides(catalog, ['purser=UPPER'])).exitCode).toBe(2);
    writeFileSync(file, `${head}  - { name: purser, image: X }\n`);
    expect((await errAsync(loadServicesRelease({ manifestFile: file, home: tmp }))).code).toBe('RELEASE_MANIFEST_INVALID');
  });
});

describe('fragments', () => {
  it('one service per file: no container_name, env_file, healthcheck from the health spec, sorted keys', async () => {
    const f = renderFragment('foghorn', catalog.services.foghorn, 'frameworks/foghorn:latest');
    expect(f.name).toBe('svc-foghorn.yml');
    expect(f.mode).toBe(0o644);
    expect(f.content).not.toContain('container_name');
    const yaml = await import('js-yaml');
    const doc = yaml.load(f.content) as { services: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.services)).toEqual(['foghorn']);
    const svc = doc.services.foghorn;
    expect(Object.keys(svc)).toEqual([...Object.keys(svc)].sort());
    expect(svc).toMatchObject({ env_file: [ENV_FILE], image: 'frameworks/foghorn:latest', ports: ['18008:18008', '18019:18019'], restart: 'unless-stopped', init: true });
    expect((svc.healthcheck as { test: string[] }).test).toEqual(['CMD-SHELL', healthcheckTest(catalog.services.foghorn.health)]);
    expect(healthcheckTest({ protocol: 'http', path: '/health', port: 18008 })).toMatch(/^wget -q -O \/dev\/null http:\/\/127\.0\.0\.1:18008\/health \|\| curl/);
    expect(healthcheckTest({ protocol: 'grpc', port: 18006 })).toBe('nc -z 127.0.0.1 18006 2>/dev/null || nc -w 2 127.0.0.1 18006 </dev/null >/dev/null || exit 1');
  });

  it('plan.yaml round-trips; .central.env has placeholder keys only, 0600', async () => {
    const plan = await renderPlan({ schema_version: 1, profile: 'billing-only', project: 'p1', services: ['purser'], fragments: { 'svc-purser.yml': 'sha256:x' } });
    expect(await parsePlan(plan.content)).toEqual({ schema_version: 1, profile: 'billing-only', project: 'p1', services: ['purser'], fragments: { 'svc-purser.yml': 'sha256:x' } });
    expect(await parsePlan('services:\n    - a\n')).toEqual({ schema_version: 1, project: 'frameworks-central', services: ['a'] });
    expect(await parsePlan('a: [')).toBeUndefined();
    expect(await parsePlan('just text')).toBeUndefined();
    const env = renderEnv();
    expect(env.mode).toBe(0o600);
    expect(env.content).toMatch(/^JWT_SECRET=$/m);
    expect(env.content).toMatch(/^ENV_CONTEXT=central$/m);
  });
});

describe('writePlanFiles: all or nothing, hand edits detected', () => {
  const ex = new LocalExecutor();
  const build = async (services: string[], image = 'frameworks/x:1') => {
    const fragments = services.map((s) => renderFragment(s, catalog.services[s], image));
    const plan = await renderPlan({ schema_version: 1, project: 'p', services, fragments: Object.fromEntries(fragments.map((f) => [f.name, sha256(f.content)])) });
    return { fragments, env: renderEnv(), plan };
  };
  const previous = async (dir: string) => parsePlan(readFileSync(join(dir, 'plan.yaml'), 'utf8'));

  it('creates, then regenerates its own files, keeps .central.env, refuses hand edits unless force', async () => {
    const dir = join(tmp, 'plan1');
    const first = await writePlanFiles(ex, dir, await build(['purser', 'gateway']));
    expect(first.files.map((f) => [f.name, f.action])).toEqual([['svc-purser.yml', 'created'], ['svc-gateway.yml', 'created'], ['.central.env', 'created'], ['plan.yaml', 'created']]);
    expect(statSync(join(dir, '.central.env')).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, '.central.env'), 'JWT_SECRET=mine\n');

    // New image: the planner's own files are regenerated, the env file is kept.
    const second = await writePlanFiles(ex, dir, await build(['purser', 'gateway'], 'frameworks/x:2'), { previous: await previous(dir) });
    expect(second.files.map((f) => f.action)).toEqual(['replaced', 'replaced', 'kept', 'replaced']);
    expect(readFileSync(join(dir, '.central.env'), 'utf8')).toBe('JWT_SECRET=mine\n');

    // A hand edit: nothing is written, the file is named.
    writeFileSync(join(dir, 'svc-gateway.yml'), readFileSync(join(dir, 'svc-gateway.yml'), 'utf8') + '# mine\n');
    const planBefore = readFileSync(join(dir, 'plan.yaml'), 'utf8');
    const next = await build(['purser', 'gateway'], 'frameworks/x:3');
    const e = await errAsync(writePlanFiles(ex, dir, next, { previous: await previous(dir) }));
    expect([e.code, e.exitCode]).toEqual(['SERVICES_FRAGMENTS_EDITED', 1]);
    expect(e.message).toContain('svc-gateway.yml (edited by hand since the last plan)');
    expect(readFileSync(join(dir, 'svc-purser.yml'), 'utf8')).toContain('frameworks/x:2');
    expect(readFileSync(join(dir, 'plan.yaml'), 'utf8')).toBe(planBefore);

    // Dry run reports the conflict; --force replaces.
    const dry = await writePlanFiles(ex, dir, next, { previous: await previous(dir), dryRun: true });
    expect(dry.files.find((f) => f.name === 'svc-gateway.yml')).toMatchObject({ action: 'conflict', reason: 'hand-edited' });
    const forced = await writePlanFiles(ex, dir, next, { previous: await previous(dir), force: true });
    expect(forced.files.map((f) => f.action)).toEqual(['replaced', 'replaced', 'kept', 'replaced']);

    // A fragment the planner never wrote is refused too; a dropped service is reported as stale.
    writeFileSync(join(dir, 'svc-decklog.yml'), 'services: {}\n');
    const e2 = await errAsync(writePlanFiles(ex, dir, await build(['decklog']), { previous: await previous(dir) }));
    expect(e2.message).toContain('svc-decklog.yml (not written by services plan)');
    const dry2 = await writePlanFiles(ex, dir, await build(['decklog']), { previous: await previous(dir), dryRun: true });
    expect(dry2.stale).toEqual(['svc-gateway.yml', 'svc-purser.yml']);
  });
});
