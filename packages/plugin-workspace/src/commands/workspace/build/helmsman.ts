import { Flags } from '@oclif/core';
import { WorkspaceCommand } from '../../../lib/workspace-command.js';

export default class BuildHelmsman extends WorkspaceCommand<typeof BuildHelmsman> {
  static override summary = 'Build Helmsman from the workspace: bin/helmsman, or a local image.';
  static override description = `Runs the build upstream's make target runs, in monorepo/api_sidecar:
  CGO_ENABLED=0 go build -tags=nomsgpack -ldflags "-X <module>/pkg/version.Version=… -X …GitCommit=… -X …BuildDate=… -X …ComponentName=helmsman -X …ComponentVersion=…" ./cmd/helmsman
Version is git describe, GitCommit the short commit, BuildDate the commit's date (the same commit gives the same binary). The binary is built in <dir>/.build and copied into <dir>/bin/helmsman by one rename: Ctrl-C stops the build (exit 130) and bin/ keeps what it had. A Go older than the go directive of api_sidecar/go.mod is refused with both versions and the fix; --in-container builds inside a Go image you have instead. --image builds the image from api_sidecar/Dockerfile (its own build stage) under frameworks-helmsman:<tag>.`;

  static override examples = [
    { description: 'Build bin/helmsman with the Go on PATH', command: '<%= config.bin %> workspace build helmsman' },
    { description: 'Build it inside a Go image (Go on this machine too old)', command: '<%= config.bin %> workspace build helmsman --in-container golang:1.26' },
    { description: 'Build the image frameworks-helmsman:dev', command: '<%= config.bin %> workspace build helmsman --image --tag dev' },
  ];

  static override flags = {
    image: Flags.boolean({ description: 'Build the Docker image from api_sidecar/Dockerfile instead of the binary.' }),
    tag: Flags.string({ description: 'Image tag (with --image). Default: the version (git describe).' }),
    'in-container': Flags.string({ description: 'Build the binary inside this Go image (e.g. golang:1.26) instead of the Go on PATH.', exclusive: ['image'] }),
    version: Flags.string({ description: 'Version to stamp. Default: git describe --tags --always --dirty.' }),
    'dry-run': Flags.boolean({ description: 'Print the build command; build nothing.' }),
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const { LocalExecutor, FrameworksError, ExitCode } = await import('@frameworks/sdk');
    const { installFile, makeDir, sameContent } = await import('@frameworks/sdk/workspace');
    const { interruptedError } = await import('@frameworks/cli-kit');
    const h = await import('../../../workspace/helmsman-build.js');
    const { requireClone } = await import('../../../workspace/require-clone.js');
    const { HELMSMAN_IMAGE } = await import('../../../workspace/local-images.js');
    const ws = await this.workspace();
    const ex = new LocalExecutor();
    this.auditTargets = [ws.dir];
    await requireClone(ex, 'monorepo', ws.monorepo, 'api_sidecar/go.mod', ws.dir);
    const inContainer = this.flags['in-container'];
    const { ToolVersionCache, findOnPath } = await import('@frameworks/sdk/workspace');
    const cache = await ToolVersionCache.open();
    const versions = { find: (name: string) => findOnPath(name), get: (k: string) => cache.get(k), set: (k: string, v: string) => cache.set(k, v) };
    const [stamp, go] = await Promise.all([
      h.helmsmanStamp(ex, ws.monorepo, this.flags.version),
      this.flags.image || inContainer ? Promise.resolve(undefined) : h.requireGo(ex, ws.monorepo, versions),
    ]);
    await cache.save();
    const fail = (what: string, r: { code: number; stderr: string; display: string }, { code }: { code: string }) =>
      new FrameworksError(`${what} failed: ${r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.code}`}`, {
        code,
        exitCode: ExitCode.FAILED,
        suggestions: [r.display],
        detail: r.stderr.trim().split('\n').slice(-12).join('\n'),
      });
    const p = this.progress();
    const interrupted = (what: string) => interruptedError(`Interrupted: ${what} was stopped; ${this.flags.image ? 'no image was tagged' : 'bin/helmsman was left as it was'}.`);

    if (this.flags.image) {
      const tag = `${HELMSMAN_IMAGE}:${this.flags.tag ?? h.dockerTag(stamp.version)}`;
      const argv = ['docker', 'build', '-t', tag, '-f', 'api_sidecar/Dockerfile', '--build-arg', `VERSION=${stamp.version}`, '--build-arg', `GIT_COMMIT=${stamp.git_commit}`, '--build-arg', `BUILD_DATE=${stamp.build_date}`, '.'];
      if (this.flags['dry-run']) {
        this.out(`Would run (in ${ws.monorepo}): ${argv.join(' ')}`);
        return { target: 'image', dry_run: true, image: tag, ...stamp, binary: null, up_to_date: false, command: argv };
      }
      p.wait(`docker build ${tag}`);
      const r = await ex.run(argv, { cwd: ws.monorepo, signal: this.interrupted }).catch((e) => {
        if (this.interrupted.aborted) throw interrupted('docker build');
        throw e;
      });
      p.stop();
      if (r.code !== 0) throw fail(`docker build of ${tag}`, r, { code: 'IMAGE_BUILD_FAILED' });
      this.success(`Built image ${tag} (Helmsman ${stamp.version})`);
      this.next(`frameworks workspace dev up`, `frameworks workspace use-local edge`);
      return { target: 'image', dry_run: false, image: tag, ...stamp, binary: null, up_to_date: false, command: argv };
    }

    const staged = `${ws.staging}/helmsman`;
    const binary = `${ws.bin}/helmsman`;
    const build = inContainer ? h.goBuildInContainer(inContainer, ws.monorepo, ws.staging, stamp) : h.goBuild(ws.monorepo, stamp, staged);
    if (this.flags['dry-run']) {
      this.out(`Would run (in ${build.cwd}): ${Object.entries(build.env).map(([k, v]) => `${k}=${v} `).join('')}${build.argv.join(' ')}`);
      return { target: 'binary', dry_run: true, image: null, ...stamp, binary, up_to_date: false, command: build.argv };
    }
    await makeDir(ws.staging);
    p.wait(`go build ./cmd/helmsman (${inContainer ? `in ${inContainer}` : `Go ${go?.installed}`})`);
    const r = await ex.run(build.argv, { cwd: build.cwd, env: build.env, signal: this.interrupted }).catch((e) => {
      if (this.interrupted.aborted) throw interrupted('go build');
      throw e;
    });
    p.stop();
    if (this.interrupted.aborted) throw interrupted('go build');
    if (r.code !== 0) throw fail('go build ./cmd/helmsman', r, { code: 'GO_BUILD_FAILED' });
    // go touches an up-to-date output without rewriting it: compare bytes, not times.
    const upToDate = await sameContent(staged, binary);
    if (!upToDate) {
      try {
        await installFile(staged, binary, this.interrupted);
      } catch (e) {
        if (this.interrupted.aborted) throw interrupted('the copy into bin/');
        throw e;
      }
    }
    this.success(`${upToDate ? 'Up to date' : 'Built'}: ${binary} (Helmsman ${stamp.version}, commit ${stamp.git_commit}, ${stamp.build_date})`);
    this.next(`${binary} --help`, 'frameworks workspace build helmsman --image');
    return { target: 'binary', dry_run: false, image: null, ...stamp, binary, up_to_date: upToDate, command: build.argv };
  }
}
