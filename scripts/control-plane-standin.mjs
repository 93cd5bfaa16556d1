// A stand-in control plane on the contract's default localhost ports, for trying the CLI on a
// machine without FrameWorks services: the in-repo contract test server (test/support), run
// as-is by Node 22's TypeScript stripping. It is a test double, not a FrameWorks service.
//   node scripts/control-plane-standin.mjs            # foreground; Ctrl-C stops it
//   bash scripts/standin.sh up|down                   # background, pid file
import { startControlPlane } from '../test/support/control-plane.ts';
import { startGrpcHealthServer, startGrpcServerWithoutHealth } from '../test/support/grpc-health-server.ts';

const ports = {
  gateway: 18000, control: 18001, quartermaster: 18002, purser: 18003,
  'periscope-query': 18004, 'periscope-ingest': 18005, 'foghorn-http': 18008, signalman: 18009,
};
const email = process.env.STANDIN_EMAIL ?? 'demo@frameworks.local';
const password = process.env.STANDIN_PASSWORD ?? 'demo-password';
const cp = await startControlPlane({ ports, users: [{ email, password, role: 'owner', is_provider: true }] });
const decklog = await startGrpcHealthServer({ port: 18006 });
const foghornGrpc = await startGrpcServerWithoutHealth(18019); // MVP Foghorn gRPC: no health service
process.stdout.write(
  `stand-in control plane up: gateway ${cp.urls.gateway}, decklog grpc ${decklog.address}, foghorn grpc ${foghornGrpc.address}\n` +
    `login with: frameworks login --email ${email}   (password: ${password})\n`,
);
const stop = async () => {
  await Promise.allSettled([cp.close(), decklog.close(), foghornGrpc.close()]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
