import { ENDPOINTS, type ServiceKey } from '@frameworks/sdk';
import { header } from './header.js';

/** versions.tf: Terraform/OpenTofu ≥ 1.6, the AWS provider, and a partial backend completed per tenant. */
export function versionsTf(backendType: 'local' | 's3'): string {
  return `${header('Terraform/OpenTofu and provider versions; the state backend.')}
terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }

  # Partial configuration: each tenant's own state is set in backends/<tenant>.hcl, given as
  # terraform init -backend-config=backends/<tenant>.hcl -reconfigure
  backend "${backendType}" {}
}
`;
}

export function mainTf(): string {
  return `${header("The tenant's network and central tier.")}
provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      "frameworks:tenant" = var.tenant
      "managed-by"        = "terraform"
    })
  }
}

module "network" {
  source = "./modules/network"

  tenant               = var.tenant
  availability_zones   = var.availability_zones
  vpc_cidr             = var.vpc_cidr
  public_subnet_cidrs  = var.public_subnet_cidrs
  private_subnet_cidrs = var.private_subnet_cidrs
  nat_gateway_mode     = var.nat_gateway_mode
  service_cidrs        = length(var.service_cidrs) > 0 ? var.service_cidrs : [var.vpc_cidr]
  admin_cidrs          = var.admin_cidrs
}

module "central" {
  source = "./modules/central"

  tenant             = var.tenant
  roles              = var.central_roles
  public             = var.central_public
  subnet_ids         = var.central_public ? module.network.public_subnet_ids : module.network.private_subnet_ids
  security_group_ids = [module.network.central_security_group_id, module.network.admin_security_group_id]
  ssh_user           = var.ssh_user
  ssh_key_name       = var.ssh_key_name
  ami_id             = var.ami_id
  root_volume_gb     = var.root_volume_gb
  service_token      = var.service_token
}
`;
}

/** Root variables: what tenants/<tenant>.tfvars.json sets (from the overlay) plus the secrets (TF_VAR_*). */
export function variablesTf(roles: string[]): string {
  const roleDefaults = roles.map((r) => `    ${r} = { count = 1, instance_type = "t3.medium" }`).join('\n');
  return `${header('Inputs. Values come from tenants/<tenant>.tfvars.json, generated from tenants/_base.yaml and tenants/<tenant>.yaml.')}
variable "tenant" {
  description = "Tenant name: names resources and keys the state."
  type        = string
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "availability_zones" {
  description = "Zones to spread subnets and hosts across (one public and one private subnet each)."
  type        = list(string)
}

variable "vpc_cidr" {
  description = "The VPC's IPv4 block."
  type        = string
}

variable "public_subnet_cidrs" {
  description = "One public subnet per zone, inside vpc_cidr."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_cidrs) == length(var.availability_zones)
    error_message = "Give one public subnet per availability zone."
  }
}

variable "private_subnet_cidrs" {
  description = "One private subnet per zone, inside vpc_cidr."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_cidrs) == length(var.availability_zones)
    error_message = "Give one private subnet per availability zone."
  }
}

variable "nat_gateway_mode" {
  description = "NAT for the private subnets: single (one gateway), per_zone (one per zone) or none."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["single", "per_zone", "none"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode is single, per_zone or none."
  }
}

variable "service_cidrs" {
  description = "Who may reach the central tier's ports (empty: the VPC only)."
  type        = list(string)
  default     = []
}

variable "admin_cidrs" {
  description = "Who may SSH to the hosts besides the VPC itself."
  type        = list(string)
  default     = []
}

variable "central_roles" {
  description = "Central-tier hosts per role (roles of the service catalog): how many, and their instance type."
  type = map(object({
    count         = number
    instance_type = string
  }))
  default = {
${roleDefaults}
  }
}

variable "central_public" {
  description = "Put the hosts in the public subnets with public IPs (default: private subnets, reached through NAT and a control host)."
  type        = bool
  default     = false
}

variable "ssh_user" {
  description = "The login user of the hosts' image (what frameworks infra hosts writes into the SSH inventory)."
  type        = string
  default     = "ubuntu"
}

variable "ssh_key_name" {
  description = "Name of an EC2 key pair to install on the hosts."
  type        = string
  default     = null
}

variable "ami_id" {
  description = "Image of the hosts (default: the latest Ubuntu 24.04 LTS of the region)."
  type        = string
  default     = null
}

variable "root_volume_gb" {
  description = "Root disk size of each host, GiB."
  type        = number
  default     = 40
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}

# Secrets: never in tenants/*.yaml or the generated tfvars; set TF_VAR_service_token in the environment.
variable "service_token" {
  description = "The control plane's service token, written to /etc/frameworks/service-token (0600) on each host."
  type        = string
  default     = null
  sensitive   = true
}
`;
}

export function outputsTf(): string {
  return `${header('Outputs: read by frameworks infra output|hosts and context create --from-infra.')}
output "tenant" {
  description = "The tenant this state belongs to."
  value       = var.tenant
}

output "hosts" {
  description = "Central-tier hosts: name => { role, private_ip, public_ip (null when private), ssh_user }."
  value       = module.central.hosts
}

# The hand-off to the rest of the CLI (infra hosts, --ssh @tenant, context create --from-infra).
output "central_hosts" {
  description = "Every central-tier host as { host, user }: the public address when there is one, else the private one."
  value       = [for name, h in module.central.hosts : { host = coalesce(h.public_ip, h.private_ip), user = h.ssh_user }]
}

output "ssh_user" {
  description = "The SSH user of the central-tier hosts."
  value       = var.ssh_user
}

locals {
  hosts_by_role = { for name, h in module.central.hosts : h.role => h... }
  # Context endpoint key => URL on the first host of the role that serves it (HOST is replaced).
  endpoint_templates = {
${endpointTemplates()}
  }
}

output "endpoints" {
  description = "Control-plane endpoints for frameworks context create --from-infra: endpoint key => URL (private addresses)."
  value = merge([
    for role, hs in local.hosts_by_role : { for key, url in lookup(local.endpoint_templates, role, {}) : key => replace(url, "HOST", hs[0].private_ip) }
  ]...)
}

output "vpc_id" {
  description = "The tenant's VPC."
  value       = module.network.vpc_id
}

output "public_subnet_ids" {
  description = "Public subnets, one per zone."
  value       = module.network.public_subnet_ids
}

output "private_subnet_ids" {
  description = "Private subnets, one per zone."
  value       = module.network.private_subnet_ids
}

output "nat_public_ips" {
  description = "Addresses the private subnets reach the internet from."
  value       = module.network.nat_public_ips
}
`;
}

/** Kept out of git: provider plugins, local state, saved plans. */
export function gitignore(): string {
  return `# Generated by frameworks infra init.
.terraform/
state/
*.tfstate
*.tfstate.*
*.tfplan
crash.log
`;
}

/** Which context endpoints each catalog role serves (the defaults' ports, on the role's host). */
const ROLE_ENDPOINTS: Record<string, ServiceKey[]> = {
  quartermaster: ['quartermaster', 'quartermaster-grpc'],
  gateway: ['gateway'],
  commodore: ['control', 'control-grpc'],
  foghorn: ['foghorn-http', 'foghorn-grpc'],
  decklog: ['decklog-grpc'],
  signalman: ['signalman-ws'],
  periscope_ingest: ['periscope-ingest'],
  periscope_query: ['periscope-query'],
  purser: ['purser'],
};

function endpointTemplates(): string {
  return Object.entries(ROLE_ENDPOINTS)
    .map(([role, keys]) => {
      const body = keys.map((k) => `"${k}" = "${ENDPOINTS[k].default.replace('localhost', 'HOST')}"`).join(', ');
      return `    ${role} = { ${body} }`;
    })
    .join('\n');
}
