import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ExitCode, FrameworksError, usageError } from '../errors.js';
import { ensurePrivateDir, writeFileAtomic } from '../fs/atomic.js';
import { frameworksHome } from '../paths.js';

/**
 * What `infra apply|output` leaves for the rest of the CLI (the plugin is installable, so the core and
 * other plugins never import it): `<frameworks home>/infra/<tenant>/outputs.json` (the Terraform
 * outputs, sensitive values dropped) and `hosts` (an SSH inventory, one `user@host[:port]` a line).
 * Output names the hand-off reads: `central_hosts` (list of `[user@]host[:port]` or {host, user?, port?}),
 * `ssh_user` (default user), `endpoints` (map of context service key → URL).
 */
export interface InfraOutput {
  sensitive: boolean;
  type?: unknown;
  /** null when sensitive: never stored. */
  value: unknown;
}

export interface InfraRecord {
  tenant: string;
  written_at: string;
  outputs: Record<string, InfraOutput>;
  hosts: string[];
  endpoints: Record<string, string>;
}

/** A tenant names files, resources and the state key: lower-case letters, digits and "-", a letter first, no "-" last. */
export const TENANT_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export function checkTenantName(tenant: string, flag = '--tenant'): string {
  if (TENANT_NAME.test(tenant) && !tenant.endsWith('-')) return tenant;
  throw usageError(
    `${flag} ${JSON.stringify(tenant)} is not a valid tenant name: use lower-case letters, digits and "-", ` +
      'starting with a letter and not ending with "-", at most 63 characters.',
    [`frameworks infra init ${flag} ${suggestTenantName(tenant)}`],
    'INVALID_TENANT_NAME',
  );
}

function suggestTenantName(s: string): string {
  const t = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 63);
  return t || 'acme';
}

export function infraRecordDir(tenant: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(frameworksHome(env), 'infra', checkTenantName(tenant));
}

/** Hosts named by the `central_hosts` output (with `ssh_user` for entries without a user). */
export function hostsFromOutputs(outputs: Record<string, InfraOutput>): string[] {
  const list = outputs.central_hosts?.value;
  const user = typeof outputs.ssh_user?.value === 'string' ? outputs.ssh_user.value : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((h: unknown) => {
    if (typeof h === 'string') return [h.includes('@') || !user ? h : `${user}@${h}`];
    if (h && typeof h === 'object') {
      const o = h as { host?: unknown; address?: unknown; user?: unknown; port?: unknown };
      const host = typeof o.host === 'string' ? o.host : typeof o.address === 'string' ? o.address : undefined;
      if (!host) return [];
      const u = typeof o.user === 'string' ? o.user : user;
      return [`${u ? `${u}@` : ''}${host}${typeof o.port === 'number' || typeof o.port === 'string' ? `:${o.port}` : ''}`];
    }
    return [];
  });
}

/** Endpoints named by the `endpoints` output (service key → URL); non-string values are left out. */
export function endpointsFromOutputs(outputs: Record<string, InfraOutput>): Record<string, string> {
  const map = outputs.endpoints?.value;
  if (!map || typeof map !== 'object' || Array.isArray(map)) return {};
  return Object.fromEntries(Object.entries(map as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function inventoryText(tenant: string, hosts: string[]): string {
  return `# SSH inventory of tenant ${tenant} (frameworks infra hosts): use with --ssh @${tenant} or --ssh @<this file>\n${hosts.map((h) => `${h}\n`).join('')}`;
}

export async function writeInfraRecord(tenant: string, outputs: Record<string, InfraOutput>, env: NodeJS.ProcessEnv = process.env): Promise<InfraRecord> {
  const dir = infraRecordDir(tenant, env);
  const kept = Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, { sensitive: o.sensitive, type: o.type, value: o.sensitive ? null : o.value }]));
  const record: InfraRecord = { tenant, written_at: new Date().toISOString(), outputs: kept, hosts: hostsFromOutputs(kept), endpoints: endpointsFromOutputs(kept) };
  await ensurePrivateDir(dir);
  await writeFileAtomic(join(dir, 'outputs.json'), `${JSON.stringify(record, null, 2)}\n`, 0o600);
  await writeFileAtomic(join(dir, 'hosts'), inventoryText(tenant, record.hosts), 0o600);
  return record;
}

export async function readInfraRecord(tenant: string, env: NodeJS.ProcessEnv = process.env): Promise<InfraRecord> {
  const file = join(infraRecordDir(tenant, env), 'outputs.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new FrameworksError(`No infrastructure outputs for tenant ${tenant}: ${file} does not exist (infra apply or infra output writes it).`, {
      code: 'INFRA_OUTPUTS_MISSING',
      exitCode: ExitCode.FAILED,
      suggestions: [`frameworks infra output --tenant ${tenant}`],
    });
  }
  try {
    return JSON.parse(text) as InfraRecord;
  } catch (err) {
    throw new FrameworksError(`${file} is not valid JSON: ${(err as Error).message}.`, { code: 'INFRA_OUTPUTS_MISSING', exitCode: ExitCode.FAILED, suggestions: [`frameworks infra output --tenant ${tenant}`] });
  }
}

/**
 * The hosts of `--ssh @name`: `@<tenant>` reads the tenant's inventory in the frameworks home, `@<path>`
 * (anything with a / or a .) a file of the same format. One host a line; # comments and blank lines skipped.
 */
export function readSshInventory(ref: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const name = ref.slice(1).trim();
  const isFile = name.includes('/') || name.includes('.');
  if (!isFile && !TENANT_NAME.test(name)) {
    throw usageError(`--ssh ${ref}: "${name}" is neither a tenant name nor a file.`, ['frameworks infra hosts --tenant acme-prod', '--ssh @./hosts.txt'], 'SSH_INVENTORY_NOT_FOUND');
  }
  const file = isFile ? (isAbsolute(name) ? name : resolve(name)) : join(frameworksHome(env), 'infra', name, 'hosts');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw usageError(`--ssh ${ref}: the inventory ${file} does not exist.`, [isFile ? `ls -l ${file}` : `frameworks infra hosts --tenant ${name}`], 'SSH_INVENTORY_NOT_FOUND');
  }
  const hosts = text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  if (!hosts.length) throw usageError(`--ssh ${ref}: the inventory ${file} names no host.`, [isFile ? `cat ${file}` : `frameworks infra output --tenant ${name}`], 'EMPTY_SSH_TARGET');
  return hosts;
}
