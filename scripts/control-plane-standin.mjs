// A stand-in control plane on the contract's default localhost ports, for trying the CLI on a
// machine without FrameWorks services: the in-repo contract test server (test/support), run
// as-is by Node 22's TypeScript stripping. It is a test double, not a FrameWorks service.
//   node scripts/control-plane-standin.mjs            # foreground; Ctrl-C stops it
//   bash scripts/standin.sh up|down                   # background, pid file
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane } from '../test/support/control-plane.ts';
import { startGrpcHealthServer, startGrpcServerWithoutHealth } from '../test/support/grpc-health-server.ts';

const ports = {
  gateway: 18000, control: 18001, quartermaster: 18002, purser: 18003,
  'periscope-query': 18004, 'periscope-ingest': 18005, 'foghorn-http': 18008, signalman: 18009,
};
const email = process.env.STANDIN_EMAIL ?? 'demo@frameworks.local';
const password = process.env.STANDIN_PASSWORD ?? 'demo-password';
// The demo service token: what a provider operator holds. Written 0600 for `login --service-token-stdin`, never printed.
const state = process.env.FW_STANDIN_STATE ?? '/tmp/frameworks-standin';
const serviceToken = process.env.STANDIN_SERVICE_TOKEN ?? `svc_demo_${randomBytes(16).toString('hex')}`;
mkdirSync(state, { recursive: true, mode: 0o700 });
const tokenFile = join(state, 'service-token');
writeFileSync(`${tokenFile}.tmp`, `${serviceToken}\n`, { mode: 0o600 });
renameSync(`${tokenFile}.tmp`, tokenFile);
// One demo tenant (the one the stand-in Helmsman image reports after enrolling) with one cluster.
const tenant = '5eed0000-0000-4000-8000-000000000001';
const cp = await startControlPlane({ ports, serviceToken, users: [{ email, password, tenant_id: tenant, role: 'owner', is_provider: true }] });
cp.addCluster({ cluster_id: 'central-1', cluster_name: 'Demo central', cluster_type: 'central', owner_tenant_id: tenant, access: [tenant] });
const decklog = await startGrpcHealthServer({ port: 18006 });
const foghornGrpc = await startGrpcServerWithoutHealth(18019); // MVP Foghorn gRPC: no health service
process.stdout.write(
  `stand-in control plane up: gateway ${cp.urls.gateway}, decklog grpc ${decklog.address}, foghorn grpc ${foghornGrpc.address}\n` +
    `login with: frameworks login --email ${email}   (password: ${password})\n` +
    `demo tenant ${tenant}, cluster central-1\n` +
    `or, as the provider operator (services health, admin): frameworks login --service-token-stdin < ${tokenFile}\n`,
);
const stop = async () => {
  await Promise.allSettled([cp.close(), decklog.close(), foghornGrpc.close()]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
