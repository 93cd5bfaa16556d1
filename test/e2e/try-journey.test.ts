// README command 1's main job, run the way a newcomer runs it: `bash scripts/try.sh up` with the
// `frameworks` command on PATH, on the real engine of scripts/infra.sh and the stand-in control plane
// on its default ports — preflight, init, a bootstrap token from `admin`, enroll, status and doctor —
// then again (idempotent), then `down`.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, ROOT } from '../support/cli.js';
import { docker, freePort, removeComposeProject, requireDocker, uniqueName } from '../support/docker.js';

const run = promisify(execFile);
const gate = await requireDocker('test/e2e/try-journey.test.ts');

let sb: CliSandbox;
let env: Record<string, string | undefined>;
const project = uniqueName('fw-try');

async function tryScript(verb: 'up' | 'down'): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('bash', [join(ROOT, 'scripts/try.sh'), verb], { env, timeout: 170_000, maxBuffer: 16 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

beforeAll(async () => {
  sb = new CliSandbox('fw-e2e-try-');
  const bin = join(sb.home, 'bin');
  mkdirSync(bin);
  symlinkSync(BIN, join(bin, 'frameworks')); // what `npm link` puts on PATH
  env = {
    ...sb.baseEnv,
    PATH: `${bin}:${process.env.PATH}`,
    FW_STANDIN_STATE: join(sb.home, 'standin'),
    FW_TRY_PROJECT: project,
    FW_TRY_HTTP_PORT: String(await freePort()),
    FW_TRY_HTTPS_PORT: String(await freePort()),
  };
});
afterAll(async () => {
  if (env) await tryScript('down').catch(() => undefined);
  await removeComposeProject(project).catch(() => undefined);
  sb?.cleanup();
});

describe.skipIf(gate.skip)('scripts/try.sh (README command 1)', () => {
  it('up runs the edge journey to a healthy, enrolled node; a second up keeps it; down removes it', { timeout: 400_000 }, async () => {
    const first = await tryScript('up');
    expect(first.code, first.out).toBe(0);
    for (const step of ['frameworks context use local', 'frameworks login --service-token-stdin', 'frameworks edge init', 'frameworks edge preflight', 'frameworks edge enroll', 'frameworks edge status', 'frameworks edge doctor']) {
      expect(first.out).toContain(`$ ${step}`);
    }
    expect(first.out).toMatch(/✓ Edge node enrolled: edge-\d+ \(tenant 5eed0000-0000-4000-8000-000000000001\)/);
    expect(first.out).toMatch(/✓ healthy: 3\/3 services healthy, HTTPS answers/);
    expect(first.out).toContain('✓ Edge node healthy — all checks passed.');
    // The demo service token is used from its 0600 file, never shown whole.
    const token = readFileSync(join(env.FW_STANDIN_STATE!, 'service-token'), 'utf8').trim();
    expect(token).toMatch(/^svc_demo_/);
    expect(first.out).not.toContain(token);
    const running = (await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`])).split('\n').filter(Boolean);
    expect(running).toHaveLength(3);

    const again = await tryScript('up');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('already holds an edge stack: keeping it');
    expect(again.out).not.toContain('$ frameworks edge init');
    expect(again.out).toContain('✓ Edge node healthy — all checks passed.');

    const down = await tryScript('down');
    expect(down.code, down.out).toBe(0);
    expect((await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).trim()).toBe('');
  });
});
