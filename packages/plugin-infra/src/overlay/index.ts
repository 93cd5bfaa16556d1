/**
 * PLACEHOLDER (infrarun branch) for infragen's overlay module: the lead replaces this file with
 * infragen's at merge. Same signature; it only checks that the generated files exist and reads the
 * variables from the tfvars.json — no overlay validation, nothing written.
 */
import { ExitCode, FrameworksError, checkTenantName, isSecretKey } from '@frameworks/sdk';
import { readFile, access } from 'node:fs/promises';
import { join } from 'node:path';

export interface PreparedTenant {
  /** Relative to the infra dir: tenants/<tenant>.tfvars.json */
  varFile: string;
  /** Relative to the infra dir: backends/<tenant>.hcl */
  backendConfig: string;
  vars: Record<string, unknown>;
  /** Names of the variables whose values are secrets. */
  sensitive: string[];
}

export async function prepareTenant(dir: string, tenant: string): Promise<PreparedTenant> {
  checkTenantName(tenant);
  const varFile = `tenants/${tenant}.tfvars.json`;
  const backendConfig = `backends/${tenant}.hcl`;
  for (const f of [varFile, backendConfig]) {
    try {
      await access(join(dir, f));
    } catch {
      throw new FrameworksError(`Tenant ${tenant} has no ${f} in ${dir}.`, {
        code: 'TENANT_NOT_FOUND',
        exitCode: ExitCode.USAGE,
        suggestions: [`frameworks infra init --dir ${dir} --tenant ${tenant}`],
      });
    }
  }
  const vars = JSON.parse(await readFile(join(dir, varFile), 'utf8')) as Record<string, unknown>;
  // infragen's declares service_token (set as TF_VAR_service_token); secret-looking names stand in for the rest.
  return { varFile, backendConfig, vars, sensitive: [...new Set(['service_token', ...Object.keys(vars).filter((k) => isSecretKey(k))])] };
}
