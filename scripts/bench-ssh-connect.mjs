// One SSH connection through the SDK (config, keys, known_hosts, handshake, authentication), then
// close: what `--via` adds to a run at most, besides a round trip. Used by bench-via.mjs.
import { parseSshTarget } from '../packages/sdk/dist/exec/target.js';
import { connectSsh } from '../packages/sdk/dist/exec/ssh.js';

const ex = await connectSsh(parseSshTarget(process.argv[2]));
await ex.close();
