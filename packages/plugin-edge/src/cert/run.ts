import { ExitCode, FrameworksError, usageError } from '@frameworks/sdk';
import type { HostContext } from '@frameworks/sdk';
import { dialAddress, edgeHint } from '../lib/edge-hint.js';
import { openStack } from '../lib/stack.js';
import { certReport, probeEdgeTls, type CertReport, type ProbeOverrides } from './probe.js';
import { reloadCaddy, type ReloadResult } from './reload.js';

export interface CertResult extends CertReport {
  host: string;
  dir: string;
  /** With --reload: what `caddy reload` did (the certificate above is read after it). */
  reload?: ReloadResult;
}

/** `--address host:port` (IPv6 in brackets). */
export function parseAddress(spec: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(spec.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw usageError(`--address "${spec}" is not host:port.`, ['e.g. --address 127.0.0.1:8443 or --address [::1]:443'], 'INVALID_ADDRESS');
  return { host: m[1] ?? m[2], port };
}

/** Suggestions for a certificate that failed, by its code. */
export function certSuggestions(h: Pick<HostContext, 'host' | 'dir' | 'remote'>, code: string): string[] {
  if (code === 'HTTPS_UNREACHABLE') return [edgeHint(h, 'status'), edgeHint(h, 'logs caddy')];
  return [edgeHint(h, 'logs caddy', '--grep', 'acme|certificate|tls', '--ignore-case'), edgeHint(h, 'cert --reload')];
}

/** One host of `edge cert`: optional reload, then one TLS dial; a failing verdict throws with the report. */
export async function certForHost(h: HostContext, o: { domain?: string; reload?: boolean; overrides?: Omit<ProbeOverrides, 'hostAddress'> }): Promise<CertResult> {
  const stack = await openStack(h, o.domain ? { domain: o.domain } : {});
  if (!stack.domain) {
    throw usageError(`No domain: EDGE_DOMAIN is empty in ${h.dir}/.edge.env and --domain was not given.`, [edgeHint(h, 'cert', '--domain', '<edge.example.com>')], 'NO_DOMAIN');
  }
  let reload: ReloadResult | undefined;
  if (o.reload) {
    reload = await reloadCaddy(stack);
    if (!reload.ok) {
      throw new FrameworksError(`caddy reload failed in the caddy container${h.remote ? ` on ${h.host}` : ''} (exit ${reload.exit_code})${reload.output ? `:\n${reload.output}` : ''}`, {
        code: 'CADDY_RELOAD_FAILED',
        exitCode: ExitCode.FAILED,
        result: { host: h.host, dir: h.dir, reload },
        suggestions: [edgeHint(h, 'logs caddy', '--tail', '50'), 'Check the Caddyfile: docker run --rm -v "$PWD/Caddyfile:/etc/caddy/Caddyfile:ro" <caddy image> caddy validate --config /etc/caddy/Caddyfile --adapter caddyfile'],
      });
    }
  }
  const address = dialAddress(stack);
  const view = await probeEdgeTls(stack, { ...o.overrides, ...(address ? { hostAddress: address } : {}) });
  const result: CertResult = { host: h.host, dir: h.dir, ...certReport(stack.domain, view), ...(reload ? { reload } : {}) };
  if (result.status === 'fail') {
    throw new FrameworksError(`${result.domain}${h.remote ? ` on ${h.host}` : ''}: ${result.message}`, {
      code: result.code,
      exitCode: ExitCode.FAILED,
      result,
      suggestions: certSuggestions(h, result.code),
    });
  }
  return result;
}
