/** One tenant-name rule for the CLI (the core's `--ssh @tenant` needs it too): it lives in the SDK. */
export { checkTenantName, TENANT_NAME as TENANT_RE } from '@frameworks/sdk';
