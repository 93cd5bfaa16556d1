// The REST contract server and the gRPC one (test/support/grpc-control-plane.ts) in their own process for
// the bench, serving the same 50 nodes. Prints one JSON line {quartermaster, grpc, serviceToken} when ready.
import { startControlPlane, verifyJwt } from '../test/support/control-plane.ts';
import { startGrpcControlPlane } from '../test/support/grpc-control-plane.ts';

const cp = await startControlPlane();
const g = await startGrpcControlPlane({ verifyJwt: (t) => verifyJwt(t, cp.jwtSecret), serviceToken: cp.serviceToken });
for (let i = 0; i < 50; i++) {
  const node = { node_id: `edge-${i}`, cluster_id: 'central-1', region: 'eu-west', external_ip: `203.0.113.${i + 1}` };
  cp.addNode(node);
  g.nodes.push(node);
}
process.stdout.write(JSON.stringify({ quartermaster: cp.urls.quartermaster, grpc: g.addresses.quartermaster, serviceToken: cp.serviceToken }) + '\n');
const stop = async () => {
  await Promise.all([cp.close(), g.close()]);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
