/**
 * The overlay document: tenants/_base.yaml and tenants/<tenant>.yaml share it (every key optional). Closed
 * everywhere (additionalProperties: false): a misspelt key is an error naming its path, never silently ignored.
 */
export function overlaySchema(roles: string[]) {
  const cidr = { type: 'string' };
  const cidrList = { type: 'array', items: cidr };
  const role = {
    type: 'object',
    additionalProperties: false,
    properties: {
      count: { type: 'integer', minimum: 0, maximum: 50 },
      size: { type: 'string', pattern: '^[a-z0-9]+[a-z0-9-]*\\.[a-z0-9]+$' },
    },
  };
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$' },
      zones: { type: 'array', minItems: 1, maxItems: 6, uniqueItems: true, items: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+[a-z]$' } },
      network: {
        type: 'object',
        additionalProperties: false,
        properties: {
          vpc_cidr: cidr,
          public_subnets: cidrList,
          private_subnets: cidrList,
          nat: { enum: ['single', 'per_zone', 'none'] },
          service_cidrs: cidrList,
          admin_cidrs: cidrList,
        },
      },
      central: {
        type: 'object',
        additionalProperties: false,
        properties: {
          public: { type: 'boolean' },
          ssh_user: { type: 'string', pattern: '^[a-z_][a-z0-9_-]{0,31}$' },
          ssh_key_name: { type: 'string', minLength: 1, maxLength: 255 },
          ami: { type: 'string', pattern: '^ami-[0-9a-f]{8,17}$' },
          disk_gb: { type: 'integer', minimum: 8, maximum: 16384 },
          roles: { type: 'object', additionalProperties: false, properties: Object.fromEntries(roles.map((r) => [r, role])) },
        },
      },
      tags: { type: 'object', additionalProperties: { type: 'string', maxLength: 256 }, propertyNames: { maxLength: 128 } },
      backend: {
        type: 'object',
        additionalProperties: false,
        properties: {
          type: { enum: ['local', 's3'] },
          bucket: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' },
          region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$' },
          dynamodb_table: { type: 'string', minLength: 3, maxLength: 255 },
          key_prefix: { type: 'string', pattern: '^[A-Za-z0-9_./-]+$' },
        },
      },
    },
  } as const;
}

/** A parsed overlay file: what the schema allows, every key optional. */
export interface Overlay {
  region?: string;
  zones?: string[];
  network?: {
    vpc_cidr?: string;
    public_subnets?: string[];
    private_subnets?: string[];
    nat?: 'single' | 'per_zone' | 'none';
    service_cidrs?: string[];
    admin_cidrs?: string[];
  };
  central?: {
    public?: boolean;
    ssh_user?: string;
    ssh_key_name?: string;
    ami?: string;
    disk_gb?: number;
    roles?: Record<string, { count?: number; size?: string }>;
  };
  tags?: Record<string, string>;
  backend?: { type?: 'local' | 's3'; bucket?: string; region?: string; dynamodb_table?: string; key_prefix?: string };
}
