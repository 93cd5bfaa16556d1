import { Args, Flags } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError, unknownContext } from '@frameworks/sdk';

/** Creating the context is no answer to deleting one that does not exist. */
const NOT_CREATE = { offerCreate: false, retry: (n: string) => `frameworks context delete ${n}` };

export default class ContextDelete extends FrameworksCommand<typeof ContextDelete> {
  static override summary = 'Delete a context and its stored credentials.';
  static override examples = [
    { description: 'Delete staging and its credentials, after asking', command: '<%= config.bin %> context delete staging' },
    { description: 'Delete staging without asking (scripts, CI)', command: '<%= config.bin %> context delete staging --yes' },
  ];
  /** `context delete <TAB>` completes the context names. */
  static completionValues = { name: 'contexts' };
  static override args = { name: Args.string({ required: true, description: 'Context name.' }) };
  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation.' }),
    'dry-run': Flags.boolean({ description: 'Say what would be deleted; change nothing.' }),
  };
  static override mutating = true;

  async run() {
    const { name } = this.args;
    this.auditTargets = [name];
    // Deleting a context is also how to get rid of one that makes the file invalid.
    const repair = { context: name };
    const { doc } = await this.configStore().load({ repair });
    if (!doc.contexts[name]) throw unknownContext(name, doc, 'flag', NOT_CREATE);
    if (this.flags['dry-run']) {
      this.out(`Would delete context "${name}" and its stored credentials.`);
      return { name, deleted: false, dryRun: true };
    }
    if (!this.flags.yes) {
      const { promptConfirm } = await import('@frameworks/cli-kit/prompts');
      const ok = await promptConfirm(this.promptContext, `Delete context "${name}" and its stored credentials?`, '--yes');
      if (!ok) throw new FrameworksError('Cancelled; nothing was deleted.', { code: 'CANCELLED', exitCode: ExitCode.FAILED });
    }
    let newCurrent: string | undefined;
    await this.configStore().update((d) => {
      if (!d.contexts[name]) throw unknownContext(name, d, 'flag', NOT_CREATE);
      delete d.contexts[name];
      if (d.current === name) {
        newCurrent = Object.keys(d.contexts).sort()[0];
        if (newCurrent) d.current = newCurrent;
        else delete d.current;
      }
    }, { repair });
    const hadCredentials = await this.credentialStore().removeContext(name);
    this.success(`Deleted context "${name}"${hadCredentials ? ' and its credentials' : ''}.`);
    if (newCurrent) this.warning(`"${name}" was current; the current context is now "${newCurrent}".`, 'CURRENT_CHANGED');
    return { name, deleted: true, credentials_removed: hadCredentials, current: newCurrent ?? null };
  }
}
