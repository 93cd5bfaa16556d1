import { frameworksHome, type HostContext } from '@frameworks/sdk';
import { posix } from 'node:path';

/**
 * Where `bundle load` records which local tag runs which release image: ~/.frameworks/bundles on the
 * host (FRAMEWORKS_HOME here), read by `edge init --bundle`. A user folder, so loading needs no root
 * beyond access to the Docker engine.
 */
export async function mappingDirOn(h: HostContext): Promise<string> {
  if (!h.remote) return posix.join(frameworksHome(), 'bundles');
  const r = await h.executor.run(['sh', '-c', 'printf %s "$HOME"']);
  const home = r.stdout.trim() || '/root';
  return posix.join(home, '.frameworks', 'bundles');
}
