/** The three containers of an edge node, in start order (plugin-edge's EDGE_SERVICES). */
export type EdgeService = 'caddy' | 'mistserver' | 'helmsman';
export type TlsMode = 'acme' | 'internal';

/** `.edge.env`: KEY=VALUE lines read by Docker Compose (env_file) and by the edge commands. */
export const EDGE_ENV = '.edge.env';
export const EDGE_ENV_EXAMPLE = '.edge.env.example';
/** Keys whose values are secrets: blank in .edge.env.example, masked in diffs and --dry-run. */
export const EDGE_ENV_SECRET_KEYS: readonly string[] = ['EDGE_ENROLLMENT_TOKEN'];

/** A value about to be written as KEY=value in .edge.env: anything else is a bug upstream. */
export function isEnvSafe(value: string): boolean {
  return /^[^\s"'`$#\\{}]*$/.test(value);
}

/** Everything the edge templates need, already validated (plugin-edge's lib/validate-input.ts). */
export interface EdgeSettings {
  /** Host name or IP address (no brackets), lower-cased. */
  domain: string;
  domainKind: 'dns' | 'ipv4' | 'ipv6';
  /** ACME account address; '' when none (allowed with --tls internal only). */
  email: string;
  tls: TlsMode;
  /** Enrollment token; '' when not given yet. */
  token: string;
  /** Helmsman's NODE_NAME. */
  nodeName: string;
  foghorn: {
    /** host:port of Foghorn's gRPC control stream (FOGHORN_CONTROL_ADDR). */
    controlAddr: string;
    /** Foghorn's HTTP base URL (FOGHORN_HTTP_BASE). */
    httpBase: string;
    /** The control stream uses TLS (the context's foghorn-grpc is grpcs://). */
    tls: boolean;
  };
  release: {
    channel: string;
    version?: string;
    /** The image reference of each service, exactly as written into the compose file. */
    refs: Record<EdgeService, string>;
    /** Deployed by tag because of --allow-unpinned: recorded in the compose header and .edge.env. */
    allowedUnpinned?: EdgeService[];
  };
  /** MistServer's /dev/shm size (Docker size string, e.g. 1g). */
  mistShmSize: string;
  /** nofile soft and hard limit for mistserver and helmsman. */
  nofile: number;
  /** IPv4 address Caddy's ports are published on; 0.0.0.0 = every address (IPv4 and IPv6). */
  bind: string;
  httpPort: number;
  httpsPort: number;
  /** Compose project name (passed with -p by the edge commands). */
  project: string;
}

/** Ports inside the stack (fixed by the images). */
export const HELMSMAN_PORT = 18007;
export const MIST_HTTP_PORT = 8080;
