import { FrameworksCommand, inputRequired, interrupted, paint } from '@frameworks/cli-kit';

interface Item {
  name: string;
  hint?: string;
}

const BACK = '← back';
const QUIT = '✕ quit';
const LEGEND = 'type to filter · ↑↓ move · enter choose · ctrl-c leave';

export default class Menu extends FrameworksCommand<typeof Menu> {
  static override summary = 'Interactive menu: pick a topic, then a command, and run it.';
  static override description =
    'Bare `frameworks` on a terminal opens this menu; elsewhere it prints help. Type to filter, ← back returns to the topics, ✕ quit leaves. Arguments with known values (contexts, service keys) are offered as choices; the command is shown before it runs.';
  static override examples = [
    { description: 'Pick a command from the menu and run it', command: '<%= config.bin %> menu' },
  ];

  async run() {
    if (!this.interactive) {
      const err = inputRequired('The menu', '<command>');
      throw Object.assign(err, { message: `${err.message} Run a command directly instead.`, suggestions: ['frameworks --help'] });
    }
    const sep = this.config.topicSeparator;
    const bin = this.config.bin;
    const render = (s: string) => s.replaceAll('<%= config.bin %>', bin).split('\n')[0];
    const commands = this.config.commands.filter((c) => !c.hidden && c.id !== 'menu' && !c.id.startsWith('autocomplete:'));
    const topicOf = (id: string) => (id.includes(':') ? id.split(':')[0] : '');
    const topics = [...new Set(commands.map((c) => topicOf(c.id)))].sort();
    // A command that is also a topic (plugins) belongs to its topic, not to "(top level)".
    const topicNames = new Set(topics);
    const inTopicOf = (t: string) => commands.filter((c) => (t ? topicOf(c.id) === t || c.id === t : !topicOf(c.id) && !topicNames.has(c.id)));
    const topLevel = inTopicOf('').map((c) => c.id).sort();
    const ran: Array<{ command: string; exit_code: number }> = [];

    for (;;) {
      const topic = await this.pick('Topic', [
        ...topics.map((t) => ({
          name: t || '(top level)',
          hint: t ? render(this.config.topics.find((x) => x.name === t)?.description ?? '') : `${topLevel.join(', ')}`,
        })),
        { name: QUIT, hint: 'leave the menu' },
      ]);
      if (topic === QUIT) break;
      const inTopic = inTopicOf(topic === '(top level)' ? '' : topic).sort((a, b) => a.id.localeCompare(b.id));
      for (;;) {
        const picked = await this.pick('Command', [
          ...inTopic.map((c) => ({ name: c.id.replaceAll(':', sep), hint: render(c.summary ?? c.description ?? '') })),
          { name: BACK, hint: 'the topics' },
          { name: QUIT, hint: 'leave the menu' },
        ]);
        if (picked === QUIT) return { ran };
        if (picked === BACK) break;
        const chosen = inTopic.find((c) => c.id.replaceAll(':', sep) === picked)!;
        const words = chosen.id.split(':');
        const argv: string[] = [];
        for (const [name, arg] of Object.entries(chosen.args ?? {})) {
          if (!arg.required) continue;
          argv.push(await this.argument(name, arg.description, [...words, ...argv]));
        }
        const line = [bin, ...words, ...argv].join(' ');
        this.info(paint(`\n$ ${line}`, 'bold', process.stderr));
        process.exitCode = 0;
        await this.config.runCommand(chosen.id, argv);
        const status = Number(process.exitCode ?? 0);
        process.exitCode = 0;
        ran.push({ command: line, exit_code: status });
        this.info(paint(`\n(${line} exited ${status})\n`, 'dim', process.stderr));
      }
    }
    return { ran };
  }

  /** A required argument: its known values as choices (the completion engine's), else typed in. */
  private async argument(name: string, description: string | undefined, typed: string[]): Promise<string> {
    const { complete } = await import('../lib/complete.js');
    const values = (await complete([...typed, ''], { root: this.config.root, env: process.env })).filter((l) => l !== ':files');
    const label = `${name}${description ? ` (${description.replace(/\.$/, '')})` : ''}`;
    if (values.length) return this.pick(label, values.map((l) => ({ name: l.split('\t')[0], hint: l.split('\t')[1] })));
    const { promptInput } = await import('@frameworks/cli-kit/prompts');
    return promptInput(this.promptContext, label, `<${name}>`);
  }

  /** A filterable list with aligned descriptions and the key legend under it. */
  private async pick(message: string, items: Item[]): Promise<string> {
    type Choice = { name: string; message: string };
    type PromptClass = new (o: Record<string, unknown>) => { run(): Promise<string>; index: number };
    const { default: Enquirer } = (await import('enquirer')) as unknown as { default: { AutoComplete: PromptClass } };
    // enquirer's autocomplete draws no pointer: without colour the focused line would not show.
    class Picker extends Enquirer.AutoComplete {
      pointer(_choice: unknown, i: number): string {
        return this.index === i ? '❯ ' : '  ';
      }
    }
    const width = Math.max(...items.map((i) => [...i.name].length));
    const dim = (s: string) => paint(s, 'dim', process.stderr);
    try {
      return await new Picker({
        name: 'value',
        message,
        stdout: process.stderr,
        limit: 15,
        footer: () => dim(LEGEND),
        // Filter on the names first (typing "use" finds context use); on the descriptions only when no name matches.
        suggest: (input: string, choices: Choice[]) => {
          const q = input.toLowerCase();
          const named = choices.filter((c) => c.name.toLowerCase().includes(q));
          return named.length ? named : choices.filter((c) => c.message.toLowerCase().includes(q));
        },
        choices: items.map((i) => ({ name: i.name, value: i.name, message: i.hint ? `${i.name.padEnd(width)}  ${dim(i.hint)}` : i.name })),
      }).run();
    } catch (err) {
      if (err === '' || err === undefined || (err instanceof Error && err.message === '')) throw interrupted();
      throw err;
    }
  }
}
