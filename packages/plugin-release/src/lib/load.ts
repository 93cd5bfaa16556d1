import { releaseLoadOptions, type ReleaseFlagValues } from '@frameworks/cli-kit';
import { frameworksHome, type ContextConfig, type Dialer, type LoadReleaseOptions } from '@frameworks/sdk';

/** Loader options of a `release` command: flags > the context's release.* > built-in; the run's Dialer for HTTP sources. */
export function commandLoadOptions(flags: ReleaseFlagValues, ctx: ContextConfig, cliVersion: string, dialer: Dialer): LoadReleaseOptions {
  return { ...releaseLoadOptions(flags, ctx, cliVersion), home: frameworksHome(), dialer };
}
