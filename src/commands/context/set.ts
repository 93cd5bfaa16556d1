import { Args, Flags } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import { CONTEXT_SETTINGS, applyContextSetting, isContextSetting, parseContextSetting, unknownContext, usageError } from '@frameworks/sdk';

export default class ContextSet extends FrameworksCommand<typeof ContextSet> {
  static override summary = 'Set one setting of a context: via, api, gateway-only, grpc-plaintext, …';
  static override description = `Settings: via (jump host), api, gateway-only, gateway-fallback, grpc-plaintext, description, release.source, release.public_key, workspace.dir, infra.dir.
via: user@host[:port] (or a ~/.ssh/config alias) through which every control-plane call of the context goes. api: rest | grpc | auto. gateway-only, gateway-fallback, grpc-plaintext: true | false. release.source: where releases are published (a folder, an https:// URL or a git repository; a folder is stored as an absolute path). release.public_key: the cosign public key (PEM file, checked now) that signs the release manifests. workspace.dir: the folder "workspace init" cloned into. infra.dir: the Terraform folder of the infra plugin. --unset removes the setting. Endpoints are set with context set-url.`;
  static override examples = [
    {
      description: 'Send every control-plane call of prod through an SSH jump host',
      command: '<%= config.bin %> context set prod via ops@bastion.example.com:2222',
    },
    { description: 'Make prod talk gRPC to the control plane', command: '<%= config.bin %> context set prod api grpc' },
    { description: 'Stop using the jump host for prod', command: '<%= config.bin %> context set prod via --unset' },
    { description: 'Take the releases of prod from a git repository', command: '<%= config.bin %> context set prod release.source https://github.com/acme/frameworks-gitops.git' },
  ];
  static completionValues = { context: 'contexts' };
  static override args = {
    context: Args.string({ required: true, description: 'Context name.' }),
    key: Args.string({ required: true, description: 'Setting.', options: [...CONTEXT_SETTINGS] }),
    value: Args.string({ description: 'New value (leave out with --unset).' }),
  };
  static override flags = {
    unset: Flags.boolean({ description: 'Remove the setting.' }),
  };
  static override mutating = true;

  async run() {
    const { context, key, value } = this.args;
    if (!isContextSetting(key)) throw usageError(`Unknown setting "${key}".`, [`Settings: ${CONTEXT_SETTINGS.join(', ')}`], 'UNKNOWN_SETTING');
    if (this.flags.unset && value !== undefined) throw usageError('Give a value or --unset, not both.', [`frameworks context set ${context} ${key} --unset`], 'INVALID_CONTEXT_VALUE');
    if (!this.flags.unset && value === undefined) throw usageError(`No value for ${key}.`, [`frameworks context set ${context} ${key} <value>`, `frameworks context set ${context} ${key} --unset`], 'INVALID_CONTEXT_VALUE');
    const next = this.flags.unset ? undefined : parseContextSetting(key, value!);
    let previous: string | boolean | undefined;
    await this.configStore().update((doc) => {
      const ctx = doc.contexts[context];
      if (!ctx) throw unknownContext(context, doc);
      previous = applyContextSetting(ctx, key, next);
    });
    this.auditContext = context;
    this.auditTargets = [`${context}:${key}`];
    this.success(`${context}: ${key} ${next === undefined ? 'unset' : `= ${String(next)}`}${previous !== undefined && previous !== next ? ` (was ${String(previous)})` : ''}`);
    return { context, key, value: next ?? null, previous: previous ?? null };
  }
}
