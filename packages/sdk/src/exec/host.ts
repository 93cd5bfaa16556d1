import type { Executor } from './types.js';

/**
 * One host a command acts on, as domain code sees it: an Executor and the command's folder there.
 * It lives in the SDK so that domain modules never import the command layer (oclif).
 */
export interface HostContext {
  executor: Executor;
  /** "local" or the --ssh spec as typed. */
  host: string;
  /** The command's folder on that host. */
  dir: string;
  remote: boolean;
  /** Network address of a remote host (the SSH target's resolved HostName), for probes from this machine. */
  address?: string;
}
