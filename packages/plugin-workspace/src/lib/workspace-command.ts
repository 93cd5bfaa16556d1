import { Flags, type Command, type Interfaces } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import { resolveWorkspaceDir, workspaceLayout, type WorkspaceDir } from './workspace-dir.js';

export type WorkspaceFlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof WorkspaceCommand)['baseFlags'] & T['flags']>;

/** Base of every `workspace` verb: --dir, the workspace folder (clones side by side, bin/). */
export abstract class WorkspaceCommand<T extends typeof Command> extends FrameworksCommand<T> {
  static override baseFlags = {
    ...FrameworksCommand.baseFlags,
    dir: Flags.string({
      helpGroup: 'WORKSPACE',
      description: "Workspace folder. Default: FRAMEWORKS_WORKSPACE_DIR, then the context's workspace.dir, then ./frameworks-workspace.",
    }),
  };

  protected declare flags: WorkspaceFlagsOf<T>;

  protected async workspace(): Promise<WorkspaceDir & ReturnType<typeof workspaceLayout>> {
    const ws = resolveWorkspaceDir(this.flags.dir, await this.context().catch(() => undefined));
    return { ...ws, ...workspaceLayout(ws.dir) };
  }
}
