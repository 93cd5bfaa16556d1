// Validators for the files `edge init` generates, shared by the unit tests and test/e2e/edge-init.test.ts:
// the real `caddy validate`, the Compose JSON schema (ajv 8, draft-07), and `docker compose config -q`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../../..');

type ValidateFn = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; params: unknown }> | null };
let composeValidator: ValidateFn | undefined;

/** Validate a compose document (already parsed) against node_modules/docker-compose/schema/compose-spec.json. */
export function composeSchemaErrors(doc: unknown): string[] {
  if (!composeValidator) {
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/docker-compose/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>;
    delete schema.$schema; // draft-07 is ajv 8's default meta-schema; the URL form in the file is not registered
    // ajv 8 explicitly (the SDK's copy): the workspace root hoists ajv 6 for eslint.
    const req = createRequire(join(ROOT, 'packages/sdk/package.json'));
    const { Ajv } = req('ajv') as { Ajv: new (o: object) => { compile(s: object): ValidateFn } };
    composeValidator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return composeValidator(doc) ? [] : (composeValidator.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
}

export function findCaddy(): string | undefined {
  for (const p of ['/usr/bin/caddy', '/usr/local/bin/caddy']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v caddy'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** `caddy validate --adapter caddyfile --config <file>` with throw-away XDG folders (it writes a CA there). */
export function caddyValidate(file: string): { ok: boolean; output: string } {
  const caddy = findCaddy();
  if (!caddy) throw new Error('caddy is not installed: run `bash scripts/infra.sh up` (or apt-get install -y caddy)');
  const xdg = mkdtempSync(join(tmpdir(), 'fw-caddy-'));
  try {
    const r = spawnSync(caddy, ['validate', '--adapter', 'caddyfile', '--config', file], {
      encoding: 'utf8',
      env: { ...process.env, XDG_DATA_HOME: join(xdg, 'data'), XDG_CONFIG_HOME: join(xdg, 'config'), HOME: xdg },
      timeout: 30_000,
    });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
}

/**
 * `docker compose -p <project> -f <file> config -q` (needs the Compose v2 plugin, not a running engine).
 * Returns a skip reason when neither the plugin nor DOCKER_HOST is there; under CI it never skips.
 */
export function composeConfig(dir: string, file: string, project: string): { ok: boolean; output: string } | { skipped: string } {
  const hasPlugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 20_000 }).status === 0;
  if (!hasPlugin && !process.env.DOCKER_HOST && !process.env.CI) {
    return { skipped: 'no docker compose plugin and DOCKER_HOST is not set (start the engines with `bash scripts/infra.sh up`)' };
  }
  const r = spawnSync('docker', ['compose', '-p', project, '-f', file, 'config', '-q'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}
