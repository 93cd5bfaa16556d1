import { usageError } from '@frameworks/sdk';

/** A tenant names files, resources and the state key: lower-case letters, digits and "-", starting with a letter. */
export const TENANT_RE = /^[a-z][a-z0-9-]{0,62}$/;

export function checkTenantName(tenant: string, flag = '--tenant'): string {
  if (TENANT_RE.test(tenant) && !tenant.endsWith('-')) return tenant;
  throw usageError(
    `${flag} ${JSON.stringify(tenant)} is not a valid tenant name: use lower-case letters, digits and "-", ` +
      'starting with a letter and not ending with "-", at most 63 characters.',
    [`frameworks infra init ${flag} ${suggestName(tenant)}`],
    'INVALID_TENANT_NAME',
  );
}

function suggestName(s: string): string {
  const t = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 63);
  return t || 'acme';
}
