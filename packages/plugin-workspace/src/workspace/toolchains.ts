import type { Executor } from '@frameworks/sdk';
import { firstVersion, goDirective, goVersionOf, versionAtLeast } from './versions.js';

/** One tool a build needs, against what is installed, with the exact fix when it falls short. */
export interface ToolCheck {
  tool: string;
  needed_by: string;
  required: string | null;
  installed: string | null;
  ok: boolean;
  /** Needed only by an optional build (mist --with-av): missing is a note, not a problem. */
  optional: boolean;
  fix: string | null;
}

export const LIBAV = ['libavcodec', 'libavfilter', 'libavformat', 'libavutil', 'libswscale'] as const;
/** The Debian package that carries each pkg-config module's development headers. */
export const DEV_PACKAGE: Record<string, string> = Object.fromEntries(LIBAV.map((m) => [m, `${m}-dev`]));

export interface ToolchainInputs {
  executor: Executor;
  monorepo: string;
  mistserver: string;
  /** Remembered `--version` answers per executable (status); without it every tool is asked. */
  versions?: VersionSource;
}

/** `<tool> --version` through a cache keyed by the executable on PATH; a tool not on PATH starts no process. */
export interface VersionSource {
  find(name: string): Promise<{ key: string } | undefined>;
  get(key: string): string | undefined;
  set(key: string, output: string): void;
}

async function versionOutput(ex: Executor, argv: string[], versions?: VersionSource): Promise<{ code: number; stdout: string } | undefined> {
  if (!versions) return tryRun(ex, argv);
  const found = await versions.find(argv[0]);
  if (!found) return undefined;
  const key = `${found.key}|${argv.slice(1).join(' ')}`;
  const cached = versions.get(key);
  if (cached !== undefined) return { code: 0, stdout: cached };
  const r = await tryRun(ex, argv);
  if (r?.code === 0) versions.set(key, r.stdout);
  return r;
}

async function tryRun(ex: Executor, argv: string[]): Promise<{ code: number; stdout: string } | undefined> {
  try {
    const r = await ex.run(argv, { timeoutMs: 10_000 });
    return { code: r.code, stdout: `${r.stdout}\n${r.stderr}` };
  } catch {
    return undefined;
  }
}

async function readOr(ex: Executor, path: string): Promise<string | undefined> {
  return ex.readFile(path).catch(() => undefined);
}

/** The package manager the web apps use, from the lockfile at the monorepo root. */
export async function packageManagerOf(ex: Executor, monorepo: string): Promise<'pnpm' | 'yarn' | 'npm'> {
  const [pnpm, yarn] = await Promise.all([ex.exists(`${monorepo}/pnpm-lock.yaml`), ex.exists(`${monorepo}/yarn.lock`)]);
  return pnpm ? 'pnpm' : yarn ? 'yarn' : 'npm';
}

/** Go's requirement from api_sidecar/go.mod and `go version`, in parallel. */
export async function goCheck(ex: Executor, monorepo: string, versions?: VersionSource): Promise<ToolCheck> {
  const [gomod, go] = await Promise.all([readOr(ex, `${monorepo}/api_sidecar/go.mod`), versionOutput(ex, ['go', 'version'], versions)]);
  const required = gomod ? (goDirective(gomod) ?? null) : null;
  const installed = go?.code === 0 ? (goVersionOf(go.stdout) ?? null) : null;
  const ok = installed !== null && (required === null || versionAtLeast(installed, required));
  const want = required ?? '1.22';
  const fix = ok
    ? null
    : `install Go ≥ ${want} (https://go.dev/dl/, or apt-get install golang-go where new enough), or build in a container: frameworks workspace build helmsman --in-container golang:${want}`;
  return { tool: 'go', needed_by: 'build helmsman', required, installed, ok, optional: false, fix };
}

/** Every toolchain check at once (each is one short process): the status stays fast. */
export async function toolchainChecks(o: ToolchainInputs): Promise<ToolCheck[]> {
  const ex = o.executor;
  const simple = async (tool: string, argv: string[], neededBy: string, fix: string, optional = false): Promise<ToolCheck> => {
    const r = await versionOutput(ex, argv, o.versions);
    const installed = r?.code === 0 ? (firstVersion(r.stdout) ?? 'yes') : null;
    return { tool, needed_by: neededBy, required: null, installed, ok: installed !== null, optional, fix: installed ? null : fix };
  };
  const pm = await packageManagerOf(ex, o.monorepo);
  const pmFix = pm === 'pnpm' ? 'corepack enable pnpm   # or: npm install -g pnpm' : pm === 'yarn' ? 'corepack enable yarn' : 'apt-get install npm';
  const [go, meson, ninja, cxx, pkgConfig, libav, node, pmCheck, git] = await Promise.all([
    goCheck(ex, o.monorepo, o.versions),
    simple('meson', ['meson', '--version'], 'build mist', 'apt-get install meson'),
    simple('ninja', ['ninja', '--version'], 'build mist', 'apt-get install ninja-build'),
    simple('c++', ['c++', '--version'], 'build mist', 'apt-get install g++'),
    simple('pkg-config', ['pkg-config', '--version'], 'build mist --with-av', 'apt-get install pkg-config', true),
    libavCheck(ex),
    simple('node', ['node', '--version'], 'web dev, marketing dev', 'install Node.js 22 LTS (https://nodejs.org/)'),
    simple(pm, [pm, '--version'], `web dev, marketing dev (${pm} lockfile)`, pmFix),
    simple('git', ['git', '--version'], 'workspace init', 'apt-get install git'),
  ]);
  return [git, go, meson, ninja, cxx, pkgConfig, libav, node, pmCheck];
}

/** The libav* development headers WITH_AV needs: one pkg-config call, which names every module it lacks. */
export async function missingLibav(ex: Executor): Promise<string[] | undefined> {
  let r;
  try {
    r = await ex.run(['pkg-config', '--print-errors', '--exists', ...LIBAV], { timeoutMs: 10_000 });
  } catch {
    return undefined;
  }
  if (r.code === 0) return [];
  const named = LIBAV.filter((m) => new RegExp(`Package '?${m}'?[ ,].*not found`).test(r.stderr));
  // A pkg-config that failed without naming a module: ask one module at a time.
  if (named.length) return named;
  const answers = await Promise.all(LIBAV.map((m) => tryRun(ex, ['pkg-config', '--exists', m])));
  return LIBAV.filter((_m, i) => answers[i]?.code !== 0);
}

async function libavCheck(ex: Executor): Promise<ToolCheck> {
  const missing = await missingLibav(ex);
  const all = missing === undefined ? [...LIBAV] : missing;
  const ok = missing !== undefined && missing.length === 0;
  return {
    tool: 'libav* headers',
    needed_by: 'build mist --with-av',
    required: null,
    installed: ok ? 'yes' : missing === undefined ? null : `missing ${all.join(', ')}`,
    ok,
    optional: true,
    fix: ok ? null : `apt-get install ${all.map((m) => DEV_PACKAGE[m]).join(' ')}${missing === undefined ? ' pkg-config' : ''}`,
  };
}
