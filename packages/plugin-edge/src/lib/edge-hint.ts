import { quoteArg, quoteCommand } from '@frameworks/sdk';
import type { HostContext } from '@frameworks/sdk';
import { COMPOSE_FILE, type EdgeStack } from './stack.js';
import { EDGE_ENV } from './edge-env.js';

/**
 * An exact `frameworks edge <verb> …` command line for this host: the same --dir and, over SSH,
 * the same --ssh target, so a hint can be pasted as is. Values are shell-quoted.
 */
export function edgeHint(host: Pick<HostContext, 'dir' | 'host' | 'remote'>, verb: string, ...args: string[]): string {
  const parts = ['frameworks', 'edge', ...verb.split(' '), ...args.map(quoteArg)];
  parts.push('--dir', quoteArg(host.dir));
  if (host.remote) parts.push('--ssh', quoteArg(host.host));
  return parts.join(' ');
}

/**
 * The exact Compose command prefix of this stack (v2 plugin or v1 binary, as detected), to run on
 * the host itself: `docker compose -p <project> -f <dir>/docker-compose.edge.yml --env-file <dir>/.edge.env`.
 */
export function composePrefix(stack: EdgeStack, composeArgv: string[]): string {
  const dir = stack.host.dir.replace(/\/+$/, '') || '.';
  return quoteCommand([...composeArgv, '-p', stack.project.name, '-f', `${dir}/${COMPOSE_FILE}`, '--env-file', `${dir}/${EDGE_ENV}`]);
}

/**
 * The address this machine dials for a remote host's HTTPS when the domain does not resolve: the
 * SSH target's resolved HostName (an ~/.ssh/config alias is not a DNS name). Undefined when
 * checkHttps' own choice applies (local runs, or a stack bound to one address).
 */
export function dialAddress(stack: EdgeStack): string | undefined {
  const h = stack.host;
  if (!h.remote) return undefined;
  if (stack.bind && stack.bind !== '0.0.0.0' && stack.bind !== '::') return undefined;
  return h.address;
}
