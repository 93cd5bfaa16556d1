import { Args, Flags } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import {
  CONTEXT_NAME_PATTERN,
  ExitCode,
  FrameworksError,
  assertEndpoint,
  defaultEndpoints,
  unknownContext,
  usageError,
  type ServiceKey,
} from '@frameworks/sdk';

export default class ContextCreate extends FrameworksCommand<typeof ContextCreate> {
  static override summary = 'Create a context (dev, staging, prod…) with its own endpoints and credentials.';
  static override examples = [
    {
      description: 'Create prod with its Gateway and Quartermaster URLs and switch to it',
      command: '<%= config.bin %> context create prod --set gateway=https://api.example.com --set quartermaster=https://qm.example.com --use',
    },
    { description: 'Create staging with the endpoints of prod', command: '<%= config.bin %> context create staging --from prod' },
    { description: "Create acme-prod with the endpoints infra apply created for tenant acme-prod", command: '<%= config.bin %> context create acme-prod --from-infra --dir ./infra' },
  ];
  static override args = {
    name: Args.string({ required: true, description: 'Context name (letters, digits, . _ -).' }),
  };
  static override flags = {
    from: Flags.string({ description: 'Copy endpoints from this existing context.' }),
    set: Flags.string({ description: 'Endpoint as service=url; repeatable.', multiple: true }),
    description: Flags.string({ description: 'Free text shown by context list.' }),
    use: Flags.boolean({ description: 'Make it the current context.' }),
    'from-infra': Flags.boolean({
      description: "Endpoints from the `endpoints` output of the tenant of this name (what infra apply or infra output kept; --set wins).",
    }),
    dir: Flags.string({ description: "With --from-infra: the Terraform folder, kept as the context's infra.dir (the infra commands' default --dir).", dependsOn: ['from-infra'] }),
  };
  static override mutating = true;

  async run() {
    const { name } = this.args;
    if (!new RegExp(CONTEXT_NAME_PATTERN).test(name)) {
      throw usageError(`"${name}" is not a valid context name.`, ['Use letters, digits, dot, dash and underscore (e.g. prod, staging-eu)'], 'INVALID_CONTEXT_NAME');
    }
    const endpoints: Partial<Record<ServiceKey, string>> = {};
    for (const pair of this.flags.set ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw usageError(`--set "${pair}" is not service=url.`, ['e.g. --set gateway=https://api.example.com'], 'INVALID_SET');
      const key = pair.slice(0, eq).trim();
      const url = pair.slice(eq + 1).trim();
      assertEndpoint(key, url);
      endpoints[key] = url;
    }
    // The infra plugin is installable: its outputs are read from the file it keeps, through the SDK.
    const fromInfra: Partial<Record<ServiceKey, string>> = {};
    if (this.flags['from-infra']) {
      const { readInfraRecord } = await import('@frameworks/sdk');
      const record = await readInfraRecord(name);
      for (const [key, url] of Object.entries(record.endpoints)) {
        assertEndpoint(key, url);
        fromInfra[key as ServiceKey] = url;
      }
      if (!Object.keys(fromInfra).length) this.warning(`Tenant ${name}'s outputs have no endpoints map: the context gets the defaults.`, 'INFRA_NO_ENDPOINTS');
    }
    const infraDir = this.flags.dir ? (await import('node:path')).resolve(this.flags.dir) : undefined;
    this.auditTargets = [name];
    const { doc } = await this.configStore().update((doc) => {
      if (doc.contexts[name]) {
        throw new FrameworksError(`Context "${name}" already exists.`, {
          code: 'CONTEXT_EXISTS',
          exitCode: ExitCode.FAILED,
          suggestions: [`frameworks context show ${name}`, `frameworks context set-url <service> <url> --context ${name}`],
        });
      }
      let base = defaultEndpoints() as Partial<Record<ServiceKey, string>>;
      if (this.flags.from) {
        const src = doc.contexts[this.flags.from];
        if (!src) throw unknownContext(this.flags.from, doc);
        base = { ...base, ...src.endpoints };
      }
      doc.contexts[name] = {
        ...(this.flags.description ? { description: this.flags.description } : {}),
        endpoints: { ...base, ...fromInfra, ...endpoints },
        ...(infraDir ? { infra: { dir: infraDir } } : {}),
      };
      if (this.flags.use) doc.current = name;
    });
    this.success(`Created context "${name}"${this.flags.use ? ' and made it current' : ''}.`);
    this.next(this.flags.use ? 'frameworks context check' : `frameworks context use ${name}`);
    return { name, current: doc.current === name, endpoints: doc.contexts[name].endpoints };
  }
}
