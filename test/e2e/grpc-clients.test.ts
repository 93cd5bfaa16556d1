/**
 * The SDK's gRPC clients directly (as the --via jump host will use them): calls go to the address the
 * Dialer hands back while TLS still verifies the endpoint's own name; Commodore with the service token
 * acts for the user named in x-user-id / x-tenant-id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommodoreGrpcClient, QuartermasterGrpcClient, type ChosenCredential, type FrameworksError } from '@frameworks/sdk';
// The seam's type from its module (the via branch exports it from the SDK index).
import type { Dialer } from '../../packages/sdk/src/net/dialer.js';
import { startControlPlane, verifyJwt, type ControlPlane } from '../support/control-plane.js';
import { startGrpcControlPlane, type GrpcControlPlane } from '../support/grpc-control-plane.js';

let rest: ControlPlane;
let tls: GrpcControlPlane;
let service: ChosenCredential;

beforeAll(async () => {
  rest = await startControlPlane();
  tls = await startGrpcControlPlane({ verifyJwt: (t) => verifyJwt(t, rest.jwtSecret), serviceToken: rest.serviceToken, tls: true });
  tls.nodes.push({ node_id: 'edge-1', cluster_id: 'c1' });
  service = { kind: 'service', token: rest.serviceToken, source: 'env', header: `Bearer ${rest.serviceToken}` };
});
afterAll(async () => {
  await Promise.all([rest?.close(), tls?.close()]);
});

/** A stand-in for the jump-host Dialer: every target goes to one local port. */
function dialerTo(address: string, seen: string[]): Dialer {
  const [host, port] = address.split(':');
  return {
    describe: 'via test',
    tunnelled: true,
    forward: async (h: string, p: number) => {
      seen.push(`${h}:${p}`);
      return { host, port: Number(port) };
    },
    close: async () => undefined,
  };
}

describe('gRPC clients and the Dialer', () => {
  it('dial the forwarded address, verify TLS against the endpoint name (localhost), not the local one', async () => {
    const seen: string[] = [];
    const qm = new QuartermasterGrpcClient({ endpoint: 'grpcs://localhost:19002', credential: service, tls: { ca_file: tls.caFile }, dialer: dialerTo(tls.addresses.quartermaster, seen) });
    try {
      const nodes = await qm.listNodes();
      expect(nodes.map((n) => n.node_id)).toEqual(['edge-1']);
      expect(seen).toEqual(['localhost:19002']);
    } finally {
      qm.close();
    }
  });

  it('a certificate that does not name the endpoint is refused (exit 6), so the name really is checked', async () => {
    const qm = new QuartermasterGrpcClient({ endpoint: 'grpcs://qm.example.com:19002', credential: service, tls: { ca_file: tls.caFile }, dialer: dialerTo(tls.addresses.quartermaster, []) });
    try {
      const err = (await qm.listNodes().catch((e: unknown) => e)) as FrameworksError;
      expect(err.exitCode).toBe(6);
      // grpc.server_name overrides the verified name.
      const named = new QuartermasterGrpcClient({ endpoint: 'grpcs://qm.example.com:19002', credential: service, tls: { ca_file: tls.caFile, server_name: 'localhost' }, dialer: dialerTo(tls.addresses.quartermaster, []) });
      expect(await named.listNodes()).toHaveLength(1);
      named.close();
    } finally {
      qm.close();
    }
  });

  it('an IP endpoint through the tunnel is checked against that IP, not the forwarded 127.0.0.1', async () => {
    const same = new QuartermasterGrpcClient({ endpoint: 'grpcs://127.0.0.1:1', credential: service, tls: { ca_file: tls.caFile }, dialer: dialerTo(tls.addresses.quartermaster, []) });
    const other = new QuartermasterGrpcClient({ endpoint: 'grpcs://10.9.9.9:19002', credential: service, tls: { ca_file: tls.caFile }, dialer: dialerTo(tls.addresses.quartermaster, []) });
    try {
      expect(await same.listNodes()).toHaveLength(1);
      const err = (await other.listNodes().catch((e: unknown) => e)) as FrameworksError;
      expect(err.exitCode).toBe(6);
    } finally {
      same.close();
      other.close();
    }
  });

  it('Commodore: the service token with x-user-id / x-tenant-id acts for that user; without them "missing user context" (exit 3)', async () => {
    const endpoint = tls.addresses.commodore;
    const withUser = new CommodoreGrpcClient({ endpoint, credential: service, tls: { ca_file: tls.caFile }, metadata: { 'x-user-id': 'u1', 'x-tenant-id': 't1' } });
    try {
      const created = await withUser.createDeveloperToken({ name: 'svc' });
      expect(created.token_value).toMatch(/^fw_/);
      expect(tls.apiTokens[0]).toMatchObject({ user_id: 'u1', tenant_id: 't1' });
      expect(tls.callsTo('CreateAPIToken')[0].metadata).toMatchObject({ 'x-user-id': 'u1', 'x-tenant-id': 't1', authorization: `Bearer ${rest.serviceToken}` });
    } finally {
      withUser.close();
    }
    const jwt = rest.signJwt({ role: 'member' }); // no user_id / tenant_id claims
    const anon = new CommodoreGrpcClient({ endpoint, credential: { kind: 'jwt', token: jwt, source: 'env', header: `Bearer ${jwt}` }, tls: { ca_file: tls.caFile } });
    try {
      const err = (await anon.listDeveloperTokens().catch((e: unknown) => e)) as FrameworksError;
      expect(err.exitCode).toBe(3);
      expect(err.message).toContain('missing user context');
    } finally {
      anon.close();
    }
  });
});
