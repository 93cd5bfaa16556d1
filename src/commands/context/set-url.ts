import { Args } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import { SERVICE_KEYS, assertEndpoint, contextName, endpointEnvVar, resolveContext } from '@frameworks/sdk';

export default class ContextSetUrl extends FrameworksCommand<typeof ContextSetUrl> {
  static override summary = 'Set one service endpoint of a context.';
  static override description = `Services: ${SERVICE_KEYS.join(', ')}. HTTP services take http(s) URLs, signalman-ws a ws(s) URL, gRPC services host:port or grpc(s)://host:port.`;
  static override examples = [
    {
      description: 'Point the Gateway of the current context at api.example.com',
      command: '<%= config.bin %> context set-url gateway https://api.example.com',
    },
    {
      description: 'Set the Decklog gRPC endpoint of the prod context',
      command: '<%= config.bin %> context set-url decklog-grpc grpcs://decklog.example.com:18006 --context prod',
    },
  ];
  static override args = {
    service: Args.string({ required: true, description: 'Service key.', options: [...SERVICE_KEYS] }),
    url: Args.string({ required: true, description: 'Endpoint URL or host:port.' }),
  };
  static override mutating = true;

  async run() {
    const { service, url } = this.args;
    assertEndpoint(service, url);
    let name = '';
    let previous: string | undefined;
    await this.configStore().update((doc, existed) => {
      // First write on a new machine: materialise the default context instead of failing.
      name = resolveContext(doc, { context: this.flags.context }).name;
      const ctx = doc.contexts[name];
      previous = ctx.endpoints?.[service];
      ctx.endpoints = { ...(ctx.endpoints ?? {}), [service]: url };
      if (!existed) doc.current ??= name;
      // The endpoint being set may be what makes the file invalid (e.g. a scheme now refused): this is its repair.
    }, { repair: (raw) => ({ context: contextName(raw, { context: this.flags.context }).name, service }) });
    this.auditContext = name;
    this.auditTargets = [`${name}:${service}`];
    this.success(`${name}: ${service} = ${url}${previous && previous !== url ? ` (was ${previous})` : ''}`);
    if (process.env[endpointEnvVar(service)]) {
      this.warning(`${endpointEnvVar(service)} is set and overrides this value in this shell.`, 'ENV_OVERRIDES_CONFIG');
    }
    return { context: name, service, url, previous: previous ?? null };
  }
}
