import { Args } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import { renameContext } from '@frameworks/sdk';

export default class ContextRename extends FrameworksCommand<typeof ContextRename> {
  static override summary = 'Rename a context, with its stored credentials.';
  static override description =
    'config.yaml and credentials.yaml change together or not at all; the current context follows the rename. An existing name is refused.';
  static override examples = [
    { description: 'Rename staging to staging-eu, with its credentials', command: '<%= config.bin %> context rename staging staging-eu' },
  ];
  /** Completion offers the existing names for the first argument. */
  static completionValues = { old: 'contexts' };
  static override args = {
    old: Args.string({ required: true, description: 'The context to rename.' }),
    new: Args.string({ required: true, description: 'Its new name.' }),
  };
  static override mutating = true;

  async run() {
    const { old: from, new: to } = this.args;
    this.auditTargets = [from, to];
    const r = await renameContext(this.configStore(), this.credentialStore(), from, to);
    this.success(`Renamed context "${from}" to "${to}"${r.credentials_moved ? ' with its credentials' : ''}${r.current ? '; it is still the current context' : ''}.`);
    return r;
  }
}
