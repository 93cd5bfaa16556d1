import type { ComposeContainer } from '@frameworks/sdk/compose';

export interface ServiceRow {
  service: string;
  /** Container state (running, exited, …) or "missing" when the service has no container. */
  state: string;
  /** healthy | unhealthy | starting, or "none" without a healthcheck / container. */
  health: string;
  container: string | null;
  image: string | null;
  ports: string[];
  ok: boolean;
}

/** One row per service of the list (its lowest-numbered non one-off container). */
export function statusRows(services: string[], containers: ComposeContainer[]): ServiceRow[] {
  return services.map((service) => {
    const c = containers.filter((k) => k.service === service && !k.oneoff).sort((a, b) => a.number - b.number)[0];
    if (!c) return { service, state: 'missing', health: 'none', container: null, image: null, ports: [], ok: false };
    const health = c.health ?? 'none';
    const ports = [...new Set(c.ports.filter((p) => p.hostPort).map((p) => `${p.hostPort}->${p.containerPort}/${p.protocol}`))];
    return { service, state: c.state, health, container: c.name, image: c.image, ports, ok: c.state === 'running' && (health === 'healthy' || health === 'none') };
  });
}
