import { posix } from 'node:path';
import { ExitCode, FrameworksError, checkPinned, imageRef, readFilesIfPresent, type Executor, type LoadedRelease } from '@frameworks/sdk';
import { fragmentName } from './fragments.js';

/**
 * `services up --channel|--version|--release-source`: the planned fragments must run exactly the
 * release's images (image@digest; `services plan` with the same flags writes them). A fragment that
 * pins something else stops the run before anything starts (RELEASE_PLAN_MISMATCH), and the release's
 * own unpinned entries are refused unless --allow-unpinned (RELEASE_UNPINNED).
 */
export async function checkPlanMatchesRelease(
  executor: Executor,
  dir: string,
  services: string[],
  release: LoadedRelease,
  allowUnpinned: boolean,
): Promise<{ warning?: { code: string; message: string }; checked: string[] }> {
  const inRelease = services.filter((s) => release.images.some((i) => i.service === s));
  const warning = checkPinned(release, allowUnpinned, inRelease);
  const texts = await readFilesIfPresent(executor, inRelease.map((s) => posix.join(dir, fragmentName(s))));
  const wrong: string[] = [];
  inRelease.forEach((s, i) => {
    const r = release.images.find((x) => x.service === s)!;
    const want = imageRef({ image: r.image, ...(r.tag ? { tag: r.tag } : {}), ...(r.digest ? { digest: r.digest } : {}) });
    const have = /^\s+image:\s*"?([^"\s]+)"?\s*$/m.exec(texts[i] ?? '')?.[1];
    if (have !== want) wrong.push(`${s} (${have ?? 'no image'} ≠ ${want})`);
  });
  if (wrong.length) {
    throw new FrameworksError(`The plan in ${dir} does not run release ${release.version}: ${wrong.join(', ')}. Nothing was started.`, {
      code: 'RELEASE_PLAN_MISMATCH',
      exitCode: ExitCode.FAILED,
      suggestions: [`frameworks services plan --dir ${dir} --version ${release.version}${release.origin.kind === 'built-in' ? '' : ` --release-source ${release.origin.spec}`}   # pin the release first`],
    });
  }
  return { ...(warning ? { warning } : {}), checked: inRelease };
}
