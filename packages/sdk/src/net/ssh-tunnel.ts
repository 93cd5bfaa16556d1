import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ExitCode, FrameworksError } from '../errors.js';
import { trace } from '../log.js';
import { quoteArg } from '../exec/quote.js';
import { forwardThrough, openSshLink, type Ssh2Events, type SshLink, type SshOptions } from '../exec/ssh-connect.js';
import { parseSshTarget, type SshTarget } from '../exec/target.js';
import type { Dialer } from './dialer.js';

export interface JumpDialer extends Dialer {
  /** user@host[:port] of the jump host. */
  readonly jumpHost: string;
  /** Channels opened through the jump host so far (one per TCP connection of a client). */
  readonly channels: number;
}

/**
 * A Dialer through one SSH connection to a jump host (`--via`, a context's `via`): `forward(host,
 * port)` opens, once per target, a listener on 127.0.0.1:0 whose every connection is piped through
 * a channel to host:port as the jump host resolves it (its localhost, its private names).
 * The connection is opened here, with the SSH executor's code (config, keys, known_hosts, errors).
 */
export async function openJumpDialer(target: SshTarget | string, opts: SshOptions = {}): Promise<JumpDialer> {
  const t = typeof target === 'string' ? parseSshTarget(target) : target;
  const link = await openSshLink(t, opts);
  return new Tunnel(link);
}

class Tunnel implements JumpDialer {
  readonly tunnelled = true;
  readonly describe: string;
  readonly jumpHost: string;
  channels = 0;
  private lost?: FrameworksError;
  private closed = false;
  private readonly listeners = new Map<string, Promise<{ server: Server; port: number }>>();
  private readonly sockets = new Set<Socket | Duplex>();

  constructor(private readonly link: SshLink) {
    this.jumpHost = link.name;
    this.describe = `via ${link.name}${link.route.length ? ` (through ${link.route.join(', ')})` : ''}`;
    const client = link.ssh.connection as unknown as Ssh2Events;
    client.setNoDelay(true);
    // Without a listener a late error (keepalive timeout, reset) would crash the process.
    client.on('error', (err) => trace(`ssh ${link.name}: ${(err as Error).message}`));
    client.on('close', () => {
      if (!this.closed) this.lost ??= this.disconnected();
      for (const s of this.sockets) s.destroy();
    });
    trace(`control-plane calls go ${this.describe}`);
  }

  private disconnected(): FrameworksError {
    const h = this.link.host;
    return new FrameworksError(`The SSH connection to the jump host ${this.link.name} was lost.`, {
      code: 'SSH_JUMP_LOST',
      exitCode: ExitCode.NETWORK,
      suggestions: [`Check that ${this.link.name} is up: ssh -p ${h.port} ${quoteArg(`${h.user}@${h.hostName}`)} true`, 'Then re-run the command'],
    });
  }

  async forward(host: string, port: number): Promise<{ host: string; port: number }> {
    if (this.lost) throw this.lost;
    if (this.closed) throw new FrameworksError(`The tunnel through ${this.link.name} is closed.`, { code: 'EXECUTOR_CLOSED', exitCode: ExitCode.INTERNAL });
    const key = `${host}:${port}`;
    let l = this.listeners.get(key);
    if (!l) {
      l = this.listen(host, port);
      this.listeners.set(key, l);
    }
    return { host: '127.0.0.1', port: (await l).port };
  }

  private listen(host: string, port: number): Promise<{ server: Server; port: number }> {
    const server = createServer({ noDelay: true }, (local) => this.pipe(local, host, port));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const p = (server.address() as { port: number }).port;
        trace(`tunnel 127.0.0.1:${p} → ${host}:${port} (resolved on ${this.link.name})`);
        resolve({ server, port: p });
      });
    });
  }

  private pipe(local: Socket, host: string, port: number): void {
    this.sockets.add(local);
    local.on('close', () => this.sockets.delete(local));
    local.on('error', () => undefined);
    if (this.lost) return void local.destroy();
    this.channels++;
    forwardThrough(this.link.ssh, this.link.name, host, port).then(
      (remote) => {
        this.sockets.add(remote);
        remote.on('close', () => {
          this.sockets.delete(remote);
          local.destroy();
        });
        remote.on('error', () => local.destroy());
        local.on('close', () => remote.destroy());
        local.pipe(remote).pipe(local);
      },
      (err: Error) => {
        // The far side refused or could not resolve the target: the client sees a reset, as it
        // would see a refusal; the reason goes to --verbose.
        trace(err.message);
        local.resetAndDestroy();
      },
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    const servers = await Promise.all([...this.listeners.values()].map((l) => l.catch(() => undefined)));
    await Promise.all(servers.map((s) => s && new Promise((r) => s.server.close(r))));
    trace(`ssh ${this.link.name}: ${this.channels} tunnelled connection${this.channels === 1 ? '' : 's'}`);
    this.link.dispose();
  }
}
