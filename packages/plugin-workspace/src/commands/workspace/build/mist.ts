import { Flags } from '@oclif/core';
import { WorkspaceCommand } from '../../../lib/workspace-command.js';

export default class BuildMist extends WorkspaceCommand<typeof BuildMist> {
  static override summary = 'Build MistServer from the workspace with meson and ninja, or a local image.';
  static override description = `meson setup <dir>/mistserver/build -DWITH_AV=… [-DRELEASE=…] [-Dcpp_args=-march=native], then ninja -C build (an existing build folder is reconfigured).
--with-av builds MistServer's generic libav-based input: its binaries are NOT distributable (MistServer's own option text). The warning is shown first and the build needs --accept-av-licence, or a yes at the prompt on a terminal; off a terminal without the flag it stops with exit 2 before anything is built. Missing libav* development headers are named with the Debian packages to install.
--cpu native tunes for this machine's CPU (-march=native): the result may not run on another CPU.
--image builds Dockerfile.mistserver under frameworks-mistserver:<tag>; upstream's Dockerfile enables WITH_AV, so it needs the same acceptance.`;

  static override examples = [
    { description: 'Build MistServer without the libav input', command: '<%= config.bin %> workspace build mist' },
    { description: 'Build with the libav input (not distributable), accepting its licence', command: '<%= config.bin %> workspace build mist --with-av --accept-av-licence' },
    { description: 'Tune for this machine and name the release', command: '<%= config.bin %> workspace build mist --cpu native --release-name my-box' },
  ];

  static override flags = {
    'with-av': Flags.boolean({ description: 'Build the libav-based input (WITH_AV): NOT distributable.' }),
    'accept-av-licence': Flags.boolean({ description: 'Accept the WITH_AV licence terms without a prompt.' }),
    'release-name': Flags.string({ description: 'RELEASE name compiled into the binaries (e.g. Generic_x86_64).' }),
    cpu: Flags.string({ options: ['generic', 'native'], default: 'generic', description: 'generic (portable) or native (-march=native, this CPU only).' }),
    image: Flags.boolean({ description: 'Build the image from Dockerfile.mistserver instead.' }),
    tag: Flags.string({ description: 'Image tag (with --image). Default: local.' }),
    'dry-run': Flags.boolean({ description: 'Print the commands; build nothing.' }),
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const { LocalExecutor, FrameworksError, ExitCode, usageError } = await import('@frameworks/sdk');
    const { removePath } = await import('@frameworks/sdk/workspace');
    const { interruptedError } = await import('@frameworks/cli-kit');
    const m = await import('../../../workspace/mist-build.js');
    const { requireClone } = await import('../../../workspace/require-clone.js');
    const { MIST_IMAGE } = await import('../../../workspace/local-images.js');
    const ws = await this.workspace();
    const ex = new LocalExecutor();
    this.auditTargets = [ws.dir];
    await requireClone(ex, 'mistserver', ws.mistserver, 'meson.build', ws.dir);
    const withAv = this.flags['with-av'] || this.flags.image;
    if (withAv) {
      const warning = await m.avLicenceWarning(ex, ws.mistserver);
      this.warning(warning, 'AV_NOT_DISTRIBUTABLE');
      if (!this.flags['accept-av-licence']) {
        const retry = `frameworks workspace build mist ${this.argv.filter((a) => a !== '--accept-av-licence').join(' ')} --accept-av-licence`.replace(/\s+/g, ' ');
        if (!this.interactive) {
          throw usageError('--with-av needs the licence accepted: pass --accept-av-licence (or answer yes on a terminal). Nothing was built.', [retry], 'AV_LICENCE_NOT_ACCEPTED');
        }
        const { promptConfirm } = await import('@frameworks/cli-kit/prompts');
        if (!(await promptConfirm(this.promptContext, 'Build with WITH_AV (not distributable)?', '--accept-av-licence'))) {
          throw new FrameworksError('WITH_AV not accepted: nothing was built.', { code: 'CANCELLED', exitCode: ExitCode.FAILED, suggestions: ['frameworks workspace build mist'] });
        }
      }
    }
    const cpu = this.flags.cpu as 'generic' | 'native';
    if (cpu === 'native') this.warning('--cpu native compiles with -march=native: the binaries may not run on any other CPU (not portable).', 'CPU_NATIVE_NOT_PORTABLE');
    const opts = m.mesonOptions({ withAv: Boolean(this.flags['with-av']), releaseName: this.flags['release-name'], cpu });
    const p = this.progress();
    const interrupted = (what: string) => interruptedError(`Interrupted: ${what} was stopped (exit 130); run the same command again to finish the build.`);
    const runStep = async (argv: string[], what: string, { code }: { code: string }) => {
      const r = await ex
        .run(argv, {
          cwd: ws.mistserver,
          signal: this.interrupted,
          onStdout: (c) => {
            const line = m.ninjaProgress(c);
            if (line) p.wait(`${what}: ${line}`);
          },
        })
        .catch((e) => {
          if (this.interrupted.aborted) throw interrupted(what);
          throw e;
        });
      if (r.code !== 0) {
        const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n');
        throw new FrameworksError(`${what} failed: ${tail.filter((l) => /error|ERROR|not found/.test(l)).at(-1) ?? tail.at(-1) ?? `exit ${r.code}`}`, {
          code,
          exitCode: ExitCode.FAILED,
          suggestions: [r.display],
          detail: tail.slice(-12).join('\n'),
        });
      }
      return r;
    };

    if (this.flags.image) {
      const tag = `${MIST_IMAGE}:${this.flags.tag ?? 'local'}`;
      const mistOpts = opts.filter((o) => !o.startsWith('-DWITH_AV')).join(' ');
      const argv = ['docker', 'build', '-t', tag, '-f', 'Dockerfile.mistserver', '--build-arg', `MIST_OPTS=${mistOpts}`];
      if (this.flags['release-name']) argv.push('--build-arg', `RELEASE=${this.flags['release-name']}`);
      argv.push('.');
      if (this.flags['dry-run']) {
        this.out(`Would run (in ${ws.mistserver}): ${argv.join(' ')}`);
        return { target: 'image', dry_run: true, image: tag, with_av: true, cpu, build_dir: null, commands: [argv] };
      }
      p.wait(`docker build ${tag}`);
      await runStep(argv, `docker build ${tag}`, { code: 'IMAGE_BUILD_FAILED' });
      p.stop();
      this.success(`Built image ${tag} (WITH_AV: not distributable)`);
      this.next('frameworks workspace dev up', 'frameworks workspace use-local edge');
      return { target: 'image', dry_run: false, image: tag, with_av: true, cpu, build_dir: null, commands: [argv] };
    }

    await m.requireMistToolchain(ex, Boolean(this.flags['with-av']));
    const buildDir = `${ws.mistserver}/build`;
    const configured = await ex.exists(`${buildDir}/build.ninja`);
    const setup = configured ? ['meson', 'configure', 'build', ...opts] : ['meson', 'setup', ...opts, 'build'];
    const ninja = ['ninja', '-C', 'build'];
    if (this.flags['dry-run']) {
      this.out(`Would run (in ${ws.mistserver}):\n  ${setup.join(' ')}\n  ${ninja.join(' ')}`);
      return { target: 'binary', dry_run: true, image: null, with_av: Boolean(this.flags['with-av']), cpu, build_dir: buildDir, commands: [setup, ninja] };
    }
    // A build folder left by a setup that failed half way has no build.ninja: start it afresh.
    if (!configured) await removePath(buildDir);
    p.wait(configured ? 'meson configure' : 'meson setup');
    try {
      await runStep(setup, configured ? 'meson configure' : 'meson setup', { code: 'MESON_FAILED' });
    } catch (e) {
      if (!configured) await removePath(buildDir);
      throw e;
    }
    p.wait('ninja');
    await runStep(ninja, 'ninja', { code: 'NINJA_FAILED' });
    p.stop();
    this.success(`Built MistServer in ${buildDir} (WITH_AV=${Boolean(this.flags['with-av'])}, cpu ${cpu}${this.flags['release-name'] ? `, release ${this.flags['release-name']}` : ''})`);
    this.next('frameworks workspace build mist --image', 'frameworks workspace status');
    return { target: 'binary', dry_run: false, image: null, with_av: Boolean(this.flags['with-av']), cpu, build_dir: buildDir, commands: [setup, ninja] };
  }
}
