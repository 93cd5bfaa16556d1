import { publishedPorts, servicesByRole, type Catalog } from '@frameworks/sdk/catalog';
import { centralMainTf, centralOutputsTf, centralVariablesTf } from '../terraform/central.js';
import { networkMainTf, networkOutputsTf, networkSecurityTf, networkVariablesTf } from '../terraform/network.js';
import { mainTf, outputsTf, variablesTf, versionsTf } from '../terraform/root.js';

export interface RenderedFile {
  /** Relative to the infra folder. */
  path: string;
  content: string;
  mode: number;
}

export const RECORD_FILE = '.frameworks-infra.json';

/** The Terraform project for a provider (aws today): the same files for every tenant. */
export function renderProject(catalog: Catalog, backendType: 'local' | 's3'): RenderedFile[] {
  const roles = servicesByRole(catalog).map((r) => r.role);
  const ports = publishedPorts(catalog).map((p) => ({ ...p, title: catalog.services[p.service].title }));
  const files: Array<[string, string]> = [
    ['versions.tf', versionsTf(backendType)],
    ['main.tf', mainTf()],
    ['variables.tf', variablesTf(roles)],
    ['outputs.tf', outputsTf()],
    ['modules/network/main.tf', networkMainTf()],
    ['modules/network/security.tf', networkSecurityTf(ports)],
    ['modules/network/variables.tf', networkVariablesTf()],
    ['modules/network/outputs.tf', networkOutputsTf()],
    ['modules/central/main.tf', centralMainTf()],
    ['modules/central/variables.tf', centralVariablesTf()],
    ['modules/central/outputs.tf', centralOutputsTf()],
  ];
  return files.map(([path, content]) => ({ path, content, mode: 0o644 }));
}

/** tenants/_base.yaml: what every tenant shares; written once, then the operator's. */
export function baseYaml(roles: string[]): string {
  const roleLines = roles.map((r) => `    ${r}: { count: 1, size: t3.medium }`).join('\n');
  return `# Shared by every tenant; tenants/<tenant>.yaml is merged over it (its keys win; lists are replaced).
# Written once by frameworks infra init and never overwritten: it is yours.
region: eu-west-1
network:
  vpc_cidr: 10.0.0.0/16
  nat: single            # single | per_zone | none
central:
  ssh_user: ubuntu
  disk_gb: 40
  roles:                 # the service catalog's roles: hosts per role and their instance type
${roleLines}
backend:
  type: local            # local (state/<tenant>/) or s3 (bucket, region, dynamodb_table, key_prefix); re-run infra init after changing it
`;
}

/** tenants/<tenant>.yaml: the tenant's overlay, every key optional (commented ones show what can go here). */
export function tenantYaml(tenant: string): string {
  return `# Tenant ${tenant}: merged over tenants/_base.yaml. Every key is optional; unknown keys are refused.
# After editing: frameworks infra plan --tenant ${tenant}
# region: eu-west-1
# zones: [eu-west-1a, eu-west-1b, eu-west-1c]      # one public and one private subnet each
# network:
#   vpc_cidr: 10.20.0.0/16
#   public_subnets: [10.20.0.0/24, 10.20.1.0/24, 10.20.2.0/24]      # default: carved from vpc_cidr
#   private_subnets: [10.20.128.0/24, 10.20.129.0/24, 10.20.130.0/24]
#   service_cidrs: [10.20.0.0/16]                    # who reaches the central ports (default: the VPC)
#   admin_cidrs: [203.0.113.0/24]                    # who may SSH besides the VPC
# central:
#   public: false
#   ssh_key_name: ops
#   roles:
#     control: { count: 2, size: t3.large }
# Secrets are never set here: export TF_VAR_service_token before plan/apply.
tags:
  tenant: ${tenant}
`;
}
