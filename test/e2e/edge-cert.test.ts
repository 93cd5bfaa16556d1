// `frameworks edge cert`: the real stack's certificate (Caddy's internal CA), --reload inside the
// caddy container (and a broken Caddyfile refused), and the thresholds against a tiny TLS server
// (node:tls) with openssl-made certificates reached through the hidden --address/--ca overrides:
// 3 days left → fail (exit 1), 20 days → warn (exit 0 + warning), 90 days → pass.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, type CliResult } from '../support/cli.js';
import { requireDocker, uniqueName } from '../support/docker.js';
import { DOMAIN, edgeCliEnv, initEdgeDir, sshdIn, startEdgeStack, writeSshConfig, type EdgeStackFixture, type SshSide } from '../support/edge-stack.js';
import { sshdAvailable } from '../support/sshd.js';

interface Cert {
  domain: string;
  subject: string;
  issuer: string;
  sans: string[];
  not_before: string;
  not_after: string;
  days_left: number;
  verified: boolean;
  trust: string;
  status: string;
  code: string;
  reload?: { ok: boolean; exit_code: number; command: string; output: string };
}

const sb = new CliSandbox('fw-e2e-edge-cert-');
let env: Record<string, string>;
const result = (r: CliResult) => r.json!.result as Cert;

/** A self-signed certificate for `name` valid `days` days (from now), as PEM files. */
function makeCert(tag: string, name: string, days: number): { key: string; cert: string } {
  const key = join(sb.home, `${tag}.key`);
  const cert = join(sb.home, `${tag}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', String(days), '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`], { stdio: 'ignore' });
  return { key, cert };
}

function serve(pem: { key: string; cert: string }): Promise<{ server: Server; port: number }> {
  const server = createServer({ key: readFileSync(pem.key), cert: readFileSync(pem.cert) }, (s) => s.end());
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

describe('edge cert thresholds (a TLS server of our own, via --address/--ca)', () => {
  const servers: Server[] = [];
  let dir: string;
  beforeAll(async () => {
    env = await edgeCliEnv();
    dir = join(sb.home, 'thresholds');
    await initEdgeDir(sb, dir, { project: uniqueName('fw-ct') });
  });
  afterAll(() => {
    for (const s of servers) s.close();
  });
  const at = async (pem: { key: string; cert: string }, ca = pem.cert, extra: string[] = []) => {
    const { server, port } = await serve(pem);
    servers.push(server);
    return sb.run(['edge', 'cert', '--dir', dir, '--address', `127.0.0.1:${port}`, '--ca', ca, ...extra], { env, timeoutMs: 30_000 });
  };

  it('3 days left: fail, exit 1, CERT_EXPIRING, with the certificate in the report', async () => {
    const pem = makeCert('d3', DOMAIN, 3);
    const r = await at(pem, pem.cert, ['--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json).toMatchObject({ status: 1, code: 'CERT_EXPIRING' });
    expect(result(r)).toMatchObject({ domain: DOMAIN, subject: DOMAIN, issuer: DOMAIN, sans: [DOMAIN], days_left: 2, verified: true, trust: 'ca-file', status: 'fail' });
    expect(Date.parse(result(r).not_after) - Date.parse(result(r).not_before)).toBe(3 * 86_400_000);
    expect((r.json!.suggestions as string[])[0]).toBe(`frameworks edge logs caddy --grep 'acme|certificate|tls' --ignore-case --dir ${dir}`);
    const human = await at(pem);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^days left: {2}2$/m);
    expect(human.stdout).toMatch(/^✗ The certificate expires in 2 days \d+ h \(< 7 days/m);
    expect(human.stderr).toMatch(/^✗ edge\.test: The certificate expires in 2 days/m);
  });

  it('20 days left: warn, exit 0, a CERT_EXPIRES_SOON warning', async () => {
    const pem = makeCert('d20', DOMAIN, 20);
    const r = await at(pem, pem.cert, ['--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(result(r)).toMatchObject({ days_left: 19, status: 'warn', code: 'CERT_EXPIRES_SOON' });
    expect(r.json!.warnings).toEqual([{ code: 'CERT_EXPIRES_SOON', message: expect.stringMatching(/^edge\.test: The certificate expires in 19 days \(< 30/) }]);
    const human = await at(pem);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^⚠ The certificate expires in 19 days/m);
    expect(human.stderr).toMatch(/^⚠ edge\.test: The certificate expires in 19 days/m);
  });

  it('90 days: pass without warnings; a certificate for another name does not verify (exit 1)', async () => {
    const ok = await at(makeCert('d90', DOMAIN, 90), undefined, ['--json']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(result(ok)).toMatchObject({ days_left: 89, status: 'pass', code: 'CERT_OK' });
    expect(ok.json!.warnings).toEqual([]);
    const other = await at(makeCert('other', 'other.test', 90), undefined, ['--json']);
    expect(other.code).toBe(1);
    expect(other.json).toMatchObject({ code: 'CERT_NOT_VERIFIED' });
    expect(result(other).sans).toEqual(['other.test']);
  });

  it('nothing listening: exit 1, HTTPS_UNREACHABLE; bad --address exits 2', async () => {
    const { server, port } = await serve(makeCert('gone', DOMAIN, 90));
    await new Promise((r) => server.close(r));
    const r = await sb.run(['edge', 'cert', '--dir', dir, '--address', `127.0.0.1:${port}`, '--ca', join(sb.home, 'gone.crt'), '--json'], { env });
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 'HTTPS_UNREACHABLE', message: expect.stringContaining('ECONNREFUSED') });
    const bad = await sb.run(['edge', 'cert', '--dir', dir, '--address', 'nowhere', '--json'], { env });
    expect(bad.code).toBe(2);
    expect(bad.json).toMatchObject({ code: 'INVALID_ADDRESS' });
  });
});

const gate = await requireDocker('edge cert e2e');

describe.skipIf(gate.skip)('edge cert on a running stack (tls internal)', () => {
  let stack: EdgeStackFixture;
  beforeAll(async () => {
    stack = await startEdgeStack(sb, { prefix: 'fw-ct' });
  });
  afterAll(async () => {
    await stack?.remove();
  });
  const cert = (args: string[]) => sb.run(['edge', 'cert', '--dir', stack.dir, ...args], { env, timeoutMs: 45_000 });

  it("reports Caddy's internal certificate, verified against its own root", async () => {
    const r = await cert(['--json']);
    expect(r.code, r.stdout).toBe(0);
    const c = result(r);
    expect(c).toMatchObject({ domain: DOMAIN, sans: [DOMAIN], verified: true, trust: 'caddy-internal', status: 'pass', days_left: 0 });
    expect(c.issuer).toMatch(/^Caddy Local Authority/);
    // 12-hour certificates are judged on their life, not on days
    expect(Date.parse(c.not_after) - Date.parse(c.not_before)).toBeLessThanOrEqual(12 * 3_600_000 + 60_000);
    const human = await cert([]);
    expect(human.stdout).toMatch(/^issuer: {5}Caddy Local Authority/m);
    expect(human.stdout).toMatch(/^verified: {3}yes \(Caddy's internal root\)$/m);
    expect(human.stdout).toMatch(/^✓ Valid for \d+ h/m);
  });

  it('--reload runs caddy reload in the caddy container, then checks again', async () => {
    const r = await cert(['--reload', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(result(r).reload).toMatchObject({ ok: true, exit_code: 0, command: 'caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile' });
    expect(result(r).verified).toBe(true);
  });

  it('a broken Caddyfile: --reload exits 1 with Caddy\'s error; the running config stays', async () => {
    const file = join(stack.dir, 'Caddyfile');
    const good = readFileSync(file, 'utf8');
    // Rewrite in place: the container sees the bind-mounted file (same inode).
    writeFileSync(file, `${good}\n${DOMAIN} {\n\tno_such_directive on\n}\n`);
    try {
      const r = await cert(['--reload', '--json']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.json).toMatchObject({ code: 'CADDY_RELOAD_FAILED' });
      expect((r.json!.result as Cert).reload).toMatchObject({ ok: false });
      expect((r.json!.result as Cert).reload!.output).toMatch(/no_such_directive/);
      // Caddy kept serving the previous config
      expect((await cert(['--json'])).code).toBe(0);
    } finally {
      writeFileSync(file, good);
    }
    expect((await cert(['--reload'])).code).toBe(0);
  });

  describe.skipIf(!sshdAvailable())('--ssh', () => {
    let side: SshSide;
    beforeAll(async () => {
      side = await sshdIn(dirname(stack.dir));
      writeSshConfig(sb, { 'edge-a': side.sshd });
    });
    afterAll(async () => {
      await side?.stop();
    });
    it('reads the internal root and reloads Caddy on the remote host', async () => {
      const r = await sb.run(['edge', 'cert', '--reload', '--ssh', 'edge-a', '--dir', basename(stack.dir), '--json'], { env: { ...env, DOCKER_HOST: 'unix:///nonexistent.sock' }, timeoutMs: 45_000 });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(result(r)).toMatchObject({ trust: 'caddy-internal', verified: true, reload: { ok: true } });
    });
  });
});
