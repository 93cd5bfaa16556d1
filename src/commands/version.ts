import { FrameworksCommand, renderTable } from '@frameworks/cli-kit';

export default class Version extends FrameworksCommand<typeof Version> {
  static override summary = 'Show the CLI, Node and platform versions, and every plugin with its version.';
  static override examples = [
    { description: 'Show the CLI, Node and platform versions and the plugins', command: '<%= config.bin %> version' },
    { description: 'The same, as JSON for a bug report or a script', command: '<%= config.bin %> version --json' },
  ];

  async run() {
    const plugins = [...this.config.plugins.values()]
      .filter((p) => p.name !== this.config.pjson.name)
      .map((p) => ({ name: p.name, version: p.version, type: p.type }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const result = {
      cli: this.config.pjson.name,
      version: this.config.version,
      node: process.version,
      platform: this.config.platform,
      arch: this.config.arch,
      plugins,
    };
    this.out(`${result.cli} ${result.version}`);
    this.out(`node ${result.node}, ${result.platform}-${result.arch}`);
    this.out('');
    this.out(
      renderTable(plugins, [
        { header: 'plugin', get: (p) => p.name, id: true },
        { header: 'version', get: (p) => p.version },
        { header: 'type', get: (p) => p.type },
      ]),
    );
    return result;
  }
}
