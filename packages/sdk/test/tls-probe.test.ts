import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTls } from '../src/clients/tls-probe.js';

let dir: string;
let server: Server;
let port: number;
let cert: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '20', '-subj', '/CN=edge.test',
    '-addext', 'subjectAltName=DNS:edge.test,DNS:www.edge.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('probeTls', () => {
  it('reports an untrusted chain but still returns the certificate', async () => {
    const r = await probeTls({ host: '127.0.0.1', port, servername: 'edge.test' });
    expect(r).toMatchObject({ ok: false, authorized: false });
    expect(r.error).toMatch(/self.signed/i);
    expect(r.certificate).toMatchObject({ subject: 'edge.test', sans: ['edge.test', 'www.edge.test'] });
    expect(r.certificate!.days_left).toBeGreaterThanOrEqual(19);
    expect(r.certificate!.days_left).toBeLessThanOrEqual(20);
  });

  it('verifies against a given CA, dialling an address with SNI = the domain', async () => {
    const r = await probeTls({ host: '127.0.0.1', port, servername: 'edge.test', ca: cert });
    expect(r).toMatchObject({ ok: true, authorized: true });
    expect(['TLSv1.3', 'TLSv1.2']).toContain(r.protocol);
  });

  it('refuses a certificate for another name', async () => {
    const r = await probeTls({ host: '127.0.0.1', port, servername: 'other.test', ca: cert });
    expect(r.ok).toBe(false);
    expect(r.errorCode).toMatch(/ALTNAME|HOSTNAME/);
  });

  it('fails fast on a closed port', async () => {
    const r = await probeTls({ host: '127.0.0.1', port: 9, servername: 'edge.test', timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: false, errorCode: 'ECONNREFUSED' });
  });
});
