import { isIP } from 'node:net';
import type { Executor } from '@frameworks/sdk';
import { checkDns, parseGetentAhosts } from '../preflight/dns.js';
import { probe } from '../preflight/probe.js';
import type { CheckStatus } from '../preflight/types.js';

export interface DnsView {
  domain: string;
  status: CheckStatus;
  /** What the host's resolver said. */
  value: string;
  hint: string;
  fix?: string;
}

/**
 * Special-use and private names (RFC 2606, 6761, 6762, 8375, ICANN's .internal): they never resolve
 * publicly, so "does not resolve" is expected for them, not a fault of the edge.
 */
const RESERVED = /(?:^|\.)(?:test|example|invalid|localhost|local|internal|lan|home\.arpa)$/i;

export function isReservedName(domain: string): boolean {
  return RESERVED.test(domain.replace(/\.$/, ''));
}

/**
 * DNS correctness from the host itself (`getent ahosts` through the executor: its resolver, its
 * /etc/hosts): the domain's A/AAAA must include one of the host's addresses, or --expect-ip.
 * Skipped, with a note, for an IP address and for a test/internal name that does not resolve.
 */
export async function checkStatusDns(executor: Executor, domain: string, expectIps?: string[]): Promise<DnsView> {
  if (!domain) return { domain, status: 'skip', value: 'no domain', hint: 'Set EDGE_DOMAIN in .edge.env or pass --domain.' };
  if (isIP(domain.replace(/^\[|\]$/g, ''))) return { domain, status: 'skip', value: `${domain} is an IP address`, hint: 'No DNS record to check.' };
  if (isReservedName(domain)) {
    const r = await probe(executor, ['getent', 'ahosts', domain], { timeoutMs: 8_000 });
    if (!r.missing && !r.timedOut && (!r.ok || parseGetentAhosts(r.stdout).length === 0)) {
      return { domain, status: 'skip', value: `${domain} does not resolve (a test/internal name)`, hint: 'Not checked: reserved names never resolve publicly; use a real domain in production.' };
    }
  }
  const c = await checkDns(executor, { domain, ...(expectIps?.length ? { expectIps } : {}) });
  return { domain, status: c.status, value: c.value, hint: c.hint };
}
