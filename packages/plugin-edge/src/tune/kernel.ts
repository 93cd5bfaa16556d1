import type { Executor } from '@frameworks/sdk';
import { probe } from '../lib/probe.js';
import { readSysctl } from './live.js';

export interface Availability {
  available: boolean;
  /** Why it is (not) offered, shown when the key is omitted. */
  reason: string;
}

export interface CongestionSupport {
  bbr: Availability;
  fq: Availability;
}

/** bbr: only what the kernel lists as available right now (a module that is not loaded is not listed). */
export function decideBbr(availableList: string | undefined): Availability {
  if (availableList === undefined) return { available: false, reason: 'net.ipv4.tcp_available_congestion_control cannot be read' };
  const list = availableList.trim().split(/\s+/).filter(Boolean);
  if (list.includes('bbr')) return { available: true, reason: `bbr is available (tcp_available_congestion_control: ${list.join(' ')})` };
  return {
    available: false,
    reason: `bbr is not available (tcp_available_congestion_control: ${list.join(' ') || 'empty'}); if the kernel ships the module: modprobe tcp_bbr && echo tcp_bbr > /etc/modules-load.d/bbr.conf, then re-run`,
  };
}

export interface FqEvidence {
  /** net.core.default_qdisc as read now. */
  defaultQdisc?: string;
  /** sch_fq.ko listed in modules.builtin / modules.dep: true, false, or undefined when those files are absent. */
  inModules?: boolean;
  modulesPath?: string;
  /** Kernel config text and where it came from (/proc/config.gz or /boot/config-<release>). */
  config?: { source: string; text: string };
}

/**
 * Whether the fq qdisc exists. Nothing under /proc/sys lists qdiscs, so look for the module
 * (built in or loadable) and then at the kernel config; setting default_qdisc loads the module itself.
 */
export function decideFq(e: FqEvidence): Availability {
  if (e.defaultQdisc === 'fq') return { available: true, reason: 'fq is already the default qdisc' };
  if (e.inModules) return { available: true, reason: `sch_fq is listed in ${e.modulesPath ?? 'the kernel modules'}` };
  if (e.config) {
    const m = /^CONFIG_NET_SCH_FQ=([ym])$/m.exec(e.config.text);
    if (m) return { available: true, reason: `CONFIG_NET_SCH_FQ=${m[1]} in ${e.config.source}` };
    return { available: false, reason: `the kernel has no fq qdisc (CONFIG_NET_SCH_FQ is not set in ${e.config.source})` };
  }
  if (e.inModules === false) return { available: false, reason: `sch_fq is not in ${e.modulesPath ?? 'the kernel modules'}` };
  return { available: false, reason: 'could not confirm the kernel has the fq qdisc (no modules.builtin/modules.dep and no kernel config to read)' };
}

/** bbr and fq support of the host's kernel, through the executor. */
export async function detectCongestionSupport(executor: Executor): Promise<CongestionSupport> {
  const [avail, qdisc, release] = await Promise.all([
    readSysctl(executor, 'net.ipv4.tcp_available_congestion_control'),
    readSysctl(executor, 'net.core.default_qdisc'),
    probe(executor, ['uname', '-r'], { timeoutMs: 5_000 }),
  ]);
  const bbr = decideBbr(avail.value);
  if (qdisc.value === 'fq') return { bbr, fq: decideFq({ defaultQdisc: 'fq' }) };
  const rel = release.ok ? release.stdout.trim() : '';
  const modulesDir = rel ? `/lib/modules/${rel}` : undefined;
  const [modules, procConfig, bootConfig] = await Promise.all([
    modulesDir
      ? probe(executor, ['grep', '-qsE', '(^|/)sch_fq\\.ko', `${modulesDir}/modules.builtin`, `${modulesDir}/modules.dep`], { timeoutMs: 5_000 })
      : undefined,
    probe(executor, ['gzip', '-dc', '/proc/config.gz'], { timeoutMs: 5_000 }),
    rel ? probe(executor, ['cat', `/boot/config-${rel}`], { timeoutMs: 5_000 }) : undefined,
  ]);
  // grep: 0 found, 1 not found, 2 the files do not exist (-s keeps that quiet).
  const inModules = modules?.code === 0 ? true : modules?.code === 1 ? false : undefined;
  const config = procConfig.ok
    ? { source: '/proc/config.gz', text: procConfig.stdout }
    : bootConfig?.ok
      ? { source: `/boot/config-${rel}`, text: bootConfig.stdout }
      : undefined;
  return { bbr, fq: decideFq({ defaultQdisc: qdisc.value, inModules, modulesPath: modulesDir, config }) };
}
