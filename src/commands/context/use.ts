import { Args } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import { unknownContext } from '@frameworks/sdk';

export default class ContextUse extends FrameworksCommand<typeof ContextUse> {
  static override summary = 'Make a context the current one.';
  static override examples = [
    { description: 'Make prod the current context', command: '<%= config.bin %> context use prod' },
  ];
  /** `context use <TAB>` completes the context names. */
  static completionValues = { name: 'contexts' };
  static override args = { name: Args.string({ required: true, description: 'Context name.' }) };
  static override mutating = true;

  async run() {
    const { name } = this.args;
    this.auditTargets = [name];
    let previous: string | undefined;
    await this.configStore().update((doc) => {
      if (!doc.contexts[name]) throw unknownContext(name, doc, 'flag', { retry: (n) => `frameworks context use ${n}` });
      previous = doc.current;
      doc.current = name;
    });
    this.success(`Current context is now "${name}".`);
    if (process.env.FRAMEWORKS_CONTEXT && process.env.FRAMEWORKS_CONTEXT !== name) {
      this.warning(`FRAMEWORKS_CONTEXT=${process.env.FRAMEWORKS_CONTEXT} is set and overrides the current context in this shell.`, 'ENV_OVERRIDES_CURRENT');
    }
    return { current: name, previous: previous ?? null };
  }
}
