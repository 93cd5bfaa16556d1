import { ExitCode, FrameworksError } from '@frameworks/sdk';
import type { ComposeProject } from '@frameworks/sdk/compose';
import type { HostContext } from '@frameworks/sdk';
import { EDGE_ENV, readEdgeEnv, type EdgeEnv } from './edge-env.js';

export const COMPOSE_FILE = 'docker-compose.edge.yml';
export const DEFAULT_PROJECT = 'frameworks-edge';
export const SERVICES = ['caddy', 'mistserver', 'helmsman'] as const;

/** An initialised edge folder on one host: its settings and its Compose project. */
export interface EdgeStack {
  host: HostContext;
  env: EdgeEnv;
  project: ComposeProject;
  domain: string;
  tls: 'acme' | 'internal';
  httpsPort: number;
  httpPort: number;
  bind: string;
}

/** Open `<dir>` as an edge stack; a folder without .edge.env gets the init command to run. */
export async function openStack(host: HostContext, opts: { domain?: string } = {}): Promise<EdgeStack> {
  const env = await readEdgeEnv(host.executor, host.dir);
  if (!env) {
    throw new FrameworksError(`No ${EDGE_ENV} in ${host.dir}${host.remote ? ` on ${host.host}` : ''}: this folder is not an edge stack yet.`, {
      code: 'EDGE_NOT_INITIALISED',
      exitCode: ExitCode.FAILED,
      suggestions: [`frameworks edge init --domain <edge.example.com> --email <you@example.com> --dir ${host.dir}${host.remote ? ` --ssh ${host.host}` : ''}`],
    });
  }
  const { ComposeProject } = await import('@frameworks/sdk/compose');
  const project = new ComposeProject({
    executor: host.executor,
    name: env.EDGE_PROJECT || DEFAULT_PROJECT,
    workingDir: host.dir,
    files: [COMPOSE_FILE],
    envFile: EDGE_ENV,
  });
  return {
    host,
    env,
    project,
    // Precedence: --domain > .edge.env (the lowest layer for edge commands).
    domain: opts.domain ?? env.EDGE_DOMAIN ?? '',
    tls: env.EDGE_TLS === 'internal' ? 'internal' : 'acme',
    httpsPort: Number(env.EDGE_HTTPS_PORT || 443),
    httpPort: Number(env.EDGE_HTTP_PORT || 80),
    bind: env.EDGE_BIND || '0.0.0.0',
  };
}
