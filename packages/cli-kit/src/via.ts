import { Flags } from '@oclif/core';

/**
 * `--via user@host[:port]` for commands that call the control plane: every HTTP and gRPC call of
 * the run goes through one SSH connection to that host (`this.dialer()` in FrameworksCommand).
 * A context's `via` does the same without the flag. Commands that also run on hosts with --ssh
 * keep doing so: --via moves only their control-plane calls.
 */
export const viaFlags = {
  via: Flags.string({
    helpGroup: 'CONTROL PLANE',
    description: "Reach the control plane through this SSH jump host (user@host[:port] or a ~/.ssh/config alias); default: the context's via, else direct.",
  }),
  'accept-new-host-key': Flags.boolean({
    helpGroup: 'SSH',
    description: 'Trust and record the key of a host seen for the first time (a changed key is always refused).',
  }),
};

/** `--ssh-jump`, like ssh -J: the hosts of --ssh are reached through these jump hosts, first hop first. */
export const sshJumpFlag = Flags.string({
  helpGroup: 'SSH',
  description: "Reach the --ssh hosts through these jump hosts, like ssh -J (user@h1[:port],user@h2); default: ~/.ssh/config's ProxyJump.",
});
