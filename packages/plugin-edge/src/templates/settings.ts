/** The settings the templates render moved down to lib/edge-settings.ts (lib no longer imports templates for them). */
export * from '../lib/edge-settings.js';
