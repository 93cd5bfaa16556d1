// Strict input (issue 7 §5): bad values are refused with exit 2 before anything is run, written or
// sent — a blank --ssh never falls back to this machine, durations are bounded by what a timer can
// hold, ids and names sent to a server carry no control characters, endpoint schemes are enforced —
// and text a server sends back is printed with its control characters escaped.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { DOCKER_HOST } from '../support/docker.js';

const sb = new CliSandbox('fw-e2e-strict-');
const tmp = mkdtempSync(join(tmpdir(), 'fw-e2e-strict-dir-'));
afterAll(() => {
  sb.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});
let n = 0;
const freshDir = () => {
  const d = mkdtempSync(join(tmp, `d${++n}-`));
  return d;
};

describe('a blank --ssh is a usage error, never this machine', () => {
  it('edge init --ssh "" exits 2 and writes nothing here', async () => {
    const dir = freshDir();
    const r = await sb.run(['edge', 'init', '--ssh', '', '--domain', 'edge-1.example.com', '--email', 'ops@example.com', '--dir', dir, '--json'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.json).toMatchObject({ status: 2, code: 'EMPTY_SSH_TARGET' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['services up --ssh ","', ['services', 'up', '--ssh', ',']],
    ['edge status --ssh " "', ['edge', 'status', '--ssh', ' ']],
    ['edge preflight --ssh "ops@edge-1.example.com,"', ['edge', 'preflight', '--ssh', 'ops@edge-1.example.com,']],
    ['services status --ssh a --ssh ""', ['services', 'status', '--ssh', 'ops@a.example.com', '--ssh', '']],
  ])('%s exits 2 naming the empty entry', async (_name, args) => {
    const dir = freshDir();
    const r = await sb.run([...args, '--dir', dir], { cwd: dir, env: { DOCKER_HOST } });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--ssh .*(names no host|has an empty entry)/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
