import type { PublishedPort } from '@frameworks/sdk/catalog';
import { header } from './header.js';

export function networkMainTf(): string {
  return `${header('Network: VPC, public and private subnets per zone, internet and NAT gateways, routes.')}
resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = "\${var.tenant}-vpc" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "\${var.tenant}-igw" }
}

resource "aws_subnet" "public" {
  count = length(var.public_subnet_cidrs)

  vpc_id                  = aws_vpc.this.id
  cidr_block              = var.public_subnet_cidrs[count.index]
  availability_zone       = var.availability_zones[count.index]
  map_public_ip_on_launch = true

  tags = { Name = "\${var.tenant}-public-\${var.availability_zones[count.index]}", Tier = "public" }
}

resource "aws_subnet" "private" {
  count = length(var.private_subnet_cidrs)

  vpc_id            = aws_vpc.this.id
  cidr_block        = var.private_subnet_cidrs[count.index]
  availability_zone = var.availability_zones[count.index]

  tags = { Name = "\${var.tenant}-private-\${var.availability_zones[count.index]}", Tier = "private" }
}

locals {
  # single: one NAT gateway for every zone; per_zone: one per zone (no cross-zone dependency); none: no egress.
  nat_count = var.nat_gateway_mode == "per_zone" ? length(var.public_subnet_cidrs) : (var.nat_gateway_mode == "single" ? 1 : 0)
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"

  tags = { Name = "\${var.tenant}-nat-\${count.index + 1}" }
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags       = { Name = "\${var.tenant}-nat-\${count.index + 1}" }
  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "\${var.tenant}-public" }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = length(aws_subnet.public)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  count = length(var.private_subnet_cidrs)

  vpc_id = aws_vpc.this.id

  tags = { Name = "\${var.tenant}-private-\${var.availability_zones[count.index]}" }
}

resource "aws_route" "private_nat" {
  count = local.nat_count > 0 ? length(var.private_subnet_cidrs) : 0

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[min(count.index, local.nat_count - 1)].id
}

resource "aws_route_table_association" "private" {
  count = length(aws_subnet.private)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}
`;
}

/** One ingress rule per port the service catalog publishes: the central tier's security group opens those and nothing else. */
export function networkSecurityTf(ports: Array<PublishedPort & { title: string }>): string {
  const rules = ports
    .map(
      (p) => `resource "aws_vpc_security_group_ingress_rule" "${p.service}_${p.port}" {
  for_each = toset(var.service_cidrs)

  security_group_id = aws_security_group.central.id
  description       = ${JSON.stringify(`${p.title}: ${p.port}/${p.protocol}`)}
  cidr_ipv4         = each.value
  ip_protocol       = "${p.protocol}"
  from_port         = ${p.port}
  to_port           = ${p.port}
}
`,
    )
    .join('\n');
  return `${header('Security groups: the central tier opens exactly the ports of the service catalog; SSH is a group of its own.')}
resource "aws_security_group" "central" {
  name        = "\${var.tenant}-central"
  description = "FrameWorks central tier: the service catalog's ports"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "\${var.tenant}-central" }
}

${rules}
resource "aws_vpc_security_group_egress_rule" "central_all" {
  security_group_id = aws_security_group.central.id
  description       = "Outbound: images, package mirrors, the control plane"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_security_group" "admin" {
  name        = "\${var.tenant}-admin"
  description = "SSH from the VPC and the admin CIDRs"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "\${var.tenant}-admin" }
}

resource "aws_vpc_security_group_ingress_rule" "admin_ssh" {
  for_each = toset(concat([var.vpc_cidr], var.admin_cidrs))

  security_group_id = aws_security_group.admin.id
  description       = "SSH"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
}
`;
}

export function networkVariablesTf(): string {
  return `${header('Inputs of the network module.')}
variable "tenant" {
  type = string
}

variable "availability_zones" {
  type = list(string)
}

variable "vpc_cidr" {
  type = string
}

variable "public_subnet_cidrs" {
  type = list(string)
}

variable "private_subnet_cidrs" {
  type = list(string)
}

variable "nat_gateway_mode" {
  type = string
}

variable "service_cidrs" {
  description = "Sources allowed to the central tier's ports."
  type        = list(string)
}

variable "admin_cidrs" {
  description = "Sources allowed to SSH, besides the VPC."
  type        = list(string)
}
`;
}

export function networkOutputsTf(): string {
  return `${header('Outputs of the network module.')}
output "vpc_id" {
  value = aws_vpc.this.id
}

output "public_subnet_ids" {
  value = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  value = aws_subnet.private[*].id
}

output "nat_public_ips" {
  value = aws_eip.nat[*].public_ip
}

output "central_security_group_id" {
  value = aws_security_group.central.id
}

output "admin_security_group_id" {
  value = aws_security_group.admin.id
}
`;
}
