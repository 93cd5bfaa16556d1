import { Args } from '@oclif/core';
import { FrameworksCommand, renderKeyValues, renderTable } from '@frameworks/cli-kit';
import { describeGatewaySettings, gatewaySettings, resolveContext, tildify, type ContextConfig } from '@frameworks/sdk';
import { credentialsView, describeExpiry, endpointsView } from '../../lib/context-view.js';

export default class ContextShow extends FrameworksCommand<typeof ContextShow> {
  static override summary = 'Show a context: endpoints and where each value comes from, credentials.';
  static override description = 'Show a context: endpoints (with where each value comes from), executor, credentials (redacted).';
  static override examples = [
    { description: 'Show the current context: endpoints, where each comes from, credentials', command: '<%= config.bin %> context show' },
    { description: 'Show the prod context as JSON', command: '<%= config.bin %> context show prod --json' },
  ];
  /** `context show <TAB>` completes the context names. */
  static completionValues = { name: 'contexts' };
  static override args = { name: Args.string({ description: 'Context name (default: the active context).' }) };

  async run() {
    const loaded = await this.loadConfig();
    const ctx = resolveContext(loaded.doc, { context: this.args.name ?? this.flags.context });
    const creds = credentialsView(await this.credentialStore().get(ctx.name));
    const endpoints = endpointsView(ctx);
    const executor = ctx.executor;
    const gateway = gatewaySettings(ctx.config);
    this.out(
      renderKeyValues([
        ['context', `${ctx.name}${ctx.name === loaded.doc.current ? ' (current)' : ''}`],
        ['selected by', ctx.nameSource === 'flag' ? '--context / argument' : ctx.nameSource === 'env' ? 'FRAMEWORKS_CONTEXT' : ctx.nameSource === 'config' ? `current in ${tildify(loaded.path)}` : 'built-in default'],
        ['via', ctx.config.via ? `${ctx.config.via} (control-plane calls go through it)` : 'direct'],
        ['executor', executor.type === 'ssh' ? `ssh ${executor.user ? executor.user + '@' : ''}${executor.host}${executor.port ? ':' + executor.port : ''}` : 'local'],
        ['control plane', describeGatewaySettings(gateway)],
        // The settings other commands default from (context set): shown only when set.
        ...settingRows(ctx.config),
        ['jwt', creds.jwt ? `${creds.jwt.token} [${creds.jwt.source}] ${creds.jwt.email ?? ''} ${describeExpiry(creds.jwt.expires_at)}`.replace(/\s+/g, ' ') : 'none'],
        ['service token', creds.service_token ? `${creds.service_token.token} [${creds.service_token.source}]` : 'none'],
      ]),
    );
    this.out('');
    this.out(
      renderTable(endpoints, [
        { header: 'service', get: (e) => e.service },
        { header: 'url', get: (e) => e.url },
        { header: 'source', get: (e) => (e.env ? `env ${e.env}` : e.source) },
      ]),
    );
    return {
      name: ctx.name,
      current: ctx.name === loaded.doc.current,
      selected_by: ctx.nameSource,
      description: ctx.config.description ?? null,
      executor,
      via: ctx.config.via ?? null,
      api: ctx.config.api ?? null,
      gateway,
      release: { source: ctx.config.release?.source ?? null, public_key: ctx.config.release?.public_key ?? null },
      workspace_dir: ctx.config.workspace?.dir ?? null,
      infra_dir: ctx.config.infra?.dir ?? null,
      endpoints,
      credentials: creds,
    };
  }
}

/** `context set` keys with a value, as key/value rows (release source and key, workspace, infra folder, API era). */
function settingRows(c: ContextConfig): Array<[string, string]> {
  const rows: Array<[string, string | undefined]> = [
    ['api', c.api],
    ['release source', c.release?.source],
    ['release key', c.release?.public_key],
    ['workspace', c.workspace?.dir],
    ['infra dir', c.infra?.dir],
  ];
  return rows.filter((r): r is [string, string] => Boolean(r[1]));
}
