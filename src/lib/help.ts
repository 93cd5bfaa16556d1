import { CommandHelp, Help, type Command } from '@oclif/core';

/** The help topics (`help environment`, `help exit-codes`); their pages load the SDK, so only when shown. */
const TOPIC_NAMES = new Set(['environment', 'exit-codes']);
const helpTopics = async () => (await import('./help-topics.js')).HELP_TOPICS;

/** Purpose groups of flags (helpGroup), in the order help lists them. */
const GROUP_ORDER = ['TLS', 'PORTS', 'IMAGES', 'ADVANCED'];

/**
 * Help as people read it: USAGE is `<command> <args> [flags]` (the flags are listed below it), required
 * flags first, the summary once (not again as the first line of the description), wrapped at the
 * terminal width without breaking words.
 */
class FrameworksCommandHelp extends CommandHelp {
  protected override defaultUsage(): string {
    const args = Object.values(this.command.args ?? {})
      .filter((a) => !a.hidden)
      .map((a) => (a.required ? `<${a.name}>` : `[<${a.name}>]`));
    const id = this.command.id.replaceAll(':', this.config.topicSeparator);
    return [id, ...args, '[flags]'].join(' ');
  }

  /** A long list of argument values is written with spaces (`a | b | c`), so it wraps between values, never inside one. */
  protected override args(args: Command.Arg.Any[]): ReturnType<CommandHelp['args']> {
    return super.args(
      args.map((a) => (a.options && a.options.join('|').length > 40 ? { ...a, options: undefined, description: `(${a.options.join(' | ')}) ${a.description ?? ''}`.trim() } : a)),
    );
  }

  protected override description(): string | undefined {
    const d = this.command.description;
    if (!d || d.trim() === this.command.summary?.trim()) return undefined;
    return this.wrap(d.trim());
  }

  /**
   * Every example command wrapped at the width with ` \` continuations (still pasteable), also the
   * plain-string ones oclif prints unwrapped; a description line above it when the example has one.
   */
  protected override examples(examples: Command.Example[] | undefined | string): string | undefined {
    if (!examples || examples.length === 0) return undefined;
    const width = this.indentSpacing * 2;
    return (Array.isArray(examples) ? examples : [examples])
      .map((a) => {
        let description: string | undefined;
        let commands: string[];
        if (typeof a === 'string') {
          const lines = a.split('\n').filter(Boolean);
          const first = lines.length >= 2 && !/^(\$ )?(<%= config.bin %>|frameworks|[A-Z_]+=|printf|echo|cat) /.test(lines[0]) ? 1 : 0;
          description = first ? lines[0] : undefined;
          commands = lines.slice(first);
        } else {
          description = a.description;
          commands = [a.command];
        }
        const body = commands
          .map((c) => this.indent(this.wrapCommand(`$ ${this.render(c).replace(/^\$ /, '')}`, this.opts.maxWidth - width - 4).join('\n')).split('\n').join(' \\\n  '))
          .join('\n');
        return description ? `${this.wrap(description, width)}\n\n${body}` : body;
      })
      .join('\n\n');
  }

  /** Fill lines up to `columns`, breaking between words but never between a flag and its value (`--email ops@example.com`). */
  private wrapCommand(text: string, columns: number): string[] {
    const words = text.split(' ');
    const groups: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const pair = `${words[i]} ${words[i + 1]}`;
      if (/^--?[\w-]+$/.test(words[i]) && i + 1 < words.length && !/^[-|<>&;]/.test(words[i + 1]) && pair.length <= columns) {
        groups.push(pair);
        i++;
      } else groups.push(words[i]);
    }
    const lines: string[] = [];
    for (const g of groups) {
      if (lines.length > 0 && `${lines.at(-1)} ${g}`.length <= columns) lines[lines.length - 1] += ` ${g}`;
      else lines.push(g);
    }
    return lines;
  }

  public override generate(): string {
    // Ungrouped flags first (required ones first), then the purpose groups, GLOBAL last; by name within each.
    const entries = Object.entries(this.command.flags ?? {});
    const seen = [...new Set(entries.map(([, f]) => f.helpGroup ?? ''))];
    const rank = (g = '') => (g === '' ? -1 : g === 'GLOBAL' ? 1e6 : GROUP_ORDER.includes(g) ? GROUP_ORDER.indexOf(g) : 100 + seen.indexOf(g));
    entries.sort(
      ([a, fa], [b, fb]) =>
        rank(fa.helpGroup) - rank(fb.helpGroup) || Number(Boolean(fb.required)) - Number(Boolean(fa.required)) || a.localeCompare(b),
    );
    this.command.flags = Object.fromEntries(entries) as Command.Loadable['flags'];
    this.opts.flagSortOrder = 'none';
    return super.generate();
  }
}

export default class FrameworksHelp extends Help {
  override CommandHelpClass = FrameworksCommandHelp;
  private buffered: string[] = [];

  override async showHelp(argv: string[]): Promise<void> {
    const words = argv.filter((a) => !a.startsWith('-'));
    const topic = words.length === 1 && TOPIC_NAMES.has(words[0]) ? (await helpTopics())[words[0]] : undefined;
    if (topic) this.log(topic.render(this.opts.maxWidth ?? 80));
    else await super.showHelp(argv);
    await this.flush();
  }

  override async showRootHelp(): Promise<void> {
    const bin = this.config.bin;
    this.log(this.formatRoot());
    this.log('');
    const topics = this.sortedTopics.filter((t) => !t.name.includes(':'));
    const names = new Set(topics.map((t) => t.name));
    // A command that is also a topic (plugins, autocomplete) is listed once, as the topic.
    const commands = this.sortedCommands.filter((c) => c.id && !c.id.includes(':') && !names.has(c.id));
    if (topics.length) this.log(this.formatTopics(topics) + '\n');
    if (commands.length) this.log(this.formatCommands(commands) + '\n');
    const list = (rows: Array<[string, string]>) => this.renderList(rows, { indentation: 2, spacer: '\n', stripAnsi: this.opts.stripAnsi });
    this.log(
      this.section(
        'GLOBAL FLAGS',
        list([
          ['-c, --context=<name>', 'Context to use (default: FRAMEWORKS_CONTEXT, then the current context).'],
          ['--json', 'One JSON document on stdout: {status, result, warnings}, or the error.'],
          ['--verbose', 'Show HTTP calls and commands run, on stderr (secrets redacted).'],
          ['--no-input', 'Never prompt; fail and name the flag that answers instead.'],
          ['-h, --help', 'Show help for a command.'],
        ]),
      ) + '\n',
    );
    this.log(
      this.section(
        'HELP TOPICS',
        list(Object.entries(await helpTopics()).map(([name, t]): [string, string] => [`${bin} help ${name}`, t.summary])),
      ) + '\n',
    );
    this.log(
      this.section(
        'EXAMPLES',
        [
          'Set up a context and check every endpoint:',
          `  $ ${bin} context init && ${bin} context check`,
          'Prepare a host and write an edge stack:',
          `  $ ${bin} edge preflight --domain edge-1.example.com`,
          `  $ ${bin} edge init --domain edge-1.example.com --email ops@example.com`,
          'Any command against another context, as JSON:',
          `  $ ${bin} --context prod edge status --json`,
        ].join('\n'),
      ),
    );
  }

  protected override log(...args: string[]): void {
    this.buffered.push(args.join(' '));
  }

  /**
   * Out in one piece: through $PAGER (default `less -FRX`, which quits at once when it fits) when the
   * help is longer than a terminal screen; straight to stdout anywhere else (pipes, --json, CI).
   */
  private async flush(): Promise<void> {
    const text = this.buffered.join('\n') + '\n';
    this.buffered = [];
    const rows = process.stdout.rows ?? 0;
    const paged =
      process.stdout.isTTY && !process.env.CI && process.env.TERM !== 'dumb' && !process.argv.includes('--json') && rows > 0 && text.split('\n').length > rows;
    if (paged) {
      const pager = process.env.PAGER?.trim() || 'less -FRX';
      // The SDK is loaded only to page: plain help stays as light as oclif's own.
      const { showInPager } = await import('@frameworks/sdk');
      if (showInPager(text, pager)) return;
    }
    process.stdout.write(text);
  }
}
