import { Args } from '@oclif/core';
import { FrameworksCommand, renderTable } from '@frameworks/cli-kit';
import { FrameworksError, ExitCode, LocalExecutor, readFilesIfPresent } from '@frameworks/sdk';
import { join } from 'node:path';

/** Where the package that owns a command publishes the JSON Schema of its `--json` result. */
function schemaFile(root: string, id: string): string {
  return join(root, 'schemas', `${id.split(':').join('/')}.json`);
}

export default class Schema extends FrameworksCommand<typeof Schema> {
  static override summary = 'List or print the JSON Schema of every command\'s --json result.';
  static override description = `Every --json document is one envelope: {"status":0,"result":…,"warnings":[…]} on success;
{"status":N,"name","code","message","suggestions":[commands],"warnings":[…]} (and sometimes "result") on failure.
The schema of "result" ships with the package that owns the command (schemas/<topic>/<verb>.json) and is
checked against the real output of every --json run in the tests, so a change to it is a deliberate one.`;
  static override strict = false;
  static override args = { command: Args.string({ description: 'Command, e.g. "edge status" (words or edge:status).' }) };
  static override examples = [
    { description: 'List the commands that publish a result schema, and where it is', command: '<%= config.bin %> schema' },
    { description: 'Print the schema of edge status --json', command: '<%= config.bin %> schema edge status' },
    { description: 'Save a schema to validate documents with any JSON Schema tool', command: '<%= config.bin %> schema admin nodes list > nodes.schema.json' },
  ];

  async run() {
    const words = this.argv.filter((a) => !a.startsWith('-'));
    // An alias (whoami) is listed once, under the command it names (auth status).
    const aliases = new Set(this.config.commands.flatMap((c) => c.aliases));
    const entries = this.config.commands
      .filter((c) => !c.hidden && !aliases.has(c.id) && !c.id.startsWith('plugins') && !c.id.startsWith('autocomplete') && c.id !== 'help')
      .map((c) => ({ id: c.id, root: this.config.plugins.get(c.pluginName ?? '')?.root ?? this.config.root }))
      .sort((a, b) => a.id.localeCompare(b.id));
    if (words.length === 0) {
      const texts = await readFilesIfPresent(new LocalExecutor(), entries.map((e) => schemaFile(e.root, e.id)));
      const rows = entries.map((e, i) => ({ command: e.id.split(':').join(' '), schema: texts[i] === undefined ? null : schemaFile(e.root, e.id) }));
      this.out(renderTable(rows, [
        { header: 'command', get: (r) => r.command },
        { header: 'schema', get: (r) => r.schema ?? '(none)' },
      ]));
      return { commands: rows };
    }
    const typed = words.join(':');
    const id = this.config.commands.find((c) => c.aliases.includes(typed) && !aliases.has(c.id))?.id ?? typed;
    const entry = entries.find((e) => e.id === id);
    if (!entry) {
      throw new FrameworksError(`"${words.join(' ')}" is not a frameworks command.`, {
        code: 'COMMAND_NOT_FOUND', exitCode: ExitCode.USAGE, suggestions: [`${this.config.bin} schema`],
      });
    }
    const [text] = await readFilesIfPresent(new LocalExecutor(), [schemaFile(entry.root, entry.id)]);
    if (text === undefined) {
      throw new FrameworksError(`${words.join(' ')} publishes no result schema.`, { code: 'SCHEMA_MISSING', exitCode: ExitCode.FAILED, suggestions: [`${this.config.bin} schema`] });
    }
    const schema = JSON.parse(text) as object;
    if (!this.jsonEnabled()) process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
    return { command: words.join(' '), file: schemaFile(entry.root, entry.id), schema };
  }
}
