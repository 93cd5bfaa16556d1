import { Flags } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';

export default class Logout extends FrameworksCommand<typeof Logout> {
  static override summary = 'Remove the stored credentials of a context (or of all contexts).';
  static override examples = [
    { description: 'Remove the credentials of the current context', command: '<%= config.bin %> logout' },
    { description: 'Remove the credentials of the prod context', command: '<%= config.bin %> logout --context prod' },
    { description: 'Remove the credentials of every context', command: '<%= config.bin %> logout --all' },
  ];
  static override flags = {
    all: Flags.boolean({ description: 'Remove the credentials of every context.' }),
  };
  static override mutating = true;

  async run() {
    const store = this.credentialStore();
    const names = this.flags.all ? Object.keys((await store.load()).contexts) : [(await this.context()).name];
    const removed: string[] = [];
    for (const name of names) if (await store.removeContext(name)) removed.push(name);
    this.auditTargets = names;
    if (removed.length) this.success(`Removed stored credentials of ${removed.map((n) => `"${n}"`).join(', ')}.`);
    else this.success(`No stored credentials${this.flags.all ? '' : ` for "${names[0]}"`}; nothing to remove.`);
    const envVars = ['FRAMEWORKS_JWT', 'FRAMEWORKS_SERVICE_TOKEN', 'SERVICE_TOKEN'].filter((k) => process.env[k]);
    if (envVars.length) this.warning(`${envVars.join(', ')} still set in the environment and will keep being used; unset them to log out fully.`, 'ENV_CREDENTIALS_REMAIN');
    return { removed, contexts: names };
  }
}
