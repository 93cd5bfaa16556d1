import { quoteArg } from '@frameworks/sdk';
import type { HostContext } from '@frameworks/sdk';
import { edgeHint } from '../lib/edge-hint.js';
import { DOCKERD_NOFILE_FIX } from '../preflight/nofile.js';
import type { Check } from '../preflight/types.js';
import type { CertReport } from '../cert/probe.js';
import type { HttpsView } from './https.js';
import type { ServiceStatus } from './services.js';

/**
 * Where a fix runs and what it names: the host (for --dir/--ssh), the domain, and the exact
 * compose prefix of the stack (`docker compose -p … -f … --env-file …`, or docker-compose for v1).
 */
export interface FixContext {
  host: Pick<HostContext, 'host' | 'dir' | 'remote'>;
  domain: string;
  /** Quoted compose command prefix, without a subcommand; undefined when the stack could not be opened. */
  compose?: string;
}

/** `ssh <host> '<cmd>'` for a command that must run on the edge host itself. */
export function onHost(ctx: FixContext, cmd: string): string {
  return ctx.host.remote ? `ssh ${quoteArg(ctx.host.host)} ${quoteArg(cmd)}` : cmd;
}

/**
 * The command for a failed or warning preflight check, chosen by the check's category (⚠ the Go
 * CLI matched substrings of the check name, so `ip_local_port_range` was told to free a port). A
 * check's own `fix` wins where it is a host command; sysctl always maps to `edge tune --write` for this host.
 */
export function preflightFix(c: Pick<Check, 'id' | 'category' | 'fix'>, ctx: FixContext): string {
  switch (c.category) {
    case 'sysctl':
      // tune has no --dir: it changes the host, not the stack.
      return `frameworks edge tune --write${ctx.host.remote ? ` --ssh ${quoteArg(ctx.host.host)}` : ''}`;
    case 'dns':
      return onHost(ctx, `getent ahosts ${quoteArg(ctx.domain || '<domain>')}`) + "   # must list this host's public address: point the domain's A/AAAA record at it";
    case 'ports': {
      // The id names the port (port-<n>): the category chose the remedy, the id only fills it in.
      const port = /^port-(\d+)$/.exec(c.id)?.[1] ?? '<port>';
      return onHost(ctx, `ss -Htlnp 'sport = :${port}'`) + `   # who holds port ${port}: stop it so Caddy can bind it`;
    }
    case 'time':
      return onHost(ctx, c.fix ?? 'timedatectl set-ntp true');
    case 'docker':
      if (c.fix) return onHost(ctx, c.fix);
      return c.id === 'compose' ? onHost(ctx, 'apt-get install -y docker-compose-plugin') : onHost(ctx, 'docker info') + '   # why the engine does not answer';
    case 'disk':
      return onHost(ctx, c.fix ?? 'docker system prune');
    case 'shm':
      return onHost(ctx, c.fix ?? 'mount -o remount,size=1g /dev/shm');
    case 'limits':
      return onHost(ctx, c.fix ?? DOCKERD_NOFILE_FIX);
    default: {
      const never: never = c.category;
      return never;
    }
  }
}

/** A service that is not there or not running is started; one that runs but is unhealthy (or restarting) is explained by its logs. */
export function serviceFix(s: Pick<ServiceStatus, 'service' | 'state' | 'status' | 'pinned_image'>, ctx: FixContext): string {
  // Drift alone: `edge update` recreates the container from the pinned image.
  if (s.pinned_image && s.status === 'warn') return edgeHint(ctx.host, 'update');
  const notRunning = ['missing', 'exited', 'dead', 'created'].includes(s.state);
  if (notRunning && ctx.compose) return onHost(ctx, `${ctx.compose} up -d`);
  return edgeHint(ctx.host, `logs ${s.service}`, '--tail', '100');
}

/** No TLS handshake: Caddy is not serving (its logs say why); /health not 200: Helmsman answers /health. */
export function httpsFix(h: Pick<HttpsView, 'handshake' | 'health'>, ctx: FixContext): string {
  if (!h.handshake) return edgeHint(ctx.host, 'logs caddy', '--tail', '100');
  return edgeHint(ctx.host, 'logs helmsman', '--tail', '100');
}

/** A certificate that is late, failing or not verifying: Caddy's ACME/issuance log lines explain it. */
export function certFix(c: Pick<CertReport, 'code'>, ctx: FixContext): string {
  if (c.code === 'HTTPS_UNREACHABLE') return edgeHint(ctx.host, 'logs caddy', '--tail', '100');
  return edgeHint(ctx.host, 'logs caddy', '--grep', 'acme|certificate|tls', '--ignore-case');
}
