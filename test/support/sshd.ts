/**
 * A real OpenSSH server for tests: its own sshd_config on 127.0.0.1 and a free port, its own
 * ed25519 host key (a second one simulates a reinstalled host), a generated client key, keys only.
 * `/usr/sbin/sshd` comes from the openssh-server apt package (scripts/infra.sh installs it).
 *
 * Sessions get HOME set to a throw-away folder (SetEnv), so a test that quotes badly can only ever
 * damage that folder, never the real home of the user sshd logs in as.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './docker.js';

const run = promisify(execFile);
export const SSHD = '/usr/sbin/sshd';

export interface SshdOptions {
  /** Extra SetEnv for sessions, e.g. { DOCKER_HOST: 'unix:///…/docker.sock' }. HOME is always set to `home`. */
  setEnv?: Record<string, string>;
  /** Which host key to serve: the first, or the alternate one (a "changed" key). */
  hostKey?: 'first' | 'alternate';
  /** Addresses to listen on (default 127.0.0.1); the first is `host`. E.g. a veth address a network namespace reaches. */
  listen?: string[];
}

export interface Sshd {
  host: string;
  port: number;
  /** The login user (the OS user running the tests). */
  user: string;
  /** The folder with keys, config and log; removed by stop(). */
  dir: string;
  /** HOME of remote sessions (a sandbox folder). */
  home: string;
  /** Private key authorized for `user`. */
  clientKey: string;
  /** A second private key the server does not authorize. */
  otherKey: string;
  /** "ssh-ed25519 AAAA…" of the key currently served. */
  hostPublicKey: string;
  /** The alternate host key, for "changed key" tests. */
  alternateHostPublicKey: string;
  logFile: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA…` for the key currently served (another listen address: `address`). */
  knownHostsLine(address?: string): string;
  /** SIGKILL the server and every connection process it forked (a host that dies, not one shut down). */
  kill(): Promise<void>;
  /** Lines of the sshd log that match. */
  logCount(re: RegExp): Promise<number>;
  /** Stop and start again on the same port, optionally with the other host key. */
  restart(opts?: SshdOptions): Promise<void>;
  stop(): Promise<void>;
}

export function sshdAvailable(): boolean {
  return existsSync(SSHD);
}

export { freePort };

const keygen = (file: string, comment: string) => run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
const pub = async (file: string) => (await readFile(`${file}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  if (!sshdAvailable()) throw new Error(`${SSHD} is missing: apt-get install -y openssh-server (scripts/infra.sh does it).`);
  const dir = await mkdtemp(join(tmpdir(), 'fw-sshd-'));
  const home = join(dir, 'home');
  await Promise.all([mkdir(home), mkdir('/run/sshd', { recursive: true })]);
  const [first, alternate, clientKey, otherKey] = ['host_ed25519', 'host2_ed25519', 'client_ed25519', 'other_ed25519'].map((f) => join(dir, f));
  await Promise.all([keygen(first, 'test-host'), keygen(alternate, 'test-host-2'), keygen(clientKey, 'test-client'), keygen(otherKey, 'test-other')]);
  await writeFile(join(dir, 'authorized_keys'), `${await pub(clientKey)}\n`);
  const hostKeys = { first: await pub(first), alternate: await pub(alternate) };
  const port = await freePort();
  const listen = opts.listen ?? ['127.0.0.1'];
  const logFile = join(dir, 'sshd.log');
  let child: ChildProcess | undefined;
  let current = opts;

  const start = async (o: SshdOptions) => {
    current = o;
    const env = { ...(o.setEnv ?? {}), HOME: home };
    const config = [
      `Port ${port}`,
      ...listen.map((a) => `ListenAddress ${a}`),
      `HostKey ${o.hostKey === 'alternate' ? alternate : first}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'PrintMotd no',
      'PrintLastLog no',
      // VERBOSE logs one "Connection from" per TCP connection and one "Accepted publickey" per login.
      'LogLevel VERBOSE',
      `SetEnv ${Object.entries(env).map(([k, v]) => `"${k}=${v}"`).join(' ')}`,
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n');
    const configFile = join(dir, 'sshd_config');
    await writeFile(configFile, config);
    // -D: stay in the foreground as our child, so stop() can kill exactly this process.
    const before = (await readFile(logFile, 'utf8').catch(() => '')).length; // -E appends: look only at this start's lines
    const proc = spawn(SSHD, ['-D', '-f', configFile, '-E', logFile], { stdio: 'ignore' });
    child = proc;
    // A test file that dies without stop() must not leave an sshd behind.
    const reap = () => proc.kill('SIGKILL');
    process.once('exit', reap);
    proc.once('exit', () => process.removeListener('exit', reap));
    const started = Date.now();
    for (;;) {
      const log = (await readFile(logFile, 'utf8').catch(() => '')).slice(before);
      if (listen.every((a) => log.includes(`Server listening on ${a} port ${port}`))) break;
      if (proc.exitCode !== null || Date.now() - started > 5000) {
        throw new Error(`sshd did not start on ${listen.join(', ')} port ${port}:\n${log.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };

  await start(opts);
  const served = () => (current.hostKey === 'alternate' ? hostKeys.alternate : hostKeys.first);
  return {
    host: listen[0],
    port,
    user: userInfo().username,
    dir,
    home,
    clientKey,
    otherKey,
    get hostPublicKey() {
      return served();
    },
    alternateHostPublicKey: hostKeys.alternate,
    logFile,
    knownHostsLine(address = listen[0]) {
      return `[${address}]:${port} ${served()}`;
    },
    async kill() {
      const proc = child;
      child = undefined;
      if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return;
      // Connection processes call setsid(): found by parent pid, not by process group.
      const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=']);
      const parents = stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
      const tree = new Set([proc.pid]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const [pid, ppid] of parents) if (tree.has(ppid) && !tree.has(pid)) grew = tree.add(pid) !== undefined;
      }
      const exited = new Promise((r) => proc.once('exit', r));
      for (const pid of tree) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await exited;
    },
    async logCount(re) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      return log.split('\n').filter((l) => re.test(l)).length;
    },
    async restart(o = {}) {
      await stop();
      await start({ ...current, ...o });
    },
    async stop() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
