// The registry client against a scripted registry on loopback: what a real one may do that the local
// registry never does (a bearer-token challenge, a blob whose bytes are not its digest, the referrers API).
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, repoRef } from '../src/oci/registry.js';
import { pae, verifyDsse } from '../src/release/verify/dsse.js';
import { parsePublicKey } from '../src/release/signing-key.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const GOOD = Buffer.from('the real bytes');
const INDEX = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('x'), size: 1 }],
});

let server: Server;
let registry: string;
const seen: string[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
  if (req.url?.startsWith('/token')) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token: 'anon-token' }));
    return;
  }
  if (req.headers.authorization !== 'Bearer anon-token') {
    res.statusCode = 401;
    res.setHeader('www-authenticate', `Bearer realm="http://${registry}/token",service="test",scope="repository:team/app:pull"`);
    res.end();
    return;
  }
  if (req.url === `/v2/team/app/blobs/${sha(GOOD)}`) return void res.end(GOOD);
  if (req.url === `/v2/team/app/blobs/${sha('other')}`) return void res.end(GOOD); // tampered: bytes of another blob
  if (req.url === `/v2/team/app/referrers/${sha('img')}`) {
    res.setHeader('content-type', 'application/vnd.oci.image.index.v1+json');
    return void res.end(INDEX);
  }
  res.statusCode = 404;
  res.end();
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('registry client', () => {
  it('splits references the way docker does', () => {
    expect(repoRef('caddy')).toEqual({ registry: 'docker.io', name: 'library/caddy' });
    expect(repoRef('livepeer/helmsman')).toEqual({ registry: 'docker.io', name: 'livepeer/helmsman' });
    expect(repoRef('127.0.0.1:5000/edge/caddy')).toEqual({ registry: '127.0.0.1:5000', name: 'edge/caddy' });
    expect(repoRef('localhost/x')).toEqual({ registry: 'localhost', name: 'x' });
  });

  it('answers an anonymous bearer challenge, then reads a blob whose sha256 matches', async () => {
    const reg = await RegistryClient.open(registry);
    expect((await reg.getBlob('team/app', sha(GOOD))).toString()).toBe('the real bytes');
    expect(seen.some((l) => l.startsWith('GET /token?service=test&scope=repository%3Ateam%2Fapp%3Apull'))).toBe(true);
  });

  it('refuses a blob whose bytes are not its digest (REGISTRY_ERROR)', async () => {
    const reg = await RegistryClient.open(registry);
    await expect(reg.getBlob('team/app', sha('other'))).rejects.toMatchObject({ code: 'REGISTRY_ERROR', exitCode: 1 });
  });

  it('uses the OCI 1.1 referrers API when the registry has it', async () => {
    const reg = await RegistryClient.open(registry);
    const r = await reg.referrers('team/app', sha('img'));
    expect(r.via).toBe('api');
    expect(r.manifests).toHaveLength(1);
  });

  it('falls back to the sha256-<hex> tag when the referrers API is missing (404), empty when neither exists', async () => {
    const reg = await RegistryClient.open(registry);
    expect(await reg.referrers('team/app', sha('none'))).toEqual({ manifests: [], via: 'tag' });
    expect(seen.some((l) => l.startsWith(`GET /v2/team/app/manifests/${sha('none').replace(':', '-')} `))).toBe(true);
  });
});

describe('DSSE', () => {
  it('signs over the pre-authentication encoding, with byte lengths', () => {
    expect(pae('application/vnd.in-toto+json', Buffer.from('héllo')).toString()).toBe('DSSEv1 28 application/vnd.in-toto+json 6 héllo');
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = parsePublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'test');
    const payload = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
    const sig = sign('sha256', pae('application/vnd.in-toto+json', payload), privateKey).toString('base64');
    const env = { payloadType: 'application/vnd.in-toto+json', payload: payload.toString('base64'), signatures: [{ sig }] };
    expect(verifyDsse(env, key)).toBe(true);
    expect(verifyDsse({ ...env, payloadType: 'text/plain' }, key)).toBe(false);
    const raw = sign('sha256', payload, privateKey).toString('base64'); // over the payload alone, not PAE
    expect(verifyDsse({ ...env, signatures: [{ sig: raw }] }, key)).toBe(false);
  });
});
