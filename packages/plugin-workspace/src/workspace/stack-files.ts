import { join } from 'node:path';

/** Stack files that may name a local image: the monorepo's dev compose and override, an edge stack's compose and env. */
export function stackFiles(monorepo: string, edgeDir?: string): string[] {
  const files = [join(monorepo, 'docker-compose.yml'), join(monorepo, 'docker-compose.override.frameworks.yml')];
  if (edgeDir) files.push(join(edgeDir, 'docker-compose.edge.yml'), join(edgeDir, '.edge.env'));
  return files;
}
