/** The edge templates moved down to the SDK (bundle create renders them too); edge code keeps importing them from here. */
export { CADDYFILE, COMPOSE_FILE, EDGE_ENV_KEYS, composeDocument, renderCaddyfile, renderCompose, renderEdgeEnv, renderEdgeFiles, siteAddress } from '@frameworks/sdk/edge-templates';
export type { EdgeSettings } from '@frameworks/sdk/edge-templates';
