import { Flags, type Command, type Interfaces } from '@oclif/core';
import { HostsCommand, type HostContext } from '@frameworks/cli-kit';
import type { HostOutcome } from '@frameworks/sdk';

export { errorView, type HostContext } from '@frameworks/cli-kit';

export type EdgeFlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof EdgeCommand)['baseFlags'] & T['flags']>;

/**
 * Base of every `edge` verb: HostsCommand's --ssh fleet fan-out plus --dir, the edge folder.
 * Domain logic receives an Executor and never knows whether it is local or remote.
 */
export abstract class EdgeCommand<T extends typeof Command> extends HostsCommand<T> {
  static override baseFlags = {
    ...HostsCommand.baseFlags,
    dir: Flags.string({
      helpGroup: 'EDGE',
      description: "Edge folder (on the remote host with --ssh). Default: FRAMEWORKS_EDGE_DIR, then the context's edge.dir, then the current folder.",
    }),
  };

  protected declare flags: EdgeFlagsOf<T>;

  /** --dir > FRAMEWORKS_EDGE_DIR > the context's edge.dir > "." (relative to the host's working folder). */
  protected async edgeDir(): Promise<string> {
    if (this.flags.dir) return this.flags.dir;
    if (process.env.FRAMEWORKS_EDGE_DIR?.trim()) return process.env.FRAMEWORKS_EDGE_DIR.trim();
    const ctx = await this.context();
    return ctx.config.edge?.dir ?? '.';
  }

  /** Run `task` for the edge folder on this host or on every --ssh host. */
  protected async onHosts<R>(task: (h: HostContext) => Promise<R>): Promise<HostOutcome<R>[]> {
    return this.runOnHosts(await this.edgeDir(), task);
  }
}
