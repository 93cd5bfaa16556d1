// A contract test control plane (test/support/control-plane.ts) in its own process for the bench:
// the bench spawns the CLI synchronously, so a server in the bench's own event loop could not answer.
// Prints one JSON line {urls, serviceToken} when ready; appends "<epoch ms> <METHOD> <path>" per
// request to the file named by argv[2], so the bench can tell when a CLI run's first request arrived.
import { appendFileSync } from 'node:fs';
import { startControlPlane } from '../test/support/control-plane.ts';

const log = process.argv[2];
const cp = await startControlPlane();
cp.addCluster({ cluster_id: 'central-1', cluster_name: 'Central 1' });
// `--nodes`: edge nodes for the completion rows (bench-complete.mjs).
if (process.argv.includes('--nodes')) for (let i = 1; i <= 20; i++) cp.addNode({ node_id: `edge-${i}`, cluster_id: 'central-1', node_type: 'edge', region: 'eu-west' });
for (const [i, service] of ['quartermaster', 'gateway', 'commodore', 'foghorn', 'decklog', 'purser'].entries()) {
  cp.addServiceInstance({ service_id: service, cluster_id: 'central-1', host: `10.0.0.${i + 5}`, port: 18000 + i });
}
for (let i = 0; i < 25; i++) {
  await fetch(`${cp.urls.quartermaster}/admin/bootstrap-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cp.serviceToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'service', ttl: '24h' }),
  });
}
const seen = cp.requests.length;
const origin = performance.timeOrigin;
// Record arrivals from now on (the seeding requests above are not CLI runs).
const push = cp.requests.push.bind(cp.requests);
cp.requests.push = (...items) => {
  for (const r of items) appendFileSync(log, `${Math.round(origin + performance.now())} ${r.method} ${r.path}\n`);
  return push(...items);
};
process.stdout.write(JSON.stringify({ urls: cp.urls, serviceToken: cp.serviceToken, seeded: seen }) + '\n');
const stop = async () => {
  await cp.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
