import { isIP } from 'node:net';
import type { Executor } from '@frameworks/sdk';
import { probe, type ProbeResult } from '../lib/probe.js';
import { check, type Check } from './types.js';

const THRESHOLD = 'A/AAAA resolve to this host';

/**
 * Special-use and private names (RFC 2606, 6761, 6762, 8375, ICANN's .internal): they never resolve
 * publicly, so "does not resolve" is expected for them, not a fault of the edge. The one DNS rule of
 * preflight, status and doctor.
 */
const RESERVED = /(?:^|\.)(?:test|example|invalid|localhost|local|internal|lan|home\.arpa)$/i;

export function isReservedName(domain: string): boolean {
  return RESERVED.test(domain.replace(/\.$/, ''));
}

/** `getent ahosts` prints one line per address and socket type: keep each address once, in order. */
export function parseGetentAhosts(stdout: string): string[] {
  const seen: string[] = [];
  for (const line of stdout.split('\n')) {
    const addr = line.trim().split(/\s+/)[0];
    if (addr && !seen.includes(addr.toLowerCase())) seen.push(addr.toLowerCase());
  }
  return seen;
}

/** Addresses of the host's interfaces from `ip -o addr show` (or `hostname -I` as a fallback). */
export function parseHostAddresses(stdout: string): string[] {
  const out = new Set<string>();
  const ipForm = /\binet6?\s+([0-9a-fA-F:.]+)\//g;
  let m: RegExpExecArray | null;
  let any = false;
  while ((m = ipForm.exec(stdout))) {
    out.add(m[1].toLowerCase());
    any = true;
  }
  if (!any) for (const tok of stdout.trim().split(/\s+/)) if (/^[0-9a-fA-F:.]+$/.test(tok) && /[.:]/.test(tok)) out.add(tok.toLowerCase());
  return [...out];
}

export interface DnsInput {
  domain?: string;
  envPath?: string;
  lookup?: Pick<ProbeResult, 'ok' | 'code' | 'stdout' | 'stderr' | 'missing' | 'timedOut'>;
  /** This host's addresses; undefined when they could not be listed. */
  hostAddresses?: string[];
  /** --expect-ip: the public address(es) the record must point at (NAT, load balancer). */
  expectIps?: string[];
}

function describe(addrs: string[]): string {
  const v4 = addrs.filter((a) => !a.includes(':'));
  const v6 = addrs.filter((a) => a.includes(':'));
  return [v4.length ? `A ${v4.join(', ')}` : 'no A', v6.length ? `AAAA ${v6.join(', ')}` : 'no AAAA'].join('; ');
}

export function evaluateDns(i: DnsInput): Check {
  if (!i.domain) {
    return check('dns', 'dns', 'skip', 'no domain', THRESHOLD, `No domain to check: pass --domain <name> or set EDGE_DOMAIN in ${i.envPath ?? '.edge.env'}.`);
  }
  const d = i.domain;
  if (isIP(d.replace(/^\[|\]$/g, ''))) return check('dns', 'dns', 'skip', `${d} is an IP address`, THRESHOLD, 'No DNS record to check.');
  const recordHint = `Create an A (and AAAA) record for ${d} pointing at this host's public address and wait for its TTL; Caddy needs it for ACME HTTP-01.`;
  const l = i.lookup;
  if (!l) return check('dns', 'dns', 'warn', `${d}: not looked up`, THRESHOLD, 'The lookup did not run.');
  if (l.missing) return check('dns', 'dns', 'warn', `${d}: getent not found on the host`, THRESHOLD, 'Install libc-bin (getent) so DNS is checked from the host itself, or check the record by hand: dig +short A ' + d);
  if (l.timedOut) return check('dns', 'dns', 'fail', `${d}: lookup timed out`, THRESHOLD, `The host's resolver did not answer: check /etc/resolv.conf and the DNS servers it names. ${recordHint}`);
  const addrs = l.ok ? parseGetentAhosts(l.stdout) : [];
  if (addrs.length === 0 && isReservedName(d)) {
    return check('dns', 'dns', 'skip', `${d} does not resolve (a test/internal name)`, THRESHOLD, 'Not checked: reserved names never resolve publicly; use a real domain in production.');
  }
  if (addrs.length === 0) return check('dns', 'dns', 'fail', `${d} does not resolve`, THRESHOLD, recordHint);
  const seen = `${d} → ${describe(addrs)}`;
  const expected = (i.expectIps?.length ? i.expectIps : i.hostAddresses)?.map((a) => a.toLowerCase());
  if (!expected) return check('dns', 'dns', 'warn', seen, THRESHOLD, "Could not list this host's addresses to compare with; pass --expect-ip <public IP>.");
  const ours = addrs.filter((a) => expected.includes(a));
  const others = addrs.filter((a) => !expected.includes(a));
  if (ours.length === 0) {
    if (i.expectIps?.length) return check('dns', 'dns', 'fail', seen, `A/AAAA → ${i.expectIps.join(', ')}`, `${d} does not point at ${i.expectIps.join(', ')}: fix the record. ${recordHint}`);
    return check(
      'dns',
      'dns',
      'warn',
      seen,
      THRESHOLD,
      `None of these is an address of this host (${expected.slice(0, 4).join(', ')}${expected.length > 4 ? ', …' : ''}). Behind NAT or a load balancer? Re-run with --expect-ip <public IP>; otherwise fix the record.`,
    );
  }
  if (others.length) {
    return check('dns', 'dns', 'warn', seen, i.expectIps?.length ? `A/AAAA → ${i.expectIps.join(', ')}` : THRESHOLD, `${d} also resolves to ${others.join(', ')}, which is not this host: clients (and ACME) may reach the wrong machine. Remove the stale record.`);
  }
  return check('dns', 'dns', 'pass', `${seen} (this host)`, i.expectIps?.length ? `A/AAAA → ${i.expectIps.join(', ')}` : THRESHOLD);
}

async function hostAddresses(executor: Executor): Promise<string[] | undefined> {
  const ip = await probe(executor, ['ip', '-o', 'addr', 'show'], { timeoutMs: 5_000 });
  if (ip.ok) return parseHostAddresses(ip.stdout);
  const hn = await probe(executor, ['hostname', '-I'], { timeoutMs: 5_000 });
  if (hn.ok) return [...parseHostAddresses(hn.stdout), '127.0.0.1', '::1'];
  return undefined;
}

/** DNS from the host's point of view (its resolver, its /etc/hosts), compared with its own addresses. */
export async function checkDns(executor: Executor, input: Omit<DnsInput, 'lookup' | 'hostAddresses'>): Promise<Check> {
  if (!input.domain || isIP(input.domain.replace(/^\[|\]$/g, ''))) return evaluateDns(input);
  const [lookup, addrs] = await Promise.all([
    probe(executor, ['getent', 'ahosts', input.domain], { timeoutMs: 8_000 }),
    input.expectIps?.length ? Promise.resolve(undefined) : hostAddresses(executor),
  ]);
  return evaluateDns({ ...input, lookup, hostAddresses: addrs });
}
