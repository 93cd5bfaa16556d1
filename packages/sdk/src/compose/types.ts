/** Shapes shared by the Compose driver (`@frameworks/sdk/compose`). */

/** Compose v2 (the `docker compose` plugin, or a v2 `docker-compose` binary) or the python v1. */
export type ComposeKind = 'v2' | 'v1';

export interface ComposeInfo {
  kind: ComposeKind;
  /** As the tool prints it (`version --short`), e.g. "2.26.1-4" or "1.29.2". */
  version: string;
  /** The argv prefix of every compose call: ['docker', 'compose'] or ['docker-compose'] (after ['sudo', '-n'] with sudo). */
  argv: string[];
  /** The argv prefix of plain docker calls (ps, inspect, exec, logs): ['docker'] or ['sudo', '-n', 'docker']. */
  dockerArgv: string[];
}

export interface DetectOptions {
  /** Environment for the calls (e.g. DOCKER_HOST). */
  env?: Record<string, string>;
  /** Run docker through `sudo -n` (root-owned stacks over SSH). */
  sudo?: boolean;
  /** Accept only this kind (default: v2 when present, else v1). */
  kind?: ComposeKind;
  timeoutMs?: number;
}

export interface PortBinding {
  containerPort: number;
  protocol: string;
  hostIp: string;
  hostPort: number;
}

/** One container of a project, found by its com.docker.compose.* labels (identical for v1 and v2). */
export interface ComposeContainer {
  id: string;
  /** Container name without the leading "/": proj-svc-1 (v2), proj_svc_1 (v1) or a container_name. */
  name: string;
  project: string;
  service: string;
  /** com.docker.compose.container-number (1 for an unscaled service). */
  number: number;
  /** State.Status: created | running | restarting | paused | exited | dead | removing. */
  state: string;
  /** State.Health.Status when the container has a healthcheck: starting | healthy | unhealthy. */
  health?: string;
  /** Output of the last health probe, trimmed (why it is unhealthy). */
  healthLog?: string;
  exitCode: number;
  /** How often the engine restarted it (RestartCount). */
  restartCount: number;
  startedAt: string;
  /** HostConfig.RestartPolicy.Name ("no", "always", "unless-stopped", "on-failure"). */
  restartPolicy: string;
  /** The image reference the container was created from (Config.Image). */
  image: string;
  /** The image it actually runs: sha256:… */
  imageId: string;
  /** RepoDigests of that image (repo@sha256:…); empty for an image never pushed or pulled. */
  repoDigests: string[];
  /** The manifest digest matching `image`'s repository, when known. */
  digest?: string;
  ports: PortBinding[];
  /** A `compose run` one-off container. */
  oneoff: boolean;
  labels: Record<string, string>;
}

/** What a service runs, recorded before an update so that it can be rolled back. */
export interface ServiceImage {
  service: string;
  container: string;
  state: string;
  /** The reference in the compose file (Config.Image), e.g. 127.0.0.1:5000/edge/helmsman:1. */
  image: string;
  imageId: string;
  digest?: string;
  /** repo@sha256:… when the digest is known (pullable later), else the image id (local only). */
  pinned: string;
}

export interface LogLine {
  service: string;
  /** The prefix compose printed (container name or service-N). */
  container: string;
  text: string;
  /** With `timestamps`: the RFC 3339 timestamp docker recorded. */
  timestamp?: string;
}

export interface ComposeServiceConfig {
  image?: string;
  container_name?: string;
  environment?: Record<string, string | null> | string[];
  ports?: unknown[];
  healthcheck?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The merged, interpolated, validated model (`compose config`). It may hold secrets from env files. */
export interface ComposeConfig {
  name?: string;
  services: Record<string, ComposeServiceConfig>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
  [key: string]: unknown;
}
