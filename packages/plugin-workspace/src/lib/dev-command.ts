import { Flags, type Command, type Interfaces } from '@oclif/core';
import type { ComposeProject } from '@frameworks/sdk/compose';
import { WorkspaceCommand } from './workspace-command.js';

export type DevFlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof DevCommand)['baseFlags'] & T['flags']>;

/** Base of `workspace dev up|down|status|logs`: the monorepo's dev compose plus the generated override. */
export abstract class DevCommand<T extends typeof Command> extends WorkspaceCommand<T> {
  static override baseFlags = {
    ...WorkspaceCommand.baseFlags,
    only: Flags.string({ multiple: true, delimiter: ',', description: 'Act on these services only (comma-separated or repeated).' }),
    project: Flags.string({ description: 'Compose project name. Default: frameworks-dev.' }),
  };

  protected declare flags: DevFlagsOf<T>;

  protected async devProject(): Promise<{ project: ComposeProject; monorepo: string; dir: string }> {
    const { LocalExecutor, checkProjectName } = await import('@frameworks/sdk');
    const { ComposeProject } = await import('@frameworks/sdk/compose');
    const { requireClone } = await import('../workspace/require-clone.js');
    const { DEV_PROJECT, OVERRIDE_FILE } = await import('../workspace/dev-stack.js');
    const ws = await this.workspace();
    const ex = new LocalExecutor();
    await requireClone(ex, 'monorepo', ws.monorepo, 'docker-compose.yml', ws.dir);
    const name = this.flags.project ? checkProjectName(this.flags.project) : DEV_PROJECT;
    const files = ['docker-compose.yml'];
    if (await ex.exists(`${ws.monorepo}/${OVERRIDE_FILE}`)) files.push(OVERRIDE_FILE);
    const project = new ComposeProject({ executor: ex, name, workingDir: ws.monorepo, files });
    return { project, monorepo: ws.monorepo, dir: ws.dir };
  }
}
