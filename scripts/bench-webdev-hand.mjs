// The baseline of the `web dev up` bench row: what a developer does by hand — `npm run dev -- --port N`
// in the app folder, then wait until the page answers. Writes the ms from spawn to the first HTTP
// answer to the file given, then stops the server (its whole process group).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const [dir, port, out] = process.argv.slice(2);
const started = performance.now();
const child = spawn('npm', ['run', 'dev', '--', '--port', port], { cwd: dir, detached: true, stdio: 'ignore', env: { ...process.env, PORT: port, BROWSER: 'none' } });
const get = () =>
  new Promise((res) => {
    const req = request(`http://localhost:${port}/`, (r) => {
      r.resume();
      res(r.statusCode);
    });
    req.on('error', () => res(0));
    req.end();
  });
const deadline = Date.now() + 60_000;
let status = 0;
while (!status && Date.now() < deadline) {
  status = await get();
  if (!status) await sleep(50);
}
writeFileSync(out, String(performance.now() - started));
process.kill(-child.pid, 'SIGTERM');
// Wait for the port to close, so that the next run starts from a free port.
while ((await get()) && Date.now() < deadline + 10_000) await sleep(50);
process.exit(status ? 0 : 1);
