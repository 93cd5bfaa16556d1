import type { Check, CheckCategory } from './types.js';

/**
 * The next step for a failed or warning check, by category (the Go CLI matched substrings of the
 * check name, so `ip_local_port_range` was told to "free the port"). A check's own `fix` wins.
 */
export const CATEGORY_NEXT: Record<CheckCategory, string> = {
  dns: 'Point the A/AAAA record of the edge domain at this host, then: frameworks edge preflight',
  ports: "Free ports 80/443 (find the owner: ss -Htlnp 'sport = :80'), then: frameworks edge preflight",
  time: 'timedatectl set-ntp true',
  docker: 'Install or start Docker Engine and the Compose plugin, then: frameworks edge preflight',
  disk: 'docker system prune   # or free space / grow the disk',
  shm: 'mount -o remount,size=1g /dev/shm',
  sysctl: 'frameworks edge tune --write',
  limits: 'Raise dockerd\'s LimitNOFILE to 1048576 (see the nofile hint), or on a test host: frameworks edge init --nofile $(ulimit -Hn)',
};

export function nextStep(c: Check): string {
  return c.fix ?? CATEGORY_NEXT[c.category];
}

/** Suggestions for the failure: one per category, failures before warnings, fixes first. */
export function suggestionsFor(checks: Check[]): string[] {
  const out: string[] = [];
  for (const status of ['fail', 'warn'] as const) {
    for (const c of checks.filter((x) => x.status === status)) {
      const s = nextStep(c);
      if (!out.includes(s)) out.push(s);
    }
  }
  return out;
}
