import { ExitCode, FrameworksError, type Executor } from '@frameworks/sdk';

/** A build needs its clone: exit 1 naming the folder and the init command. */
export async function requireClone(ex: Executor, name: string, path: string, marker: string, dir: string): Promise<void> {
  if (await ex.exists(`${path}/${marker}`)) return;
  const init = name === 'mistserver' ? `frameworks workspace init --dir ${dir} --with-mist` : `frameworks workspace init --dir ${dir}`;
  throw new FrameworksError(`No ${name} clone in ${path} (${marker} is missing).`, {
    code: 'WORKSPACE_NOT_CLONED',
    exitCode: ExitCode.FAILED,
    suggestions: [init, 'frameworks workspace status'],
  });
}
