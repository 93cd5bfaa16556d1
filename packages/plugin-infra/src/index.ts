/** @frameworks/plugin-infra: commands live under src/commands (oclif discovers them); the overlay API is for the driver. */
export { prepareTenant, type PreparedTenant } from './overlay/index.js';
