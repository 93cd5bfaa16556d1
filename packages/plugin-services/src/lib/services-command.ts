import { Flags, type Command, type Interfaces } from '@oclif/core';
import { HostsCommand, type HostContext } from '@frameworks/cli-kit';
import type { HostOutcome } from '@frameworks/sdk';

export { errorView, type HostContext } from '@frameworks/cli-kit';

export type ServicesFlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof ServicesCommand)['baseFlags'] & T['flags']>;

/**
 * Base of every `services` verb: HostsCommand's --ssh fleet fan-out plus --dir, the plan folder.
 * Domain code receives an Executor.
 */
export abstract class ServicesCommand<T extends typeof Command> extends HostsCommand<T> {
  static override baseFlags = {
    ...HostsCommand.baseFlags,
    dir: Flags.string({
      helpGroup: 'SERVICES',
      description: 'Plan folder (svc-*.yml, plan.yaml, .central.env); on the remote host with --ssh. Default: FRAMEWORKS_SERVICES_DIR, then the current folder.',
    }),
  };

  protected declare flags: ServicesFlagsOf<T>;

  protected servicesDir(): string {
    if (this.flags.dir) return this.flags.dir;
    if (process.env.FRAMEWORKS_SERVICES_DIR?.trim()) return process.env.FRAMEWORKS_SERVICES_DIR.trim();
    return '.';
  }

  /** Run `task` for the plan folder (absolute locally) on this host or on every --ssh host. */
  protected async onHosts<R>(task: (h: HostContext) => Promise<R>): Promise<HostOutcome<R>[]> {
    return this.runOnHosts(this.servicesDir(), task, { absoluteLocalDir: true });
  }
}

/** Flags of the verbs that run Compose (up, down, status, logs). */
export const runFlags = {
  only: Flags.string({
    multiple: true,
    description: 'Act on these services only (comma-separated or repeated). Default: the services of plan.yaml, else every svc-*.yml in --dir.',
  }),
  project: Flags.string({ description: 'Compose project name. Default: the project recorded in plan.yaml (frameworks-central).' }),
};
