import { createHash } from 'node:crypto';
import type { CatalogService, HealthSpec } from './catalog.js';

export const PLAN_FILE = 'plan.yaml';
export const ENV_FILE = '.central.env';
export const DEFAULT_PROJECT = 'frameworks-central';
export const fragmentName = (service: string) => `svc-${service}.yml`;
export const FRAGMENT_RE = /^svc-([a-z][a-z0-9_]*)\.yml$/;

export interface RenderedFile {
  name: string;
  content: string;
  mode: number;
}

export interface PlanDoc {
  schema_version: 1;
  profile?: string;
  project: string;
  services: string[];
  images?: Record<string, string>;
  /** Fragment file → sha256 of the content the planner wrote (hand edits are detected against it). */
  fragments?: Record<string, string>;
}

export const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const q = (s: string) => JSON.stringify(s);

/** The healthcheck of a catalog health spec: http → wget (busybox/alpine) or curl; grpc → a TCP connect (no grpc_health_probe is assumed in the images). */
export function healthcheckTest(h: HealthSpec): string {
  if (h.protocol === 'http') {
    const url = `http://127.0.0.1:${h.port}${h.path ?? '/health'}`;
    return `wget -q -O /dev/null ${url} || curl -fsS -o /dev/null ${url} || exit 1`;
  }
  // `nc -z` (netcat-openbsd, nmap) or busybox nc, which has no -z: connect and close at once.
  return `nc -z 127.0.0.1 ${h.port} 2>/dev/null || nc -w 2 127.0.0.1 ${h.port} </dev/null >/dev/null || exit 1`;
}

/**
 * One compose file per service (keys sorted). No container_name (spec §8's fixed names keep two
 * stacks off one host; the project name from plan.yaml namespaces the containers), env_file
 * .central.env, a healthcheck from the catalog's health spec, init (a clean SIGTERM), restart.
 */
export function renderFragment(name: string, svc: CatalogService, image: string, unpinnedAllowed = false): RenderedFile {
  const lines = [
    `# ${svc.title} — written by \`frameworks services plan\`; plan.yaml records its sha256.`,
    '# Hand edits are kept (re-planning refuses to overwrite them without --force).',
    ...(unpinnedAllowed ? ['# UNPINNED (--allow-unpinned): the release gives no digest for this image; it runs by tag.'] : []),
    'services:',
    `  ${name}:`,
    '    env_file:',
    `      - ${ENV_FILE}`,
    '    healthcheck:',
    `      test: ["CMD-SHELL", ${q(healthcheckTest(svc.health))}]`,
    '      interval: 10s',
    '      timeout: 5s',
    '      retries: 5',
    '      start_period: 10s',
    `    image: ${q(image)}`,
    '    init: true',
  ];
  if (svc.ports.length) lines.push('    ports:', ...svc.ports.map((p) => `      - ${q(p)}`));
  lines.push('    restart: unless-stopped', '');
  return { name: fragmentName(name), content: lines.join('\n'), mode: 0o644 };
}

/** Placeholder keys only: no secret is invented. Documented in the file itself. */
export const ENV_KEYS: Array<[string, string]> = [
  ['ENV_CONTEXT', 'central'],
  ['LOG_LEVEL', 'info'],
  ['DATABASE_URL', ''],
  ['JWT_SECRET', ''],
  ['SERVICE_TOKEN', ''],
  ['QUARTERMASTER_URL', 'http://quartermaster:18002'],
  ['COMMODORE_URL', 'http://commodore:18001'],
  ['DECKLOG_GRPC_ADDR', 'decklog:18006'],
];

export function renderEnv(): RenderedFile {
  const body = [
    '# FrameWorks central stack environment (every service reads it: env_file in each svc-*.yml).',
    '# Written once by `frameworks services plan` and never overwritten. Fill in the empty values;',
    '# secrets stay in this file (mode 0600), never in plan.yaml or the fragments.',
    ...ENV_KEYS.map(([k, v]) => `${k}=${v}`),
    '',
  ].join('\n');
  return { name: ENV_FILE, content: body, mode: 0o600 };
}

export async function renderPlan(plan: PlanDoc): Promise<RenderedFile> {
  const yaml = await import('js-yaml');
  const header = '# Written by `frameworks services plan`: the services `services up|down|status|logs` act on,\n# the compose project name, and the sha256 of every fragment as written (to detect hand edits).\n';
  return { name: PLAN_FILE, content: header + yaml.dump(plan, { indent: 2, lineWidth: 200, noRefs: true }), mode: 0o644 };
}

/** Parse plan.yaml leniently (any valid YAML); undefined when it is not a usable plan. */
export async function parsePlan(text: string): Promise<PlanDoc | undefined> {
  const yaml = await import('js-yaml');
  let data: unknown;
  try {
    data = yaml.load(text);
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  const services = Array.isArray(d.services) ? d.services.filter((s): s is string => typeof s === 'string') : [];
  const fragments = d.fragments && typeof d.fragments === 'object' ? (d.fragments as Record<string, string>) : undefined;
  return {
    schema_version: 1,
    ...(typeof d.profile === 'string' ? { profile: d.profile } : {}),
    project: typeof d.project === 'string' && d.project ? d.project : DEFAULT_PROJECT,
    services,
    ...(fragments ? { fragments } : {}),
  };
}
