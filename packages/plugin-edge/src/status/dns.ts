import type { Executor } from '@frameworks/sdk';
import { checkDns, isReservedName } from '../preflight/dns.js';
import type { CheckStatus } from '../preflight/types.js';

export { isReservedName };

export interface DnsView {
  domain: string;
  status: CheckStatus;
  /** What the host's resolver said. */
  value: string;
  hint: string;
  fix?: string;
}

/**
 * DNS correctness from the host itself (`getent ahosts` through the executor: its resolver, its
 * /etc/hosts): the domain's A/AAAA must include one of the host's addresses, or --expect-ip. The
 * rule is preflight's (skipped for an IP address and for a test/internal name that does not resolve).
 */
export async function checkStatusDns(executor: Executor, domain: string, expectIps?: string[]): Promise<DnsView> {
  if (!domain) return { domain, status: 'skip', value: 'no domain', hint: 'Set EDGE_DOMAIN in .edge.env or pass --domain.' };
  const c = await checkDns(executor, { domain, ...(expectIps?.length ? { expectIps } : {}) });
  return { domain, status: c.status, value: c.value, hint: c.hint };
}
