import { readFile } from 'node:fs/promises';
import { processCommandLine, socketHolder } from './proc-info.js';

/** Who listens on a TCP port: the pid and command when this user can see the process. */
export interface PortListener {
  port: number;
  /** The listening address as the kernel shows it (127.0.0.1, 0.0.0.0, ::1, ::). */
  address: string;
  pid?: number;
  command?: string;
}

function hexToAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  // IPv6: four 32-bit words, each in host (little-endian) byte order.
  const bytes: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let i = 3; i >= 0; i--) bytes.push(word.slice(i * 2, i * 2 + 2));
  }
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(parseInt(bytes[i] + bytes[i + 1], 16).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  return text;
}

async function listenersFromProc(port: number): Promise<Array<{ address: string; inode: string }> | undefined> {
  const found: Array<{ address: string; inode: string }> = [];
  let readable = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
      readable = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A: LISTEN
      const [addr, portHex] = f[1].split(':');
      if (parseInt(portHex, 16) === port) found.push({ address: hexToAddress(addr), inode: f[9] });
    }
  }
  return readable ? found : undefined;
}

/** Whether binding the port on loopback fails (the fallback where /proc/net is missing). */
async function bindRefused(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(true));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(false)));
  });
}

/**
 * The process listening on TCP `port` on this machine (any address), from /proc/net/tcp{,6} → socket
 * inode → /proc/<pid>/fd; undefined when the port is free. A listener of another user has no pid.
 */
export async function portListener(port: number): Promise<PortListener | undefined> {
  const rows = await listenersFromProc(port);
  if (rows === undefined) return (await bindRefused(port)) ? { port, address: '127.0.0.1' } : undefined;
  if (rows.length === 0) return undefined;
  for (const row of rows) {
    const pid = await socketHolder(row.inode);
    if (pid !== undefined) return { port, address: row.address, pid, command: await processCommandLine(pid) };
  }
  return { port, address: rows[0].address };
}
