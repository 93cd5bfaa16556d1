import type { ComposeContainer } from '@frameworks/sdk/compose';

export type ItemStatus = 'pass' | 'warn' | 'fail';
/** A service row may also be `skip`: not checked, because the Docker engine could not be reached. */
export type ServiceItemStatus = ItemStatus | 'skip';

/** One service of the stack as `edge status` reports it (from the compose labels, so v1 and v2 alike). */
export interface ServiceStatus {
  service: string;
  /** One of the three edge services (caddy, mistserver, helmsman); others are reported, never required. */
  required: boolean;
  container?: string;
  /** running, exited, restarting, created, paused, dead … or `missing` (no container). */
  state: string;
  /** healthy, unhealthy, starting, or `none` (no healthcheck). */
  health: string;
  restarts?: number;
  image?: string;
  /** Set on drift: the image the compose file pins, when the container runs another. */
  pinned_image?: string;
  /** Manifest digest of the image, when known (pulled or pushed images). */
  digest?: string;
  image_id?: string;
  started_at?: string;
  uptime_s?: number;
  exit_code?: number;
  /** Containers of the service (more than 1 when scaled). */
  containers: number;
  status: ServiceItemStatus;
  /** Why it is not a pass. */
  problem?: string;
  /** The command that fixes or explains it (when not a pass). */
  fix?: string;
  /** Last health probe output of an unhealthy container. */
  health_log?: string;
}

/** Recently restarted containers are worth a warning even when healthy now. */
export const RECENT_RESTART_S = 300;

function lastLine(text?: string): string | undefined {
  const l = text?.trim().split('\n').pop()?.trim();
  return l ? l.slice(0, 200) : undefined;
}

/** pass / warn / fail of one container, with the reason. */
export function judgeContainer(c: ComposeContainer, restarts: number | undefined, now: Date): { status: ItemStatus; problem?: string; uptime_s?: number } {
  const uptime = c.state === 'running' && c.startedAt ? Math.max(0, Math.round((now.getTime() - Date.parse(c.startedAt)) / 1000)) : undefined;
  const up = uptime === undefined ? {} : { uptime_s: uptime };
  switch (c.state) {
    case 'running':
      if (c.health === 'unhealthy') return { status: 'fail', problem: `unhealthy${lastLine(c.healthLog) ? `: ${lastLine(c.healthLog)}` : ''}`, ...up };
      if (c.health === 'starting') return { status: 'warn', problem: 'health check not passed yet (starting)', ...up };
      if (restarts && uptime !== undefined && uptime < RECENT_RESTART_S) return { status: 'warn', problem: `restarted ${restarts} time${restarts === 1 ? '' : 's'}, up ${uptime} s`, ...up };
      return { status: 'pass', ...up };
    case 'restarting':
      return { status: 'fail', problem: `restarting (last exit ${c.exitCode}${restarts ? `, ${restarts} restarts` : ''})` };
    case 'exited':
    case 'dead':
      return { status: 'fail', problem: `${c.state} (exit ${c.exitCode})` };
    case 'created':
      return { status: 'fail', problem: 'created but never started' };
    default:
      return { status: 'fail', problem: c.state };
  }
}

const RANK: Record<ItemStatus, number> = { pass: 0, warn: 1, fail: 2 };

/**
 * Every expected service (missing ones included) plus any other service the project has. A scaled
 * service is as good as its worst container; the row shows that container.
 */
export function evaluateServices(expected: readonly string[], containers: ComposeContainer[], restarts: Map<string, number>, now = new Date()): ServiceStatus[] {
  const live = containers.filter((c) => !c.oneoff);
  const extra = [...new Set(live.map((c) => c.service))].filter((s) => !expected.includes(s)).sort();
  return [...expected, ...extra].map((service) => {
    const required = expected.includes(service);
    const mine = live.filter((c) => c.service === service).sort((a, b) => a.number - b.number);
    if (mine.length === 0) return { service, required, state: 'missing', health: 'none', containers: 0, status: 'fail', problem: 'missing: no container' };
    const judged = mine.map((c) => ({ c, ...judgeContainer(c, restarts.get(c.id), now) }));
    const worst = judged.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
    const { c } = worst;
    const row: ServiceStatus = {
      service,
      required,
      container: c.name,
      state: c.state,
      health: c.health ?? 'none',
      image: c.image,
      image_id: c.imageId,
      containers: mine.length,
      // An extra service (a sidecar someone added) never makes the stack degraded.
      status: !required && worst.status === 'fail' ? 'warn' : worst.status,
    };
    const r = restarts.get(c.id);
    if (r !== undefined) row.restarts = r;
    if (c.digest) row.digest = c.digest;
    if (c.startedAt && !c.startedAt.startsWith('0001-')) row.started_at = c.startedAt;
    if (worst.uptime_s !== undefined) row.uptime_s = worst.uptime_s;
    if (c.state !== 'running') row.exit_code = c.exitCode;
    if (worst.problem) row.problem = mine.length > 1 ? `${c.name}: ${worst.problem}` : worst.problem;
    if (c.health === 'unhealthy' && c.healthLog) row.health_log = c.healthLog;
    return row;
  });
}


/** "3 d 4 h", "5 min", "12 s". */
export function formatUptime(s?: number): string {
  if (s === undefined) return '';
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
