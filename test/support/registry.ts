/**
 * The offline npm registry (verdaccio, started by `bash scripts/infra.sh up`) that e2e tests
 * install frameworks plugins from.
 *
 * Verdaccio runs with no uplinks, so a plugin that depends on @frameworks/sdk installs only if the
 * SDK *and every package it pulls in* are published there first. `publishSdk()` does that:
 *   1. the closure of @frameworks/sdk's production dependencies is read from package-lock.json,
 *      resolving each dependency the way Node does (nearest node_modules first, so nested
 *      versions such as packages/sdk/node_modules/ajv win over the hoisted ones);
 *   2. each tarball is read straight from npm's content-addressed cache (~/.npm/_cacache/content-v2,
 *      keyed by the lockfile's integrity: `npm ci` has just put every one there), verified, and
 *      only if absent fetched with `npm pack --offline`, then `npm pack` (public registry) as a last resort;
 *   3. it is published with one HTTP PUT per version (the body `npm publish` sends), eight at a
 *      time, skipping versions verdaccio already has. No npm process per package: ~2 s for the 65 of today.
 * @frameworks/sdk itself and fixture plugins are packed with `npm pack` and replaced in the
 * registry whenever their tarball changed, so a rebuilt SDK is what the next test installs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { ROOT } from './cli.js';

const run = promisify(execFile);

export const REGISTRY_URL = (process.env.FRAMEWORKS_E2E_NPM_REGISTRY ?? 'http://127.0.0.1:4873').replace(/\/+$/, '');
const INFRA_HINT = 'Start it with `bash scripts/infra.sh up` (Node 22 + verdaccio in .tools/, offline, 127.0.0.1:4873).';

// ------------------------------------------------------------------ is it up?

export async function registryProblem(url = REGISTRY_URL): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/-/ping`, { signal: AbortSignal.timeout(3000) });
    if (res.ok) return undefined;
    return `npm registry ${url} answered /-/ping with HTTP ${res.status}.`;
  } catch (error) {
    return `npm registry ${url} is not reachable (${(error as Error).cause ?? (error as Error).message}).`;
  }
}

/**
 * Decide whether a suite that needs the registry runs. In CI it must: a missing registry throws
 * (the file fails with the fix). Locally the suite is skipped, and the reason printed.
 */
export async function registryGate(suite: string): Promise<{ skip: boolean }> {
  const problem = await registryProblem();
  if (!problem) return { skip: false };
  const message = `${suite}: ${problem} ${INFRA_HINT}`;
  if (process.env.CI) throw new Error(message);
  console.warn(`SKIPPING ${message}`);
  return { skip: true };
}

// ------------------------------------------------------------------ publishing

export interface PublishReport {
  /** Packages (name@version) considered. */
  total: number;
  /** Newly published now. */
  published: number;
  /** Already in the registry with the same content. */
  skipped: number;
  /** Replaced because the local tarball changed (local packages only). */
  replaced: number;
  ms: number;
}

interface Tarball {
  name: string;
  version: string;
  data: Buffer;
  manifest: Record<string, unknown>;
}

interface Packument {
  _rev?: string;
  versions?: Record<string, { dist?: { shasum?: string; integrity?: string } }>;
}

function pkgUrl(name: string): string {
  return `${REGISTRY_URL}/${name.replace('/', '%2f')}`;
}

async function getPackument(name: string): Promise<Packument | undefined> {
  const res = await fetch(pkgUrl(name), { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET ${pkgUrl(name)}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Packument;
}

/** The JSON `npm publish` PUTs (libnpmpublish buildMetadata), without provenance. */
async function putTarball(t: Tarball, tag = 'latest'): Promise<void> {
  const tarballName = `${t.name}-${t.version}.tgz`;
  const manifest = {
    ...t.manifest,
    _id: `${t.name}@${t.version}`,
    dist: {
      integrity: `sha512-${createHash('sha512').update(t.data).digest('base64')}`,
      shasum: createHash('sha1').update(t.data).digest('hex'),
      tarball: `${REGISTRY_URL}/${t.name}/-/${tarballName}`,
    },
  };
  const body = {
    _id: t.name,
    name: t.name,
    description: t.manifest.description,
    'dist-tags': { [tag]: t.version },
    versions: { [t.version]: manifest },
    access: null,
    _attachments: { [tarballName]: { content_type: 'application/octet-stream', data: t.data.toString('base64'), length: t.data.length } },
  };
  const res = await fetch(pkgUrl(t.name), {
    method: 'PUT',
    // verdaccio allows anonymous publish; npm itself would refuse without some token, verdaccio ignores it.
    headers: { 'content-type': 'application/json', authorization: 'Bearer anonymous' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  if (res.status === 409 && (await getPackument(t.name))?.versions?.[t.version]) return; // a concurrent publisher won the race
  if (!res.ok) throw new Error(`publishing ${t.name}@${t.version} to ${REGISTRY_URL}: HTTP ${res.status} ${await res.text()}`);
}

async function unpublishAll(name: string, rev: string | undefined): Promise<void> {
  const res = await fetch(`${pkgUrl(name)}/-rev/${rev ?? 'undefined'}`, {
    method: 'DELETE',
    headers: { authorization: 'Bearer anonymous' },
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok && res.status !== 404) throw new Error(`unpublishing ${name} from ${REGISTRY_URL}: HTTP ${res.status} ${await res.text()}`);
}

/** package/package.json from a .tgz, whatever the top folder is called (some old tarballs differ). */
export function manifestOfTarball(data: Buffer): Record<string, unknown> {
  const tar = gunzipSync(data);
  let off = 0;
  let paxPath: string | undefined;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const str = (a: number, n: number) => header.subarray(a, a + n).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const prefix = str(345, 155);
    const path = paxPath ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    const body = tar.subarray(off + 512, off + 512 + size);
    paxPath = undefined;
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      paxPath = m?.[1];
    } else if ((type === '0' || type === '\0') && /^[^/]+\/package\.json$/.test(path.replace(/^\.\//, ''))) {
      return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('no package.json in tarball');
}

function semverCmp(a: string, b: string): number {
  const pa = a.split(/[-+]/)[0].split('.').map(Number);
  const pb = b.split(/[-+]/)[0].split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return (a.includes('-') ? 0 : 1) - (b.includes('-') ? 0 : 1) || a.localeCompare(b);
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Publish tarballs. Versions of one package go in ascending order, one at a time (so `latest`
 * ends on the highest); different packages in parallel. `replace`: a name@version already there
 * with different content is removed (the whole package) and published again.
 */
async function publishTarballs(load: Array<{ name: string; version: string; get: () => Promise<Tarball> }>, replace: boolean): Promise<PublishReport> {
  const started = performance.now();
  const report: PublishReport = { total: load.length, published: 0, skipped: 0, replaced: 0, ms: 0 };
  const byName = new Map<string, typeof load>();
  for (const item of load) byName.set(item.name, [...(byName.get(item.name) ?? []), item]);
  await pool([...byName.entries()], 8, async ([name, items]) => {
    let packument = await getPackument(name);
    for (const item of items.sort((a, b) => semverCmp(a.version, b.version))) {
      const have = packument?.versions?.[item.version];
      if (have && !replace) {
        report.skipped++;
        continue;
      }
      const t = await item.get();
      if (have) {
        if (have.dist?.shasum === createHash('sha1').update(t.data).digest('hex')) {
          report.skipped++;
          continue;
        }
        await unpublishAll(name, packument?._rev);
        report.replaced++;
      } else {
        report.published++;
      }
      await putTarball(t);
      packument = await getPackument(name);
    }
  });
  report.ms = Math.round(performance.now() - started);
  return report;
}

/** `npm pack` a folder (it must already be built) and return the tarball. */
export async function packDir(dir: string): Promise<Tarball> {
  const dest = await mkdtemp(join(tmpdir(), 'fw-pack-'));
  try {
    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], {
      cwd: dir,
      env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' },
    });
    const [info] = JSON.parse(stdout) as Array<{ filename: string; name: string; version: string }>;
    const data = await readFile(join(dest, info.filename));
    return { name: info.name, version: info.version, data, manifest: manifestOfTarball(data) };
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

/** Publish local package folders (fixtures, workspace packages), replacing changed tarballs. */
export async function publishDirs(dirs: string[]): Promise<PublishReport> {
  const tarballs = await Promise.all(dirs.map(packDir));
  return publishTarballs(
    tarballs.map((t) => ({ name: t.name, version: t.version, get: async () => t })),
    true,
  );
}

// ------------------------------------------------------------------ the lockfile closure

interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  name?: string;
  link?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface ClosureEntry {
  /** Lockfile key, e.g. node_modules/proper-lockfile/node_modules/retry */
  key: string;
  name: string;
  version: string;
  integrity: string;
  optional: boolean;
}

/**
 * Every package `start` (a lockfile key such as "packages/sdk") needs at run time: dependencies,
 * optional dependencies and non-optional peer dependencies, transitively, each resolved the way
 * Node and npm do (walk up from the dependent's folder to the nearest node_modules/<name>).
 */
export function lockClosure(start: string, lockPath = join(ROOT, 'package-lock.json'), workspaces?: Set<string>): ClosureEntry[] {
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages: Record<string, LockEntry> };
  const P = lock.packages;
  const resolveFrom = (from: string, dep: string): string | undefined => {
    let base = from;
    for (;;) {
      const key = `${base ? base + '/' : ''}node_modules/${dep}`;
      if (P[key]) return key;
      if (!base) return undefined;
      const i = base.lastIndexOf('/node_modules/');
      base = i < 0 ? '' : base.slice(0, i);
    }
  };
  if (!P[start]) throw new Error(`${start} is not in ${lockPath}`);
  const seen = new Map<string, ClosureEntry>();
  const queue = [start];
  while (queue.length) {
    const from = queue.pop()!;
    const entry = P[from];
    const deps: Array<[string, boolean]> = [
      ...Object.keys(entry.dependencies ?? {}).map((d): [string, boolean] => [d, false]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((d): [string, boolean] => [d, true]),
      ...Object.keys(entry.peerDependencies ?? {})
        .filter((d) => !entry.peerDependenciesMeta?.[d]?.optional)
        .map((d): [string, boolean] => [d, false]),
    ];
    for (const [dep, optional] of deps) {
      let key = resolveFrom(from, dep);
      if (key && P[key].link) key = P[key].resolved; // a workspace package: follow to its folder
      if (!key) {
        if (optional) continue; // an optional dependency npm did not install (other platform)
        throw new Error(`${from} needs ${dep} but package-lock.json has no node_modules/${dep} it can see`);
      }
      if (seen.has(key) || key === start) continue;
      if (!key.includes('node_modules/')) {
        // A workspace package (packages/sdk): published from its folder by the caller; its dependencies are walked.
        if (!workspaces) throw new Error(`${from} needs the workspace package ${key}: pass a set to collect workspace packages`);
        if (!workspaces.has(key)) queue.push(key);
        workspaces.add(key);
        continue;
      }
      const e = P[key];
      if (!e.version || !e.integrity) throw new Error(`package-lock.json entry ${key} has no version/integrity`);
      const name = e.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
      seen.set(key, { key, name, version: e.version, integrity: e.integrity, optional: optional || !!e.optional });
      queue.push(key);
    }
  }
  return [...seen.values()];
}

// ------------------------------------------------------------------ tarballs from npm's cache

let cacheDirMemo: Promise<string> | undefined;
/** npm's cache folder: $npm_config_cache, else `npm config get cache`, else ~/.npm. */
export function npmCacheDir(): Promise<string> {
  cacheDirMemo ??= (async () => {
    if (process.env.npm_config_cache) return process.env.npm_config_cache;
    try {
      const { stdout } = await run('npm', ['config', 'get', 'cache'], { env: { ...process.env, npm_config_update_notifier: 'false' } });
      if (stdout.trim()) return stdout.trim();
    } catch {
      /* fall through */
    }
    return join(homedir(), '.npm');
  })();
  return cacheDirMemo;
}

export type TarballSource = 'cache' | 'npm pack --offline' | 'npm pack';
export const tarballSources: Record<TarballSource, number> = { cache: 0, 'npm pack --offline': 0, 'npm pack': 0 };

function integrityMatches(data: Buffer, integrity: string): boolean {
  return integrity.split(/\s+/).some((sri) => {
    const [alg, b64] = [sri.slice(0, sri.indexOf('-')), sri.slice(sri.indexOf('-') + 1)];
    try {
      return createHash(alg).update(data).digest('base64') === b64.split('?')[0];
    } catch {
      return false;
    }
  });
}

/** cacache stores content at content-v2/<alg>/<hex[0:2]>/<hex[2:4]>/<hex[4:]>. */
async function fromCacache(cache: string, integrity: string): Promise<Buffer | undefined> {
  for (const sri of integrity.split(/\s+/)) {
    const dash = sri.indexOf('-');
    const alg = sri.slice(0, dash);
    const hex = Buffer.from(sri.slice(dash + 1).split('?')[0], 'base64').toString('hex');
    const file = join(cache, '_cacache', 'content-v2', alg, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    if (!existsSync(file)) continue;
    const data = await readFile(file);
    if (integrityMatches(data, integrity)) return data;
  }
  return undefined;
}

async function viaNpmPack(spec: string, offline: boolean): Promise<Buffer | undefined> {
  const dest = await mkdtemp(join(tmpdir(), 'fw-pack-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' };
    delete env.npm_config_registry; // the public (or the developer's) registry, never verdaccio
    const { stdout } = await run('npm', ['pack', spec, '--json', '--pack-destination', dest, ...(offline ? ['--offline'] : [])], { env, cwd: dest });
    const [info] = JSON.parse(stdout) as Array<{ filename: string }>;
    return await readFile(join(dest, info.filename));
  } catch {
    return undefined;
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

export async function lockTarball(e: ClosureEntry): Promise<Tarball> {
  const cache = await npmCacheDir();
  const spec = `${e.name}@${e.version}`;
  let data = await fromCacache(cache, e.integrity);
  let source: TarballSource = 'cache';
  if (!data) {
    source = 'npm pack --offline';
    data = await viaNpmPack(spec, true);
  }
  if (!data) {
    source = 'npm pack';
    data = await viaNpmPack(spec, false);
  }
  if (!data) throw new Error(`${spec}: tarball is neither in npm's cache (${cache}) nor obtainable with npm pack. Run \`npm ci\` first.`);
  if (!integrityMatches(data, e.integrity)) throw new Error(`${spec}: tarball from ${source} does not match package-lock.json integrity ${e.integrity}`);
  tarballSources[source]++;
  return { name: e.name, version: e.version, data, manifest: manifestOfTarball(data) };
}

/** Publish the production-dependency closure of a lockfile entry (third-party packages, never replaced). */
export async function publishClosure(start: string): Promise<PublishReport> {
  const closure = lockClosure(start);
  return publishTarballs(
    closure.map((e) => ({ name: e.name, version: e.version, get: () => lockTarball(e) })),
    false,
  );
}

/**
 * @frameworks/sdk (packed from packages/sdk, which must be built) plus everything it depends on,
 * so that a plugin depending on "@frameworks/sdk" installs from the offline registry.
 */
export async function publishSdk(): Promise<{ sdk: PublishReport; deps: PublishReport }> {
  if (!existsSync(join(ROOT, 'packages/sdk/dist/index.js'))) {
    throw new Error('packages/sdk/dist is missing: run `npm run build` before publishing @frameworks/sdk.');
  }
  const [deps, sdk] = await Promise.all([publishClosure('packages/sdk'), publishDirs([join(ROOT, 'packages/sdk')])]);
  return { sdk, deps };
}

/**
 * A plugin as users install it: its third-party dependency closure (from package-lock.json), the workspace
 * packages it depends on (@frameworks/sdk, @frameworks/cli-kit: packed from their folders, which must be built),
 * then the plugin itself packed from a staged copy of `dir` with `version` (and package.json `patch`es, e.g. a
 * different compatibility range) under the dist-tag `tag`. Returns what was published.
 */
export async function publishPluginVersion(
  dir: string,
  o: { version: string; tag?: string; patch?: Record<string, unknown> },
): Promise<{ deps: PublishReport; workspaces: PublishReport; plugin: Tarball }> {
  const { cp, mkdtemp: mkd, writeFile } = await import('node:fs/promises');
  const rel = dir.startsWith(ROOT) ? dir.slice(ROOT.length + 1) : dir;
  const workspaceKeys = new Set<string>();
  const closure = lockClosure(rel, join(ROOT, 'package-lock.json'), workspaceKeys);
  const deps = await publishTarballs(closure.map((e) => ({ name: e.name, version: e.version, get: () => lockTarball(e) })), false);
  const workspaces = await publishDirs([...workspaceKeys].map((k) => join(ROOT, k)));
  const stage = await mkd(join(tmpdir(), 'fw-plugin-stage-'));
  try {
    const pjson: Record<string, unknown> = { ...(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>), ...o.patch, version: o.version };
    await writeFile(join(stage, 'package.json'), JSON.stringify(pjson, null, 2));
    const files = (pjson.files as string[] | undefined) ?? [];
    for (const f of files.map((x) => x.replace(/^\//, ''))) {
      if (existsSync(join(dir, f))) await cp(join(dir, f), join(stage, f), { recursive: true });
    }
    // oclif ignores a manifest whose version is not the package's.
    const manifest = join(stage, 'oclif.manifest.json');
    if (existsSync(manifest)) await writeFile(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), version: o.version }));
    const plugin = await packDir(stage);
    await putTarball(plugin, o.tag);
    return { deps, workspaces, plugin };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
