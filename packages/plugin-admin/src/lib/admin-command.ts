import { Flags, type Command } from '@oclif/core';
import { FrameworksCommand, viaFlags } from '@frameworks/cli-kit';
import {
  ExitCode,
  FrameworksError,
  GatewayGraphqlClient,
  gatewaySettings,
  refuseInGatewayOnly,
  routeControlCall,
  chooseCredential,
  collectCredentials,
  isFrameworksError,
  parseDuration,
  selectCommodore,
  selectQuartermaster,
  usageError,
  type AuthPolicy,
  type ApiEra,
  type ChosenCredential,
  type CommodoreApi,
  type QuartermasterApi,
} from '@frameworks/sdk';

/** Request timeout shared by every admin command (contract §8: the Go CLI used 15 s). */
export const timeoutFlag = Flags.string({ description: 'HTTP request timeout.', default: '15s' });
export const yesFlag = Flags.boolean({ char: 'y', description: 'Do not ask for confirmation (required without a terminal).' });
export const dryRunFlag = Flags.boolean({ description: 'Show what would be sent; send nothing.' });

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Base of the `admin` verbs. Credential choice:
 * - Quartermaster provider routes (bootstrap tokens) and the QM read routes (nodes, clusters) set
 *   `preferServiceToken`: with policy jwt-or-service the service token wins when one is available
 *   (env or stored), else the JWT. The Go CLI sent a stored JWT first, so a non-provider user login
 *   next to a valid service token got 403 (contract §1.5 ⚠); preferring the service role avoids it.
 * - Developer tokens (Commodore) use policy 'jwt' (a user login is required, contract §1.5).
 */
export abstract class AdminCommand<T extends typeof Command> extends FrameworksCommand<T> {
  static preferServiceToken = false;
  static override baseFlags = { ...FrameworksCommand.baseFlags, ...viaFlags };
  /** The Gateway's GraphQL offers this command (developer and bootstrap tokens); others refuse in a gateway-only context. */
  static gatewayOffered = false;

  protected override async credential(policy: AuthPolicy = this.fwCtor.authPolicy): Promise<ChosenCredential | undefined> {
    if (policy === 'jwt-or-service' && (this.constructor as typeof AdminCommand).preferServiceToken) {
      const ctx = await this.context();
      const creds = collectCredentials(await this.credentialStore().get(ctx.name));
      if (creds.serviceToken) return chooseCredential('service', creds, ctx.name);
    }
    return super.credential(policy);
  }

  protected timeoutMs(): number {
    const value = (this.flags as { timeout?: string }).timeout ?? '15s';
    return parseDuration(value, '--timeout');
  }

  /** gRPC clients hold a channel open until the run ends. */
  private readonly closers: Array<() => void> = [];

  public override async finally(err: Error | undefined): Promise<void> {
    for (const close of this.closers.splice(0)) close();
    return super.finally(err);
  }

  /** Quartermaster in the era the context speaks (`api: rest|grpc|auto`); commands never know which. */
  protected async quartermaster(): Promise<{ client: QuartermasterApi; url: string; era: ApiEra; credential?: ChosenCredential }> {
    const timeoutMs = this.timeoutMs();
    const ctx = await this.context();
    await this.refuseIfGatewayOnly('Quartermaster', 'quartermaster', ctx.endpoints.quartermaster.value);
    const credential = await this.credential();
    const sel = await selectQuartermaster({ ctx, credential, timeoutMs, dialer: await this.dialer() });
    this.closers.push(() => sel.client.close?.());
    return { ...sel, credential };
  }

  protected async commodore(): Promise<{ client: CommodoreApi; url: string; era: ApiEra; credential?: ChosenCredential }> {
    const timeoutMs = this.timeoutMs();
    const ctx = await this.context();
    const credential = await this.credential();
    const sel = await selectCommodore({ ctx, credential, timeoutMs, dialer: await this.dialer() });
    this.closers.push(() => sel.client.close?.());
    return { ...sel, credential };
  }

  /**
   * Runs the call direct or through the Gateway's GraphQL, as the context's `gateway` setting says
   * (the decision itself is the SDK's routeControlCall); same credential and --timeout either way.
   */
  protected async routed<R>(service: 'quartermaster' | 'control', o: { direct: () => Promise<R>; gateway: (g: GatewayGraphqlClient) => Promise<R>; mutation?: boolean }): Promise<R> {
    const ctx = await this.context();
    const credential = await this.credential();
    const timeoutMs = this.timeoutMs();
    const gatewayUrl = ctx.endpoints.gateway.value;
    const gateway = new GatewayGraphqlClient({
      baseUrl: gatewayUrl, context: ctx.name, credential, timeoutMs, directQuartermasterUrl: ctx.endpoints.quartermaster.value, dialer: await this.dialer(),
    });
    const routed = await routeControlCall({
      operation: this.id?.replace(/:/g, ' ') ?? 'this command',
      settings: gatewaySettings(ctx.config),
      direct: { service: service === 'control' ? 'Commodore' : 'Quartermaster', key: service, url: ctx.endpoints[service].value, run: o.direct },
      gateway: { url: gateway.url, run: () => o.gateway(gateway) },
      mutation: o.mutation,
    });
    return routed.value;
  }

  /** Where a --dry-run would send the call: the Gateway's GraphQL URL in a gateway-only context, else undefined. */
  protected async gatewayOnlyUrl(): Promise<string | undefined> {
    const ctx = await this.context();
    return gatewaySettings(ctx.config).only ? `${ctx.endpoints.gateway.value.replace(/\/+$/, '')}/graphql` : undefined;
  }

  /** A command the Gateway does not offer, in a gateway-only context: exit 1 naming the direct endpoint. */
  private async refuseIfGatewayOnly(service: string, key: string, url: string): Promise<void> {
    if ((this.constructor as typeof AdminCommand).gatewayOffered) return;
    refuseInGatewayOnly((await this.context()).config, this.id?.replace(/:/g, ' ') ?? 'this command', { service, key, url });
  }

  /** Ask before a destructive step unless --yes; without a terminal → exit 2 naming --yes. */
  protected async confirm(question: string): Promise<boolean> {
    if ((this.flags as { yes?: boolean }).yes) return true;
    const { promptConfirm } = await import('@frameworks/cli-kit/prompts');
    return promptConfirm(this.promptContext, question, '--yes');
  }
}

/** Re-raise a NOT_FOUND with the admin command that lists what exists. */
export async function withListHint<R>(p: Promise<R>, message: string, hint: string): Promise<R> {
  try {
    return await p;
  } catch (err) {
    if (isFrameworksError(err) && err.code === 'NOT_FOUND') {
      throw new FrameworksError(message, { code: 'NOT_FOUND', exitCode: ExitCode.FAILED, name: 'NotFoundError', suggestions: [hint] });
    }
    throw err;
  }
}

/** `k=v,k2=v2` (repeatable) → flat object of strings; exit 2 on a pair without `=` or with an empty key. */
export function parseMetadata(values: string[] | undefined): Record<string, string> | undefined {
  if (!values?.length) return undefined;
  const out: Record<string, string> = {};
  for (const pair of values.flatMap((v) => v.split(',')).map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!key) throw usageError(`--metadata: "${pair}" is not key=value.`, ['e.g. --metadata site=ams,rack=r12'], 'INVALID_METADATA');
    out[key] = pair.slice(eq + 1).trim();
  }
  return Object.keys(out).length ? out : undefined;
}

/** Dates as the server sent them; `-` for absent. */
export const orDash = (v: unknown): string => (v === undefined || v === null || v === '' ? '-' : String(v));
