import { usageError } from '../errors.js';

/** Compose's project-name rule (compose-spec), capped at 63 so derived container and network names stay valid. */
export const COMPOSE_PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * The one check of a Compose project name, for edge init, services plan, plan.yaml and the
 * compose driver: exit 2, INVALID_PROJECT_NAME. `from` names where the value came from.
 */
export function checkProjectName(name: string, from = '--project', example = `${from} frameworks-edge`): string {
  if (!COMPOSE_PROJECT_NAME.test(name)) {
    throw usageError(
      `${from} ${JSON.stringify(name)} is not a Compose project name: ` +
        'use lower-case letters, digits, "-" and "_", starting with a letter or digit (at most 63).',
      [`e.g. ${example}`],
      'INVALID_PROJECT_NAME',
    );
  }
  return name;
}
