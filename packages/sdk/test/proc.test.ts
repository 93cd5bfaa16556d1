// The SDK's background-process pieces on this machine's real /proc: who listens on a port (IPv4 and
// IPv6), pid files checked against the process start time, and stopping a whole process group —
// SIGTERM first, SIGKILL for a group that ignores it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPidFile, portListener, processGroupMembers, readProcStat, spawnBackground, stopProcessGroup, writePidFile } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'fw-proc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('portListener', () => {
  it.each(['127.0.0.1', '::1', '0.0.0.0'])('names this process listening on %s; a free port is undefined', async (host) => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, host, r));
    const port = (srv.address() as { port: number }).port;
    const l = await portListener(port);
    srv.close();
    expect(l).toMatchObject({ port, address: host, pid: process.pid });
    expect(l!.command).toContain('node');
    await new Promise((r) => srv.once('close', r));
    expect(await portListener(port)).toBeUndefined();
  });
});

describe('pid files and process groups', () => {
  it('a pid file is running for its own process, stale when the process is gone or the pid was reused', async () => {
    const file = join(tmp, 'a.pid');
    expect(await checkPidFile(file)).toEqual({ state: 'none' });
    const me = await readProcStat(process.pid);
    await writePidFile(file, { pid: process.pid, pgid: process.pid, start_ticks: me!.startTicks, started_at: new Date().toISOString(), command: ['x'] });
    expect(await checkPidFile(file)).toMatchObject({ state: 'running' });
    await writePidFile(file, { pid: process.pid, pgid: process.pid, start_ticks: me!.startTicks + 1, started_at: '', command: ['x'] });
    expect(await checkPidFile(file)).toMatchObject({ state: 'stale', reason: 'reused' });
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    await writePidFile(file, { pid: gone.pid!, pgid: gone.pid!, start_ticks: 1, started_at: '', command: ['true'] });
    expect(await checkPidFile(file)).toMatchObject({ state: 'stale', reason: 'gone' });
    writeFileSync(file, 'garbage');
    expect(await checkPidFile(file)).toMatchObject({ state: 'unreadable' });
  });

  it('stopProcessGroup stops every member with SIGTERM; a group that ignores it gets SIGKILL after the grace time', async () => {
    const log = join(tmp, 'g.log');
    const polite = await spawnBackground({ argv: ['sh', '-c', 'sleep 30 & sleep 30 & wait'], cwd: tmp, env: process.env, logFile: log });
    expect(polite.pgid).toBe(polite.pid);
    for (let i = 0; i < 50 && (await processGroupMembers(polite.pgid)).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await processGroupMembers(polite.pgid)).length).toBe(3);
    expect(await stopProcessGroup(polite.pgid, 2000)).toEqual({ signal: 'SIGTERM', stopped: true, left: [] });

    const stubborn = await spawnBackground({ argv: ['sh', '-c', "trap '' TERM; sleep 30 & trap '' TERM; wait; sleep 30"], cwd: tmp, env: process.env, logFile: log });
    await new Promise((r) => setTimeout(r, 200));
    const r = await stopProcessGroup(stubborn.pgid, 300);
    expect(r).toMatchObject({ signal: 'SIGKILL', stopped: true });
    expect(await processGroupMembers(stubborn.pgid)).toEqual([]);
    expect(await stopProcessGroup(stubborn.pgid, 300)).toEqual({ signal: 'none', stopped: true, left: [] });
  });
});
