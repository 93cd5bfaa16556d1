import { ExitCode, FrameworksError, type Executor } from '@frameworks/sdk';
import { goCheck, type VersionSource } from './toolchains.js';

export const UPSTREAM_MODULE = 'github.com/Livepeer-FrameWorks/monorepo';

export interface HelmsmanStamp {
  version: string;
  git_commit: string;
  build_date: string;
  component_name: string;
  component_version: string;
  version_package: string;
}

async function out(ex: Executor, argv: string[], cwd: string): Promise<string | undefined> {
  const r = await ex.run(argv, { cwd }).catch(() => undefined);
  return r?.code === 0 ? r.stdout.trim() : undefined;
}

/**
 * What upstream's make target stamps through -ldflags -X. BuildDate is the commit's date, not the
 * clock: the same commit gives the same binary, so a build with nothing changed is a cache hit.
 */
export async function helmsmanStamp(ex: Executor, monorepo: string, version?: string): Promise<HelmsmanStamp> {
  const [pkgMod, describe, commit, date] = await Promise.all([
    ex.readFile(`${monorepo}/pkg/go.mod`).catch(() => ''),
    out(ex, ['git', 'describe', '--tags', '--always', '--dirty'], monorepo),
    out(ex, ['git', 'rev-parse', '--short', 'HEAD'], monorepo),
    out(ex, ['git', 'log', '-1', '--format=%cd', '--date=format-local:%Y-%m-%dT%H:%M:%SZ'], monorepo),
  ]);
  const pkgModule = /^module\s+(\S+)/m.exec(pkgMod)?.[1] ?? `${UPSTREAM_MODULE}/pkg`;
  const v = version ?? describe ?? 'dev';
  return {
    version: v,
    git_commit: commit ?? 'unknown',
    build_date: date ?? 'unknown',
    component_name: 'helmsman',
    component_version: v,
    version_package: `${pkgModule}/version`,
  };
}

export function ldflags(s: HelmsmanStamp): string {
  const p = s.version_package;
  return [
    `-X ${p}.Version=${s.version}`,
    `-X ${p}.GitCommit=${s.git_commit}`,
    `-X ${p}.BuildDate=${s.build_date}`,
    `-X ${p}.ComponentName=${s.component_name}`,
    `-X ${p}.ComponentVersion=${s.component_version}`,
  ].join(' ');
}

/** The Go on PATH must be at least the module's `go` directive: one error naming both and the two ways out. */
export async function requireGo(ex: Executor, monorepo: string, versions?: VersionSource): Promise<{ required: string | null; installed: string }> {
  const go = await goCheck(ex, monorepo, versions);
  if (go.installed === null) {
    throw new FrameworksError(`Go is not installed (api_sidecar/go.mod needs Go ≥ ${go.required ?? '?'}): ${go.fix}.`, {
      code: 'GO_NOT_FOUND',
      exitCode: ExitCode.FAILED,
      suggestions: [`frameworks workspace build helmsman --in-container golang:${go.required ?? '1'}`, 'apt-get install golang-go'],
    });
  }
  if (!go.ok) {
    throw new FrameworksError(
      `Go ${go.installed} is too old: api_sidecar/go.mod needs Go ≥ ${go.required} (its go directive). Install Go ≥ ${go.required} (https://go.dev/dl/), or build inside a Go image you have.`,
      {
        code: 'GO_TOO_OLD',
        exitCode: ExitCode.FAILED,
        suggestions: [`frameworks workspace build helmsman --in-container golang:${go.required}`, 'frameworks workspace status'],
      },
    );
  }
  return { required: go.required, installed: go.installed };
}

export interface GoBuild {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** `CGO_ENABLED=0 go build -tags=nomsgpack -ldflags "…" -o <out> ./cmd/helmsman`, as `make build-bin-helmsman` runs it. */
export function goBuild(monorepo: string, stamp: HelmsmanStamp, output: string): GoBuild {
  return {
    argv: ['go', 'build', '-tags=nomsgpack', '-ldflags', ldflags(stamp), '-o', output, './cmd/helmsman'],
    cwd: `${monorepo}/api_sidecar`,
    env: { CGO_ENABLED: '0' },
  };
}

/** The same build inside a Go image: the monorepo and the staging folder mounted, files owned by the caller. */
export function goBuildInContainer(image: string, monorepo: string, staging: string, stamp: HelmsmanStamp): GoBuild {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return {
    argv: [
      'docker', 'run', '--rm', '-u', `${uid}:${gid}`,
      '-v', `${monorepo}:/src`, '-v', `${staging}:/out`, '-w', '/src/api_sidecar',
      '-e', 'CGO_ENABLED=0', '-e', 'GOCACHE=/out/.gocache', '-e', 'GOPATH=/out/.gopath', '-e', 'GOFLAGS=-buildvcs=false',
      image, 'go', 'build', '-tags=nomsgpack', '-ldflags', ldflags(stamp), '-o', '/out/helmsman', './cmd/helmsman',
    ],
    cwd: monorepo,
    env: {},
  };
}

/** A docker tag from a version (`v1.2.3-4-gabc-dirty` stays; other characters become `-`). */
export function dockerTag(version: string): string {
  return version.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '').slice(0, 128) || 'local';
}
