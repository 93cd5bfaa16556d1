/**
 * The edge stack's templates (compose file, Caddyfile, .edge.env): in the SDK because edge init and
 * bundle create both render them (plugins never import each other). `@frameworks/sdk/edge-templates`.
 */
import { renderCaddyfile } from './caddyfile.js';
import { COMPOSE_FILE, renderCompose } from './compose.js';
import { renderEdgeEnv } from './edge-env.js';
import { EDGE_ENV, EDGE_ENV_EXAMPLE, type EdgeSettings } from './settings.js';

export interface RenderedFile {
  name: string;
  content: string;
  mode: number;
  secret: boolean;
}

export const CADDYFILE = 'Caddyfile';

/** All four files, rendered in memory (nothing is written until every one of them is ready). */
export async function renderEdgeFiles(s: EdgeSettings): Promise<RenderedFile[]> {
  return [
    { name: EDGE_ENV, content: renderEdgeEnv(s), mode: 0o600, secret: true },
    { name: EDGE_ENV_EXAMPLE, content: renderEdgeEnv(s, { example: true }), mode: 0o644, secret: false },
    { name: COMPOSE_FILE, content: await renderCompose(s), mode: 0o644, secret: false },
    { name: CADDYFILE, content: renderCaddyfile(s), mode: 0o644, secret: false },
  ];
}

export { COMPOSE_FILE } from './compose.js';
export { renderCaddyfile, siteAddress } from './caddyfile.js';
export { composeDocument, renderCompose } from './compose.js';
export { renderEdgeEnv, EDGE_ENV_KEYS } from './edge-env.js';
export * from './settings.js';
