import { Flags } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import { CONTEXT_NAME_PATTERN, DEFAULT_CONTEXT, defaultEndpoints, dumpYaml, tildify, usageError } from '@frameworks/sdk';

export default class ContextInit extends FrameworksCommand<typeof ContextInit> {
  static override summary = 'Create ~/.frameworks/config.yaml with a context of localhost defaults.';
  static override description =
    'Writes the config file (0600, in a 0700 folder; FRAMEWORKS_HOME overrides the folder) with one context whose endpoints are the control-plane defaults on localhost, and makes it current. Running it again leaves an existing file alone unless --force.';
  static override examples = [
    { description: 'Create the config file with a local context of localhost defaults', command: '<%= config.bin %> context init' },
    { description: 'Name the first context staging', command: '<%= config.bin %> context init --name staging' },
    { description: 'Print the file --force would write; write nothing', command: '<%= config.bin %> context init --force --dry-run' },
  ];
  static override flags = {
    name: Flags.string({ description: 'Name of the first context.', default: DEFAULT_CONTEXT }),
    force: Flags.boolean({ description: 'Overwrite an existing config file (credentials are kept).' }),
    'dry-run': Flags.boolean({ description: 'Print the file that would be written; write nothing.' }),
  };
  static override mutating = true;

  async run() {
    const { name, force } = this.flags;
    if (!new RegExp(CONTEXT_NAME_PATTERN).test(name)) {
      throw usageError(`"${name}" is not a valid context name.`, ['Use letters, digits, dot, dash and underscore (e.g. prod, staging-eu)'], 'INVALID_CONTEXT_NAME');
    }
    const store = this.configStore();
    const doc = { version: 1 as const, current: name, contexts: { [name]: { endpoints: defaultEndpoints() } } };
    this.auditTargets = [store.paths.config];
    if (this.flags['dry-run']) {
      this.out(await dumpYaml(doc));
      return { path: store.paths.config, written: false, dryRun: true, config: doc };
    }
    const existing = await store.load().catch((err) => {
      if (force) return undefined; // a broken file is exactly what --force is for
      throw err;
    });
    if (existing?.exists && !force) {
      this.success(`Already initialised: ${tildify(store.paths.config)} (current context: ${existing.doc.current ?? 'none'}).`);
      this.next('frameworks context check', `frameworks context init --force   # start over`);
      return { path: store.paths.config, written: false, current: existing.doc.current ?? null };
    }
    await store.replace(doc);
    this.success(`Wrote ${tildify(store.paths.config)} with context "${name}" (current).`);
    this.next('frameworks context check', 'frameworks login --email <you@example.com>');
    return { path: store.paths.config, written: true, current: name };
  }
}
