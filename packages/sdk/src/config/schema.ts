import { SERVICE_KEYS } from './endpoints.js';

export const CONTEXT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$';

export interface SshExecutorConfig {
  type: 'ssh';
  host: string;
  user?: string;
  port?: number;
}
export type ExecutorConfig = { type: 'local' } | SshExecutorConfig;

export interface ContextConfig {
  description?: string;
  endpoints?: Partial<Record<(typeof SERVICE_KEYS)[number], string>>;
  executor?: ExecutorConfig;
  edge?: { dir?: string };
  /** Default --dir of the infra plugin's commands (the Terraform folder with tenants/ and backends/). */
  infra?: { dir?: string };
  /** The developer workspace `workspace init` cloned into (issue 11). */
  workspace?: { dir?: string };
  /** Jump host for every control-plane call of a run: `user@host[:port]` (issue 8). */
  via?: string;
  /** Which era of the control-plane API to speak: seed-era REST, today's gRPC, or ask once (`auto`). */
  api?: 'rest' | 'grpc' | 'auto';
  /** Gateway-only flows: `only` sends everything the Gateway offers through it; `fallback` when a direct endpoint is down. */
  gateway?: { only?: boolean; fallback?: boolean };
  /** gRPC transport: TLS unless `plaintext`; extra CA and server-name override as upstream's clients take them. */
  grpc?: { plaintext?: boolean; ca_file?: string; server_name?: string };
  /** Where releases come from (folder, URL, git repository) and the cosign public key (PEM file) that signs them. */
  release?: { source?: string; public_key?: string };
}

export interface ConfigFile {
  version: 1;
  current?: string;
  contexts: Record<string, ContextConfig>;
}

/** JSON schema of ~/.frameworks/config.yaml. Endpoint values are checked per kind after this. */
export const configSchema = {
  $id: 'https://frameworks.dev/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'contexts'],
  properties: {
    version: { const: 1 },
    current: { type: 'string', pattern: CONTEXT_NAME_PATTERN },
    contexts: {
      type: 'object',
      propertyNames: { pattern: CONTEXT_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          description: { type: 'string', maxLength: 500 },
          endpoints: {
            type: 'object',
            additionalProperties: false,
            properties: Object.fromEntries(SERVICE_KEYS.map((k) => [k, { type: 'string', minLength: 1 }])),
          },
          executor: {
            type: 'object',
            required: ['type'],
            properties: {
              type: { enum: ['local', 'ssh'] },
              host: { type: 'string', minLength: 1 },
              user: { type: 'string', minLength: 1 },
              port: { type: 'integer', minimum: 1, maximum: 65535 },
            },
            additionalProperties: false,
            if: { properties: { type: { const: 'ssh' } } },
            then: { required: ['type', 'host'] },
          },
          edge: {
            type: 'object',
            additionalProperties: false,
            properties: { dir: { type: 'string', minLength: 1 } },
          },
          infra: {
            type: 'object',
            additionalProperties: false,
            properties: { dir: { type: 'string', minLength: 1 } },
          },
          workspace: {
            type: 'object',
            additionalProperties: false,
            properties: { dir: { type: 'string', minLength: 1 } },
          },
          via: { type: 'string', minLength: 1, maxLength: 300 },
          api: { enum: ['rest', 'grpc', 'auto'] },
          gateway: {
            type: 'object',
            additionalProperties: false,
            properties: { only: { type: 'boolean' }, fallback: { type: 'boolean' } },
          },
          grpc: {
            type: 'object',
            additionalProperties: false,
            properties: {
              plaintext: { type: 'boolean' },
              ca_file: { type: 'string', minLength: 1 },
              server_name: { type: 'string', minLength: 1 },
            },
          },
          release: {
            type: 'object',
            additionalProperties: false,
            properties: { source: { type: 'string', minLength: 1, maxLength: 2000 }, public_key: { type: 'string', minLength: 1, maxLength: 4096 } },
          },
        },
      },
    },
  },
} as const;

export interface JwtCredential {
  token: string;
  expires_at?: string;
  email?: string;
  user_id?: string;
  tenant_id?: string;
  role?: string;
  obtained_at?: string;
}
export interface ContextCredentials {
  jwt?: JwtCredential;
  service_token?: string;
}
export interface CredentialsFile {
  version: 1;
  contexts: Record<string, ContextCredentials>;
}

export const credentialsSchema = {
  $id: 'https://frameworks.dev/schemas/credentials.json',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'contexts'],
  properties: {
    version: { const: 1 },
    contexts: {
      type: 'object',
      propertyNames: { pattern: CONTEXT_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          service_token: { type: 'string', minLength: 1 },
          jwt: {
            type: 'object',
            additionalProperties: false,
            required: ['token'],
            properties: {
              token: { type: 'string', minLength: 1 },
              expires_at: { type: 'string' },
              email: { type: 'string' },
              user_id: { type: 'string' },
              tenant_id: { type: 'string' },
              role: { type: 'string' },
              obtained_at: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;
