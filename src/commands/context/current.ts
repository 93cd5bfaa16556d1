import { FrameworksCommand } from '@frameworks/cli-kit';

export default class ContextCurrent extends FrameworksCommand<typeof ContextCurrent> {
  static override summary = 'Print the name of the context commands use.';
  static override description =
    'The context commands act on: --context, else FRAMEWORKS_CONTEXT, else the current context of config.yaml, else the built-in "local". Only the name on stdout, for scripts; --json says where it came from.';
  static override examples = [
    { description: 'Print the name of the current context', command: '<%= config.bin %> context current' },
    { description: 'Keep the name in a shell variable', command: 'ctx=$(<%= config.bin %> context current)' },
  ];

  async run() {
    const ctx = await this.context();
    this.out(ctx.name);
    return { name: ctx.name, source: ctx.nameSource };
  }
}
