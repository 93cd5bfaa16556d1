/**
 * Per-tenant configuration as code: tenants/_base.yaml and tenants/<tenant>.yaml (the operator's overlays)
 * become tenants/<tenant>.tfvars.json and backends/<tenant>.hcl (generated). The driver (infra plan|apply|…)
 * calls prepareTenant() before running terraform:
 *   terraform init -backend-config=backends/<t>.hcl -reconfigure && terraform plan -var-file=tenants/<t>.tfvars.json
 */
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ExitCode, FrameworksError, LocalExecutor, ajvMessages, tildify, writeAllOrNothing, type AjvErrorLike, type FileWrite } from '@frameworks/sdk';
import { checkTenantName } from './tenant-name.js';
import { overlaySchema, type Overlay } from './schema.js';
import { SENSITIVE_VARIABLES, backendHcl, fileProblems, resolveSettings, tfvars, type InfraSettings, type Layer, type Problem } from './settings.js';

export { checkTenantName, TENANT_RE } from './tenant-name.js';
export { SENSITIVE_VARIABLES, type InfraSettings, type Problem } from './settings.js';

export const BASE_FILE = 'tenants/_base.yaml';
export const overlayFile = (tenant: string) => `tenants/${tenant}.yaml`;
export const varFileOf = (tenant: string) => `tenants/${tenant}.tfvars.json`;
export const backendFileOf = (tenant: string) => `backends/${tenant}.hcl`;

export interface PreparedTenant {
  /** Relative to the infra folder (posix), as terraform is run there: -var-file=<varFile>. */
  varFile: string;
  /** Relative to the infra folder: -backend-config=<backendConfig>. */
  backendConfig: string;
  /** The variables written to varFile (no secrets). */
  vars: Record<string, unknown>;
  /** Variables declared sensitive (set as TF_VAR_<name>): mask their values wherever they could show. */
  sensitive: string[];
}

type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvErrorLike[] | null };
const validators = new Map<string, ValidateFn>();

async function validatorFor(roles: string[]): Promise<ValidateFn> {
  const key = roles.join(',');
  let v = validators.get(key);
  if (!v) {
    const mod = (await import('ajv')) as unknown as { Ajv: new (o: Record<string, unknown>) => { compile(s: object): ValidateFn } };
    v = new mod.Ajv({ allErrors: true, strict: false }).compile(overlaySchema(roles));
    validators.set(key, v);
  }
  return v;
}

/** The central tier's roles, from the service catalog (control, routing, analytics, billing today). */
export async function catalogRoles(): Promise<string[]> {
  const { loadCatalog, servicesByRole, centralTier } = await import('@frameworks/sdk/catalog');
  return servicesByRole(centralTier((await loadCatalog()).catalog)).map((r) => r.role);
}

export function overlayError(dir: string, problems: Problem[], tenant?: string): FrameworksError {
  const shown = problems.slice(0, 5).map((p) => `${p.file}: ${p.path}: ${p.message}`);
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  const files = [...new Set(problems.map((p) => p.file))];
  return new FrameworksError(`Invalid overlay in ${tildify(dir)}: ${shown.join('; ')}${more}. Nothing was written.`, {
    code: 'INFRA_OVERLAY_INVALID',
    exitCode: ExitCode.USAGE,
    name: 'UsageError',
    suggestions: [
      ...files.map((f) => `\${EDITOR:-vi} ${join(dir, f)}`),
      ...(tenant ? [`frameworks infra init --dir ${dir} --tenant ${tenant} --dry-run`] : []),
    ],
    result: { dir, problems },
  });
}

/** Read and check one overlay file; undefined when it does not exist. Problems are collected, not thrown. */
export async function readOverlay(dir: string, file: string, roles: string[], problems: Problem[]): Promise<Overlay | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FrameworksError(`Cannot read ${join(dir, file)}: ${(err as Error).message}`, {
      code: 'INFRA_OVERLAY_UNREADABLE',
      exitCode: ExitCode.FAILED,
      cause: err,
    });
  }
  return parseOverlay(text, file, roles, problems);
}

export async function parseOverlay(text: string, file: string, roles: string[], problems: Problem[]): Promise<Overlay | undefined> {
  const yaml = await import('js-yaml');
  let data: unknown;
  try {
    data = yaml.load(text);
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number; column: number } };
    const where = e.mark ? `line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '(top level)';
    problems.push({ file, path: where, message: `not valid YAML: ${e.reason ?? (err as Error).message}` });
    return undefined;
  }
  if (data === null || data === undefined) return {};
  const validate = await validatorFor(roles);
  if (!validate(data)) {
    for (const m of ajvMessages(validate.errors, { max: 10 })) {
      const i = m.indexOf(': ');
      problems.push({ file, path: i < 0 ? '(top level)' : m.slice(0, i), message: i < 0 ? m : m.slice(i + 2) });
    }
    return undefined;
  }
  return data as Overlay;
}

/** Settings of a tenant from its overlay files; throws INFRA_OVERLAY_INVALID (exit 2) naming every key at fault. */
export async function tenantSettings(dir: string, tenant: string, roles: string[], given?: { base?: string; tenant?: string }): Promise<InfraSettings> {
  const problems: Problem[] = [];
  const base = given?.base !== undefined ? await parseOverlay(given.base, BASE_FILE, roles, problems) : await readOverlay(dir, BASE_FILE, roles, problems);
  const file = overlayFile(tenant);
  const own = given?.tenant !== undefined ? await parseOverlay(given.tenant, file, roles, problems) : await readOverlay(dir, file, roles, problems);
  if (own === undefined && !problems.some((p) => p.file === file)) {
    throw new FrameworksError(`Tenant ${tenant} has no overlay: ${join(dir, file)} does not exist.`, {
      code: 'INFRA_TENANT_UNKNOWN',
      exitCode: ExitCode.USAGE,
      name: 'UsageError',
      suggestions: [`frameworks infra init --dir ${dir} --tenant ${tenant}`],
    });
  }
  const layers: Layer[] = [...(base ? [{ file: BASE_FILE, overlay: base }] : []), ...(own ? [{ file, overlay: own }] : [])];
  for (const l of layers) problems.push(...fileProblems(l, l.file === BASE_FILE));
  if (problems.length) throw overlayError(dir, problems, tenant);
  const { settings, problems: merged } = resolveSettings(tenant, layers, roles);
  if (!settings) throw overlayError(dir, merged, tenant);
  return settings;
}

/** The generated files of a tenant (not written). */
export function tenantFiles(settings: InfraSettings): FileWrite[] {
  return [
    { path: varFileOf(settings.tenant), content: `${JSON.stringify(tfvars(settings), null, 2)}\n`, mode: 0o644 },
    { path: backendFileOf(settings.tenant), content: backendHcl(settings), mode: 0o644 },
  ];
}

/**
 * Check the tenant's overlay (merged over tenants/_base.yaml) and (re)write tenants/<tenant>.tfvars.json and
 * backends/<tenant>.hcl, both or neither. Errors: INVALID_TENANT_NAME, INFRA_TENANT_UNKNOWN,
 * INFRA_OVERLAY_INVALID (exit 2, key paths named, nothing written), the SDK writer's DISK_FULL etc.
 */
export async function prepareTenant(dir: string, tenant: string): Promise<PreparedTenant> {
  checkTenantName(tenant);
  const roles = await catalogRoles();
  const settings = await tenantSettings(dir, tenant, roles);
  const files = tenantFiles(settings);
  const current = await Promise.all(files.map((f) => readFile(join(dir, f.path), 'utf8').catch(() => undefined)));
  const changed = files.filter((f, i) => current[i] !== f.content).map((f) => ({ ...f, path: join(dir, f.path) }));
  await writeAllOrNothing(new LocalExecutor(), changed, { createDirs: true });
  return {
    varFile: posix.join('tenants', `${tenant}.tfvars.json`),
    backendConfig: posix.join('backends', `${tenant}.hcl`),
    vars: tfvars(settings),
    sensitive: [...SENSITIVE_VARIABLES],
  };
}
