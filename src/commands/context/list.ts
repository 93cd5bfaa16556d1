import { FrameworksCommand, renderTable } from '@frameworks/cli-kit';
import { resolveContext, tildify } from '@frameworks/sdk';

export default class ContextList extends FrameworksCommand<typeof ContextList> {
  static override summary = 'List contexts; * marks the current one.';
  static override examples = [
    { description: 'List the contexts, the current one marked with *', command: '<%= config.bin %> context list' },
    { description: 'List the contexts as JSON', command: '<%= config.bin %> context list --json' },
  ];

  async run() {
    const loaded = await this.loadConfig();
    const active = resolveContext(loaded.doc, { context: this.flags.context }).name;
    const contexts = Object.entries(loaded.doc.contexts).map(([name, c]) => ({
      name,
      current: name === loaded.doc.current,
      active: name === active,
      description: c.description ?? null,
      gateway: c.endpoints?.gateway ?? null,
      executor: c.executor?.type === 'ssh' ? `ssh ${c.executor.user ? c.executor.user + '@' : ''}${c.executor.host}` : 'local',
    }));
    if (!loaded.exists) this.info(`No config file yet (${tildify(loaded.path)}); showing the built-in default.`);
    this.out(
      renderTable(contexts, [
        { header: ' ', get: (c) => (c.current ? '*' : '') },
        { header: 'name', get: (c) => c.name, id: true },
        { header: 'gateway', get: (c) => c.gateway ?? '(default)' },
        { header: 'executor', get: (c) => c.executor },
        { header: 'description', get: (c) => c.description ?? '' },
      ]),
    );
    if (!loaded.exists) this.next('frameworks context init');
    return { configured: loaded.exists, path: loaded.path, current: loaded.doc.current ?? null, active, contexts };
  }
}
