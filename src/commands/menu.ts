import { FrameworksCommand, inputRequired } from '@frameworks/cli-kit';

export default class Menu extends FrameworksCommand<typeof Menu> {
  static override summary = 'Interactive menu: pick a topic, then a command, and run it.';
  static override description = 'Bare `frameworks` on a terminal opens this menu; elsewhere it prints help.';
  static override examples = ['<%= config.bin %> menu'];

  async run() {
    if (!this.interactive) {
      const err = inputRequired('The menu', '<command>');
      throw Object.assign(err, { message: `${err.message} Run a command directly instead.`, suggestions: ['frameworks --help'] });
    }
    const { promptSelect, promptInput } = await import('@frameworks/cli-kit/prompts');
    const sep = this.config.topicSeparator;
    const commands = this.config.commands.filter((c) => !c.hidden && c.id !== 'menu' && !c.id.startsWith('autocomplete:'));
    const topicOf = (id: string) => (id.includes(':') ? id.split(':')[0] : '');
    const topics = [...new Set(commands.map((c) => topicOf(c.id)))].sort();
    const topicChoices = topics.map((t) => ({
      name: t || '(top level)',
      hint: t ? (this.config.topics.find((x) => x.name === t)?.description ?? '') : 'login, logout, version…',
    }));
    const topic = await promptSelect(this.promptContext, 'Topic', topicChoices, '<command>');
    const inTopic = commands.filter((c) => topicOf(c.id) === (topic === '(top level)' ? '' : topic)).sort((a, b) => a.id.localeCompare(b.id));
    const picked = await promptSelect(
      this.promptContext,
      'Command',
      inTopic.map((c) => ({ name: c.id.replaceAll(':', sep), hint: c.summary ?? c.description?.split('\n')[0] ?? '' })),
      '<command>',
    );
    const chosen = inTopic.find((c) => c.id.replaceAll(':', sep) === picked)!;
    const id = chosen.id;
    const argv: string[] = [];
    for (const [name, arg] of Object.entries(chosen.args ?? {})) {
      if (!arg.required) continue;
      argv.push(await promptInput(this.promptContext, `${name}${arg.description ? ` (${arg.description})` : ''}`, `<${name}>`));
    }
    this.info(`$ ${this.config.bin} ${[id.replaceAll(':', sep), ...argv].join(' ')}`);
    await this.config.runCommand(id, argv);
    // Keep the chosen command's exit status rather than reporting the menu's own success.
    const status = Number(process.exitCode ?? 0);
    if (status !== 0) this.exit(status);
    return { ran: id, argv };
  }
}
