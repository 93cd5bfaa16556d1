// --json results of the commands no other suite reads as a script would: each one's documented keys
// (snake_case, checked against the command's published schema by test/support/json-contract.ts).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';

let sb: CliSandbox;
beforeAll(() => {
  sb = new CliSandbox('fw-e2e-json-results-');
});
afterAll(() => sb?.cleanup());

describe('--json results', () => {
  it('context create, set and delete report what they changed', async () => {
    const created = await sb.run(['context', 'create', 'staging', '--set', 'gateway=https://gw.staging.example.com', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.json!.result).toMatchObject({ name: 'staging', current: false, endpoints: { gateway: 'https://gw.staging.example.com' } });

    const set = await sb.run(['context', 'set', 'staging', 'via', 'ops@bastion.example.com:2222', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.json!.result).toEqual({ context: 'staging', key: 'via', value: 'ops@bastion.example.com:2222', previous: null });
    const again = await sb.run(['context', 'set', 'staging', 'api', 'grpc', '--json']);
    expect(again.json!.result).toEqual({ context: 'staging', key: 'api', value: 'grpc', previous: null });

    const login = await sb.run(['login', '--context', 'staging', '--service-token-stdin'], { input: 'svc_jsonResultsToken0123456789\n' });
    expect(login.code, login.stderr).toBe(0);
    const deleted = await sb.run(['context', 'delete', 'staging', '--yes', '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.json!.result).toEqual({ name: 'staging', deleted: true, credentials_removed: true, current: null });
  });

  it('services lock release on a folder nobody holds says so', async () => {
    const r = await sb.run(['services', 'lock', 'release', '--dir', sb.home, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.result).toMatchObject({ host: 'local', locked: false, holder: null, released: false, note: 'not locked' });
  });

  it('autocomplete fish writes the completion file and says where to link it', async () => {
    const r = await sb.run(['autocomplete', 'fish', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = r.json!.result as { shell: string; path: string; link: string };
    expect(res.shell).toBe('fish');
    expect(existsSync(res.path)).toBe(true);
    expect(res.link).toBe('~/.config/fish/completions/frameworks.fish');
  });
});
