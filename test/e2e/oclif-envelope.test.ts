// oclif's own commands (plugins, autocomplete, help) keep the contract of ours (issue 9): every one takes
// --json and answers with the one envelope, and their errors read `✗ … Next: <command>` (never oclif's
// ` ›   Error:`). A dead npm registry fails at once, naming the package, the registry and what to do.
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';

const sb = new CliSandbox('fw-e2e-envelope-');
afterAll(() => sb.cleanup());

const show = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('--json on oclif\'s own commands: one envelope', () => {
  it.each([
    ['plugins', ['plugins', '--json']],
    ['plugins --core', ['plugins', '--core', '--json']],
    ['autocomplete zsh', ['autocomplete', 'zsh', '--refresh-cache', '--json']],
    ['autocomplete script bash', ['autocomplete', 'script', 'bash', '--json']],
    ['help', ['help', '--json']],
    ['help edge', ['help', 'edge', '--json']],
  ])('%s --json', async (_name, args) => {
    const r = await sb.run(args);
    expect(r.code, show(r)).toBe(0);
    expect(r.json, show(r)).toMatchObject({ status: 0, warnings: [] });
    expect(r.json).toHaveProperty('result');
  });

  it('plugins --core --json lists plugins as name, version, type (no oclif internals)', async () => {
    const r = await sb.run(['plugins', '--core', '--json']);
    const plugins = r.json!.result as Array<Record<string, unknown>>;
    expect(plugins).toContainEqual(expect.objectContaining({ name: '@frameworks/plugin-edge', type: 'core', version: '0.1.0' }));
    expect(JSON.stringify(plugins)).not.toMatch(/"_base"|"options"|"commandIDs"|"hooks"/);
  });

  it('help --json carries the help text as result.output', async () => {
    const r = await sb.run(['help', 'context', '--json']);
    expect((r.json!.result as { output: string }).output).toContain('context use');
  });
});

describe('their errors: ✗ … Next: <command>, and the error document under --json', () => {
  it('plugins uninstall of a plugin that is not installed', async () => {
    const r = await sb.run(['plugins', 'uninstall', 'nope']);
    expect(r.code, show(r)).not.toBe(0);
    expect(r.stderr).toMatch(/^✗ .*nope is not installed/m);
    expect(r.stderr).toMatch(/Next: frameworks plugins/);
    expect(r.stderr).not.toMatch(/›|Error:|<%/);
    const json = await sb.run(['plugins', 'uninstall', 'nope', '--json']);
    expect(json.json).toMatchObject({ status: json.code, message: expect.stringContaining('nope is not installed') });
    expect(json.json).not.toHaveProperty('error');
    for (const s of json.json!.suggestions as string[]) expect(s).toMatch(/^frameworks /);
  });

  it('a parser error of an oclif command is one line and its help', async () => {
    const r = await sb.run(['autocomplete', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^✗ "tcsh" is not a valid shell: one of zsh, bash, powershell/m);
    expect(r.stderr).toContain('Next: frameworks autocomplete');
  });
});

describe('plugins install against a dead registry', () => {
  it('fails at once (exit 6) naming the package it tried, the registry and what to do', async () => {
    const registry = `http://127.0.0.1:${await closedPort()}`;
    const r = await sb.run(['plugins', 'install', 'infra'], { env: { FRAMEWORKS_NPM_REGISTRY: registry }, timeoutMs: 30_000 });
    expect(r.code, show(r)).toBe(6);
    expect(r.stderr).toContain(`✗ Cannot install @frameworks/plugin-infra: the npm registry ${registry} (from FRAMEWORKS_NPM_REGISTRY) did not answer (ECONNREFUSED).`);
    expect(r.stderr).toContain(`Next: npm ping --registry ${registry}`);
    expect(r.stderr).toContain('FRAMEWORKS_NPM_REGISTRY=https://registry.npmjs.org frameworks plugins install infra');
    const json = await sb.run(['plugins', 'install', 'infra', '--json'], { env: { FRAMEWORKS_NPM_REGISTRY: registry }, timeoutMs: 30_000 });
    expect(json.json).toMatchObject({ status: 6, code: 'NPM_REGISTRY_UNREACHABLE' });
  });
});
