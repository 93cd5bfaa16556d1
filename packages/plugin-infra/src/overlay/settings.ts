/**
 * From overlay documents to Terraform inputs: merge (base, then tenant; objects deep, lists replaced),
 * check what a schema cannot (CIDRs parse, subnets inside the VPC, one subnet per zone), fill the defaults.
 */
import { cidrProblem, cidrSubnet, contains, overlaps, parseCidr, type Cidr } from './cidr.js';
import type { Overlay } from './schema.js';

export interface Problem {
  /** The file the key is in (relative to the infra folder). */
  file: string;
  /** Dotted key path, list items by index: network.private_subnets.2 */
  path: string;
  message: string;
}

export interface Layer {
  file: string;
  overlay: Overlay;
}

export const DEFAULTS = {
  region: 'eu-west-1',
  vpc_cidr: '10.0.0.0/16',
  nat: 'single',
  ssh_user: 'ubuntu',
  disk_gb: 40,
  role: { count: 1, size: 't3.medium' },
} as const;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects key by key, anything else (lists included) replaced by the upper layer. */
export function mergeOverlays(lower: Overlay, upper: Overlay): Overlay {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isObject(a) || !isObject(b)) return b === undefined ? a : b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  };
  return merge(lower, upper) as Overlay;
}

/** Every CIDR-valued key of one file, as [path, value]. */
function cidrKeys(o: Overlay): Array<[string, string]> {
  const n = o.network ?? {};
  const out: Array<[string, string]> = [];
  if (n.vpc_cidr !== undefined) out.push(['network.vpc_cidr', n.vpc_cidr]);
  for (const key of ['public_subnets', 'private_subnets', 'service_cidrs', 'admin_cidrs'] as const) {
    (n[key] ?? []).forEach((v, i) => out.push([`network.${key}.${i}`, v]));
  }
  return out;
}

/** Checks of one file on its own: CIDRs that do not parse, a tenant file choosing the backend type. */
export function fileProblems(layer: Layer, isBase: boolean): Problem[] {
  const problems: Problem[] = [];
  for (const [path, value] of cidrKeys(layer.overlay)) {
    if (!parseCidr(value)) problems.push({ file: layer.file, path, message: cidrProblem(value) });
  }
  if (!isBase && layer.overlay.backend?.type !== undefined) {
    const message = 'one backend type serves every tenant: set it in tenants/_base.yaml (then re-run frameworks infra init)';
    problems.push({ file: layer.file, path: 'backend.type', message });
  }
  return problems;
}

export interface InfraSettings {
  tenant: string;
  region: string;
  zones: string[];
  vpc_cidr: string;
  public_subnets: string[];
  private_subnets: string[];
  nat: 'single' | 'per_zone' | 'none';
  service_cidrs: string[];
  admin_cidrs: string[];
  public: boolean;
  ssh_user: string;
  ssh_key_name?: string;
  ami?: string;
  disk_gb: number;
  roles: Record<string, { count: number; size: string }>;
  tags: Record<string, string>;
  backend: { type: 'local' | 's3'; bucket?: string; region?: string; dynamodb_table?: string; key_prefix?: string };
}

/** Default subnets: carve the VPC in halves, public from the bottom, private from the middle (a /16 gives /24s). */
function defaultSubnets(vpc: Cidr, zones: number): { public: string[]; private: string[] } | undefined {
  const newbits = Math.min(8, 28 - vpc.prefix);
  if (newbits < 1 || zones > 2 ** (newbits - 1)) return undefined;
  const half = 2 ** (newbits - 1);
  return {
    public: Array.from({ length: zones }, (_, i) => cidrSubnet(vpc, newbits, i)),
    private: Array.from({ length: zones }, (_, i) => cidrSubnet(vpc, newbits, half + i)),
  };
}

/**
 * The merged settings of a tenant, or the problems found (each naming the file whose value is at fault:
 * the tenant's file when it sets the key, else the base).
 */
export function resolveSettings(tenant: string, layers: Layer[], roles: string[]): { settings?: InfraSettings; problems: Problem[] } {
  const merged = layers.reduce<Overlay>((acc, l) => mergeOverlays(acc, l.overlay), {});
  const problems: Problem[] = [];
  const fileOf = (get: (o: Overlay) => unknown) => [...layers].reverse().find((l) => get(l.overlay) !== undefined)?.file ?? layers.at(-1)!.file;
  const add = (get: (o: Overlay) => unknown, path: string, message: string) => problems.push({ file: fileOf(get), path, message });

  const region = merged.region ?? DEFAULTS.region;
  const zones = merged.zones ?? [`${region}a`, `${region}b`];
  zones.forEach((z, i) => {
    if (!z.startsWith(region)) add((o) => o.zones, `zones.${i}`, `${z} is not a zone of region ${region}`);
  });
  const net = merged.network ?? {};
  const vpcText = net.vpc_cidr ?? DEFAULTS.vpc_cidr;
  const vpc = parseCidr(vpcText);
  if (!vpc) return { problems }; // already reported by fileProblems
  const carved = defaultSubnets(vpc, zones.length);
  const subnets: Record<'public_subnets' | 'private_subnets', string[]> = { public_subnets: [], private_subnets: [] };
  const seen: Array<{ path: string; cidr: Cidr }> = [];
  for (const key of ['public_subnets', 'private_subnets'] as const) {
    const given = net[key];
    const list = given ?? (key === 'public_subnets' ? carved?.public : carved?.private);
    if (!list) {
      const n = zones.length;
      add((o) => o.network?.vpc_cidr, 'network.vpc_cidr', `${vpcText} is too small to carve ${n} public and ${n} private subnets from; give network.${key}`);
      continue;
    }
    subnets[key] = list;
    if (list.length !== zones.length) {
      const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
      const why = `${plural(list.length, 'subnet')} for ${plural(zones.length, 'zone')} (${zones.join(', ')}): give one per zone`;
      add((o) => o.network?.[key], `network.${key}`, why);
    }
    list.forEach((text, i) => {
      const c = parseCidr(text);
      if (!c) return;
      const path = `network.${key}.${i}`;
      if (!contains(vpc, c)) add((o) => o.network?.[key], path, `${text} is outside the VPC CIDR ${vpcText}`);
      const clash = seen.find((s) => overlaps(s.cidr, c));
      if (clash) add((o) => o.network?.[key], path, `${text} overlaps ${clash.path} (${clash.cidr.text})`);
      seen.push({ path, cidr: c });
    });
  }
  const backend = { type: 'local' as const, ...merged.backend };
  if (backend.type === 's3' && !backend.bucket) add((o) => o.backend, 'backend.bucket', 'is required when backend.type is s3');

  const c = merged.central ?? {};
  const roleSettings = Object.fromEntries(
    roles.map((r) => [r, { count: c.roles?.[r]?.count ?? DEFAULTS.role.count, size: c.roles?.[r]?.size ?? DEFAULTS.role.size }]),
  );
  if (problems.length) return { problems };
  return {
    problems,
    settings: {
      tenant,
      region,
      zones,
      vpc_cidr: vpcText,
      public_subnets: subnets.public_subnets,
      private_subnets: subnets.private_subnets,
      nat: net.nat ?? DEFAULTS.nat,
      service_cidrs: net.service_cidrs ?? [],
      admin_cidrs: net.admin_cidrs ?? [],
      public: c.public ?? false,
      ssh_user: c.ssh_user ?? DEFAULTS.ssh_user,
      ...(c.ssh_key_name ? { ssh_key_name: c.ssh_key_name } : {}),
      ...(c.ami ? { ami: c.ami } : {}),
      disk_gb: c.disk_gb ?? DEFAULTS.disk_gb,
      roles: roleSettings,
      tags: merged.tags ?? {},
      backend,
    },
  };
}

/** Variables of the root module (variables.tf), as tenants/<tenant>.tfvars.json holds them. No secrets. */
export function tfvars(s: InfraSettings): Record<string, Json> {
  return {
    tenant: s.tenant,
    region: s.region,
    availability_zones: s.zones,
    vpc_cidr: s.vpc_cidr,
    public_subnet_cidrs: s.public_subnets,
    private_subnet_cidrs: s.private_subnets,
    nat_gateway_mode: s.nat,
    service_cidrs: s.service_cidrs,
    admin_cidrs: s.admin_cidrs,
    central_roles: Object.fromEntries(Object.entries(s.roles).map(([r, v]) => [r, { count: v.count, instance_type: v.size }])),
    central_public: s.public,
    ssh_user: s.ssh_user,
    ...(s.ssh_key_name ? { ssh_key_name: s.ssh_key_name } : {}),
    ...(s.ami ? { ami_id: s.ami } : {}),
    root_volume_gb: s.disk_gb,
    tags: s.tags,
  };
}

/** Variables declared `sensitive = true` in variables.tf: set through TF_VAR_<name>, never written to a file. */
export const SENSITIVE_VARIABLES = ['service_token'];

const hclString = (s: string) => JSON.stringify(s);

/** backends/<tenant>.hcl: the partial backend configuration that gives the tenant a state of its own. */
export function backendHcl(s: InfraSettings): string {
  const head = `# Backend of tenant ${s.tenant}: generated from tenants/_base.yaml and tenants/${s.tenant}.yaml on every plan; edit those.\n`;
  if (s.backend.type === 'local') return `${head}path = ${hclString(`state/${s.tenant}/terraform.tfstate`)}\n`;
  const prefix = (s.backend.key_prefix ?? 'frameworks').replace(/\/+$/, '');
  const lines = [
    `bucket  = ${hclString(s.backend.bucket!)}`,
    `key     = ${hclString(`${prefix}/${s.tenant}/terraform.tfstate`)}`,
    `region  = ${hclString(s.backend.region ?? s.region)}`,
    'encrypt = true',
    ...(s.backend.dynamodb_table ? [`dynamodb_table = ${hclString(s.backend.dynamodb_table)}`] : []),
  ];
  return `${head}${lines.join('\n')}\n`;
}
