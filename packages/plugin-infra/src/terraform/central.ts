import { header } from './header.js';

export function centralMainTf(): string {
  return `${header("Central tier: the hosts per role, spread across the zones' subnets.")}
data "aws_ami" "ubuntu" {
  count = var.ami_id == null ? 1 : 0

  most_recent = true
  owners      = ["099720109477"] # Canonical

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]
  }
}

locals {
  # control-1, control-2, routing-1, …: one entry per host, its role and its place in the role.
  hosts = merge([
    for role, r in var.roles : {
      for i in range(r.count) : "\${role}-\${i + 1}" => {
        role          = role
        instance_type = r.instance_type
        index         = i
      }
    }
  ]...)
  ami_id = var.ami_id != null ? var.ami_id : data.aws_ami.ubuntu[0].id
}

resource "aws_instance" "host" {
  for_each = local.hosts

  ami                         = local.ami_id
  instance_type               = each.value.instance_type
  subnet_id                   = var.subnet_ids[each.value.index % length(var.subnet_ids)]
  vpc_security_group_ids      = var.security_group_ids
  key_name                    = var.ssh_key_name
  associate_public_ip_address = var.public

  # The service token (sensitive) reaches the host through user data only when it is set.
  user_data = var.service_token == null ? null : <<-EOT
    #!/bin/sh
    install -d -m 0700 /etc/frameworks
    umask 077
    printf '%s\\n' '\${var.service_token}' > /etc/frameworks/service-token
  EOT

  root_block_device {
    volume_size = var.root_volume_gb
    volume_type = "gp3"
    encrypted   = true
  }

  metadata_options {
    http_tokens = "required"
  }

  tags = {
    Name = "\${var.tenant}-\${each.key}"
    Role = each.value.role
  }
}
`;
}

export function centralVariablesTf(): string {
  return `${header('Inputs of the central module.')}
variable "tenant" {
  type = string
}

variable "roles" {
  description = "Hosts per role: count and instance type."
  type = map(object({
    count         = number
    instance_type = string
  }))
}

variable "public" {
  type = bool
}

variable "subnet_ids" {
  type = list(string)
}

variable "security_group_ids" {
  type = list(string)
}

variable "ssh_user" {
  type = string
}

variable "ssh_key_name" {
  type    = string
  default = null
}

variable "ami_id" {
  type    = string
  default = null
}

variable "root_volume_gb" {
  type = number
}

variable "service_token" {
  type      = string
  default   = null
  sensitive = true
}
`;
}

export function centralOutputsTf(): string {
  return `${header('Outputs of the central module.')}
output "hosts" {
  description = "name => { role, private_ip, public_ip, ssh_user }"
  value = {
    for name, h in aws_instance.host : name => {
      role       = local.hosts[name].role
      private_ip = h.private_ip
      public_ip  = h.public_ip != "" ? h.public_ip : null
      ssh_user   = var.ssh_user
    }
  }
}
`;
}
