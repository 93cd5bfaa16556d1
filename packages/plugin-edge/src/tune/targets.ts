/**
 * Host tuning targets for an edge node. The values are the HEAD `node_tuning` Ansible role's
 * (core + edge profile, spec §4.2) rather than the MVP `edge tune` ones (§4.1): 64 MiB socket
 * buffer ceilings instead of 16 MiB (a 1 Gbit/s flow over 200 ms needs ~25 MB in flight; the
 * ceiling costs nothing until a socket uses it), a deeper accept queue (16384, not 8192) and a
 * wider ephemeral port range (10000–65535). HEAD already provisions real edges with these, so a
 * host tuned by this CLI and one provisioned by Ansible end up identical.
 * Added from SCOPE.md: udp_{r,w}mem_min (SRT and WebRTC are UDP; a larger per-socket floor keeps
 * their buffers usable under memory pressure).
 */

/** How a live value is compared with the target: a floor, a ceiling, a range to cover, or an exact word. */
export type Compare = 'min' | 'max' | 'range' | 'exact';

export interface SysctlTarget {
  key: string;
  value: string;
  compare: Compare;
  /** One line: why an edge wants it. */
  why: string;
  /** Written only when the kernel offers it (fq qdisc, bbr congestion control). */
  requires?: 'fq' | 'bbr';
}

export const SYSCTL_TARGETS: readonly SysctlTarget[] = [
  { key: 'fs.file-max', value: '2097152', compare: 'min', why: 'system-wide open files: every viewer is a socket in Caddy and MistServer' },
  { key: 'kernel.pid_max', value: '4194304', compare: 'min', why: 'threads count as pids; MistServer runs several per stream' },
  { key: 'net.core.default_qdisc', value: 'fq', compare: 'exact', requires: 'fq', why: 'fair queueing with pacing, the qdisc bbr is designed for' },
  { key: 'net.core.netdev_max_backlog', value: '16384', compare: 'min', why: 'packets queued per CPU before the kernel drops bursts of UDP (SRT, WebRTC)' },
  { key: 'net.core.rmem_max', value: '67108864', compare: 'min', why: 'ceiling of socket receive buffers for long fat paths and UDP ingest' },
  { key: 'net.core.somaxconn', value: '16384', compare: 'min', why: 'accept queue of Caddy and MistServer during connection storms' },
  { key: 'net.core.wmem_max', value: '67108864', compare: 'min', why: 'ceiling of socket send buffers for high-bitrate egress' },
  { key: 'net.ipv4.ip_local_port_range', value: '10000 65535', compare: 'range', why: 'ephemeral ports for upstream, relay and proxy connections' },
  { key: 'net.ipv4.tcp_congestion_control', value: 'bbr', compare: 'exact', requires: 'bbr', why: 'keeps throughput up on lossy last-mile paths' },
  { key: 'net.ipv4.tcp_max_syn_backlog', value: '8192', compare: 'min', why: 'half-open connections kept during bursts of new viewers' },
  { key: 'net.ipv4.tcp_notsent_lowat', value: '16384', compare: 'max', why: 'small unsent queues so live segments are not stuck behind bulk data' },
  { key: 'net.ipv4.udp_rmem_min', value: '16384', compare: 'min', why: 'per-socket UDP receive floor for SRT/WebRTC under memory pressure' },
  { key: 'net.ipv4.udp_wmem_min', value: '16384', compare: 'min', why: 'per-socket UDP send floor for SRT/WebRTC under memory pressure' },
  { key: 'vm.swappiness', value: '10', compare: 'max', why: 'keep MistServer in RAM: swapping stalls live streams' },
];

export interface LimitLine {
  domain: string;
  type: 'soft' | 'hard';
  item: 'nofile' | 'nproc';
  value: number;
}

/** pam_limits: `*` does not cover root, hence the root lines (as the node_tuning role writes them). */
export const LIMIT_LINES: readonly LimitLine[] = [
  { domain: '*', type: 'soft', item: 'nofile', value: 1048576 },
  { domain: '*', type: 'hard', item: 'nofile', value: 1048576 },
  { domain: 'root', type: 'soft', item: 'nofile', value: 1048576 },
  { domain: 'root', type: 'hard', item: 'nofile', value: 1048576 },
  { domain: '*', type: 'soft', item: 'nproc', value: 65535 },
  { domain: '*', type: 'hard', item: 'nproc', value: 65535 },
];

/** Open files per container (and per process) an edge needs: SCOPE "Host Tuning Targets". */
export const NOFILE_TARGET = 1048576;

/**
 * File names. `90-` sorts after distribution defaults (`10-`…`50-`) so our values win, and
 * before the admin's `99-sysctl.conf`, so a local override still wins over ours.
 */
export const SYSCTL_FILE = '/etc/sysctl.d/90-frameworks-edge.conf';
export const LIMITS_FILE = '/etc/security/limits.d/90-frameworks-edge.conf';
/**
 * The MVP Go CLI wrote these names; without a numeric prefix they sort after every `NN-` file and
 * would override ours with its smaller values, so `--write` removes them.
 */
export const LEGACY_FILES = ['/etc/sysctl.d/frameworks-edge.conf', '/etc/security/limits.d/frameworks-edge.conf'] as const;

export function procSysPath(key: string): string {
  return `/proc/sys/${key.replace(/\./g, '/')}`;
}
