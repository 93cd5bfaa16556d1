// The command/flag surface and the published result schemas, against the built manifests.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without types
import { SNAPSHOT, surface } from '../../scripts/command-surface.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGES = ['.', 'packages/plugin-edge', 'packages/plugin-services', 'packages/plugin-admin', 'packages/plugin-release', 'packages/plugin-workspace', 'packages/plugin-infra'];

describe('command surface', () => {
  it('matches test/snapshots/command-surface.json (update it on purpose: npm run surface:update)', () => {
    const snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8'));
    expect(surface()).toEqual(snapshot);
  });
});

describe('published --json result schemas', () => {
  const commands = PACKAGES.flatMap((p) =>
    Object.keys((JSON.parse(readFileSync(join(ROOT, p, 'oclif.manifest.json'), 'utf8')) as { commands: object }).commands).map((id) => ({ id, root: join(ROOT, p) })),
  );

  it('every command of every bundled package publishes one, and each compiles under strict ajv', async () => {
    const { Ajv } = await import('ajv');
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    const missing: string[] = [];
    for (const { id, root } of commands) {
      const file = join(root, 'schemas', `${id.split(':').join('/')}.json`);
      if (!existsSync(file)) {
        missing.push(id);
        continue;
      }
      const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id: string; title: string };
      expect(schema.$id).toBe(`https://frameworks.dev/schemas/commands/${id.split(':').join('/')}.json`);
      expect(() => ajv.compile(schema), id).not.toThrow();
    }
    expect(missing, 'commands without a result schema').toEqual([]);
  });
});
