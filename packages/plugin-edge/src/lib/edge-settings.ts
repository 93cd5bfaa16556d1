/** The settings the templates render live with the templates in the SDK (@frameworks/sdk/edge-templates). */
export { HELMSMAN_PORT, MIST_HTTP_PORT, type EdgeSettings } from '@frameworks/sdk/edge-templates';
