import { ExitCode, FrameworksError, isFrameworksError } from '../errors.js';
import { trace } from '../log.js';
import type { ContextConfig } from '../config/schema.js';

/** Which way a control-plane call went. */
export type ControlPath = 'direct' | 'gateway';

export interface GatewaySettings {
  /** Everything the Gateway offers goes through it; direct endpoints are not tried. */
  only: boolean;
  /** A direct endpoint that cannot be reached hands the call to the Gateway. */
  fallback: boolean;
}

export function gatewaySettings(config: Pick<ContextConfig, 'gateway'> | undefined): GatewaySettings {
  return { only: config?.gateway?.only === true, fallback: config?.gateway?.fallback === true };
}

/** One line for `context show`: how this context reaches the control plane. */
export function describeGatewaySettings(s: GatewaySettings): string {
  if (s.only) return 'gateway-only (developer tokens, bootstrap tokens, node modes through its GraphQL)';
  if (s.fallback) return 'direct, the Gateway when a direct endpoint is unreachable';
  return 'direct';
}

export interface RouteSpec<T> {
  /** What the user ran, for messages: "admin tokens create". */
  operation: string;
  settings: GatewaySettings;
  /** The direct service: its name ("Quartermaster"), context key and URL, and the call. */
  direct: { service: string; key: string; url: string; run: () => Promise<T> };
  /** The Gateway's way, or why it has none (then gateway-only fails naming the direct endpoint). */
  gateway: { url: string; run: () => Promise<T> } | { unsupported: string };
  /**
   * The call changes something: fall back only when the direct request surely never reached the
   * server (refused, no route, name unknown, connect timeout), never after it may have been sent.
   */
  mutation?: boolean;
}

export interface Routed<T> {
  value: T;
  path: ControlPath;
  /** "via Gateway GraphQL" / "direct Quartermaster", as --verbose prints it. */
  describe: string;
}

/**
 * The one place that decides whether a control-plane call goes direct or through the Gateway
 * (issue 8, gateway-only flows). Commands hand it both ways; it picks, says which in the trace,
 * and on a fallback names both endpoints when both fail.
 */
export async function routeControlCall<T>(spec: RouteSpec<T>): Promise<Routed<T>> {
  const viaGateway = `via Gateway GraphQL`;
  const direct = `direct ${spec.direct.service}`;
  if (spec.settings.only) {
    if ('unsupported' in spec.gateway) throw notOffered(spec, spec.gateway.unsupported);
    trace(`route: ${spec.operation} ${viaGateway} (${spec.gateway.url}; gateway-only context)`);
    return { value: await spec.gateway.run(), path: 'gateway', describe: viaGateway };
  }
  trace(`route: ${spec.operation} ${direct} (${spec.direct.url})`);
  try {
    return { value: await spec.direct.run(), path: 'direct', describe: direct };
  } catch (err) {
    if (!spec.settings.fallback || 'unsupported' in spec.gateway || !unreachableForFallback(err, spec.mutation === true)) throw err;
    const gw = spec.gateway;
    trace(`route: ${spec.direct.service} unreachable (${(err as Error).message}); ${spec.operation} ${viaGateway} (${gw.url}; fallback allowed)`);
    try {
      return { value: await gw.run(), path: 'gateway', describe: viaGateway };
    } catch (gwErr) {
      // The Gateway answered (a union error, a refusal): that is the answer. It is down too: say both.
      if (!unreachableForFallback(gwErr, false)) throw gwErr;
      const first = err as FrameworksError;
      throw new FrameworksError(`${first.message} The Gateway fallback failed too: ${(gwErr as Error).message}`, {
        code: first.code, exitCode: first.exitCode, name: first.name, cause: err, suggestions: first.suggestions,
      });
    }
  }
}

/**
 * For commands the Gateway does not offer: in a gateway-only context, exit 1 naming the direct
 * endpoint they need (GATEWAY_NOT_OFFERED); otherwise nothing.
 */
export function refuseInGatewayOnly(config: Pick<ContextConfig, 'gateway'>, operation: string, direct: { service: string; key: string; url: string }): void {
  if (!gatewaySettings(config).only) return;
  throw notOffered({ operation, direct }, "the Gateway's GraphQL does not offer it");
}

function notOffered(spec: { operation: string; direct: { service: string; key: string; url: string } }, why: string): FrameworksError {
  return new FrameworksError(
    `${spec.operation} needs ${spec.direct.service} directly (${spec.direct.url}): ${why}, and this context is gateway-only.`,
    {
      code: 'GATEWAY_NOT_OFFERED', exitCode: ExitCode.FAILED, name: 'GatewayError',
      suggestions: [`Run it where ${spec.direct.url} is reachable, or point the context at it: frameworks context set-url ${spec.direct.key} <url>`],
    },
  );
}

/** Connection never made: safe to repeat elsewhere even for a call that changes something. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** A network failure or timeout (not a 4xx/5xx answer); for mutations only one that surely sent nothing. */
export function unreachableForFallback(err: unknown, mutation: boolean): boolean {
  if (!isFrameworksError(err) || !['UNREACHABLE', 'TIMEOUT'].includes(err.code)) return false;
  if (!mutation) return true;
  const cause = err.cause as { code?: string; event?: string } | undefined;
  return NEVER_SENT.has(cause?.code ?? '') || cause?.event === 'connect' || cause?.event === 'lookup';
}
