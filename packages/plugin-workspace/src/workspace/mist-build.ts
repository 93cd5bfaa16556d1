import { ExitCode, FrameworksError, type Executor } from '@frameworks/sdk';
import { DEV_PACKAGE, missingLibav } from './toolchains.js';

/** Upstream's own words for WITH_AV (meson_options.txt), used when the clone's file says nothing. */
export const AV_LICENCE_UPSTREAM = 'Build a generic libav-based input (not distributable!)';

/** The licence and capability warning --with-av shows before anything is built. */
export async function avLicenceWarning(ex: Executor, mistserver: string): Promise<string> {
  const opts = await ex.readFile(`${mistserver}/meson_options.txt`).catch(() => '');
  const own = /option\(\s*'WITH_AV'[^)]*description\s*:\s*'([^']*)'/.exec(opts)?.[1] ?? AV_LICENCE_UPSTREAM;
  return (
    `WITH_AV: "${own}" (MistServer's own option text). It links FFmpeg's libav* libraries into a generic input: ` +
    'the resulting binaries and images are NOT distributable — build them for your own use only, and check the licences of the libav* build you link against.'
  );
}

export interface MistOptions {
  withAv: boolean;
  releaseName?: string;
  cpu: 'generic' | 'native';
}

/** The -D options of `meson setup`, as upstream's CI passes them. */
export function mesonOptions(o: MistOptions): string[] {
  const opts = [`-DWITH_AV=${o.withAv}`];
  if (o.releaseName) opts.push(`-DRELEASE=${o.releaseName}`);
  opts.push(`-Dcpp_args=${o.cpu === 'native' ? '-march=native' : ''}`);
  return opts;
}

/** meson, ninja and a C++ compiler, and for WITH_AV the libav* headers: every missing one named with its Debian package. */
export async function requireMistToolchain(ex: Executor, withAv: boolean): Promise<void> {
  const has = async (argv: string[]) => (await ex.run(argv, { timeoutMs: 10_000 }).catch(() => undefined))?.code === 0;
  const [meson, ninja, cxx, libav] = await Promise.all([
    has(['meson', '--version']),
    has(['ninja', '--version']),
    has(['c++', '--version']),
    withAv ? missingLibav(ex) : Promise.resolve([] as string[]),
  ]);
  const packages: string[] = [];
  const missing: string[] = [];
  const need = (what: string, ...pkgs: string[]) => {
    missing.push(what);
    packages.push(...pkgs);
  };
  if (!meson) need('meson', 'meson');
  if (!ninja) need('ninja', 'ninja-build');
  if (!cxx) need('a C++ compiler', 'g++');
  if (libav === undefined) need('pkg-config', 'pkg-config');
  else if (libav.length) need(`the development headers of ${libav.join(', ')}`, ...libav.map((m) => DEV_PACKAGE[m]));
  if (!missing.length) return;
  throw new FrameworksError(`Cannot build MistServer: missing ${missing.join(', ')}.`, {
    code: libav?.length ? 'MISSING_DEV_HEADERS' : 'TOOLCHAIN_MISSING',
    exitCode: ExitCode.FAILED,
    suggestions: [`apt-get install ${packages.join(' ')}`, 'frameworks workspace status'],
  });
}

/** `[12/40] Compiling C++ object …` → `12/40 Compiling C++ object …`. */
export function ninjaProgress(chunk: string): string | undefined {
  const lines = chunk.split(/\r?\n/).filter((l) => /^\[\d+\/\d+\]/.test(l));
  return lines.at(-1)?.replace(/^\[(\d+\/\d+)\]\s*/, '$1 ');
}
