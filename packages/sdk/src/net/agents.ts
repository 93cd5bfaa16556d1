import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { isFrameworksError, type FrameworksError } from '../errors.js';
import type { Dialer } from './dialer.js';

export interface DialerAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

type ConnectOptions = Record<string, unknown> & { host?: string; hostname?: string; port?: number | string; servername?: string };
type OnCreate = (err: Error | null, socket?: Duplex) => void;

const cache = new WeakMap<Dialer, Promise<DialerAgents>>();

/**
 * node:http(s) agents whose connections go where `dialer.forward()` says, while the request keeps
 * its URL: the Host header, TLS SNI and the certificate's name check stay those of the real
 * endpoint. Connections are kept alive, so a run makes one tunnelled connection per endpoint.
 * Undefined for a direct dialer (the default agents are used, exactly as before).
 */
export async function dialerAgents(dialer: Dialer | undefined): Promise<DialerAgents | undefined> {
  if (!dialer?.tunnelled) return undefined;
  let agents = cache.get(dialer);
  if (!agents) cache.set(dialer, (agents = build(dialer)));
  return agents;
}

async function build(dialer: Dialer): Promise<DialerAgents> {
  const [http, https, net, tls] = await Promise.all([import('node:http'), import('node:https'), import('node:net'), import('node:tls')]);
  const connect = (o: ConnectOptions, cb: OnCreate, secure: boolean): void => {
    const host = String(o.host ?? o.hostname ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    const port = Number(o.port) || (secure ? 443 : 80);
    dialer.forward(host, port).then(
      (to) => {
        const raw = net.connect({ host: to.host, port: to.port, noDelay: true });
        if (!secure) return cb(null, raw);
        // TLS end to end with the real endpoint: SNI and the name check use its host, not the tunnel's.
        const servername = o.servername || (net.isIP(host) ? undefined : host);
        cb(null, tls.connect({ ...(o as object), socket: raw, host, ...(servername ? { servername } : {}) } as import('node:tls').ConnectionOptions));
      },
      (err: Error) => cb(err),
    );
  };
  class TunnelHttpAgent extends http.Agent {
    override createConnection(o: ConnectOptions, cb: OnCreate): undefined {
      connect(o, cb, false);
      return undefined;
    }
  }
  class TunnelHttpsAgent extends https.Agent {
    override createConnection(o: ConnectOptions, cb: OnCreate): undefined {
      connect(o, cb, true);
      return undefined;
    }
  }
  return { http: new TunnelHttpAgent({ keepAlive: true }), https: new TunnelHttpsAgent({ keepAlive: true }) };
}

/**
 * The jump host's own failure behind a failed call, if that is what it was: the dialer's error
 * (SSH_JUMP_LOST, exit 6, naming the jump host) rather than the endpoint's "connection reset".
 */
export async function tunnelFailure(dialer: Dialer | undefined, err: unknown, url: string): Promise<FrameworksError | undefined> {
  if (!dialer?.tunnelled) return undefined;
  for (let e = err as { cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (isFrameworksError(e)) return e;
  }
  try {
    const u = new URL(url);
    await dialer.forward(u.hostname.replace(/^\[(.*)\]$/, '$1'), Number(u.port) || (u.protocol === 'https:' ? 443 : 80));
    return undefined;
  } catch (e) {
    return isFrameworksError(e) ? e : undefined;
  }
}

/** Open the tunnel to `url`'s endpoint ahead of the first request; errors are left for the request to report. */
export async function warmTunnel(dialer: Dialer | undefined, url: string): Promise<void> {
  if (!dialer?.tunnelled) return;
  const u = new URL(url);
  await dialer.forward(u.hostname.replace(/^\[(.*)\]$/, '$1'), Number(u.port) || (u.protocol === 'https:' ? 443 : 80)).catch(() => undefined);
}
