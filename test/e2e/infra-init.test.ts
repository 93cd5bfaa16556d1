/**
 * `frameworks infra init` and the tenant overlays, run as a user would (the plugin added to a clean sandbox).
 * No Terraform binary exists here: every generated file is parsed with HashiCorp's HCL parser and checked for
 * what the overlay asks for — resources, variables, outputs, the security group's ports against the catalog.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralTier, loadCatalog, publishedPorts } from '../../packages/sdk/src/catalog/service-catalog.js';
import { CliSandbox, type CliResult } from '../support/cli.js';
import { parseHclFile, type HclJson } from '../support/hcl.js';
import { addInfraPlugin } from '../support/infra-plugin.js';

const TF_FILES = [
  'versions.tf',
  'main.tf',
  'variables.tf',
  'outputs.tf',
  'modules/network/main.tf',
  'modules/network/security.tf',
  'modules/network/variables.tf',
  'modules/network/outputs.tf',
  'modules/central/main.tf',
  'modules/central/variables.tf',
  'modules/central/outputs.tf',
];

const show = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** Every file under dir, relative, sorted. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk('');
  return out.sort();
}

const snapshot = (dir: string) => Object.fromEntries(tree(dir).map((p) => [p, readFileSync(join(dir, p), 'utf8')]));

describe('infra init: Terraform per tenant, checked with the HCL parser', () => {
  let sandbox: CliSandbox;
  let n = 0;
  const freshDir = () => join(sandbox.home, `infra-${++n}`);
  const run = (args: string[]) => sandbox.run(args);

  beforeAll(() => {
    sandbox = new CliSandbox('fw-infra-init-');
    addInfraPlugin(sandbox);
  });
  afterAll(() => sandbox.cleanup());

  it('writes a network and central tier whose every file parses, with exactly the catalog ports opened', async () => {
    const dir = freshDir();
    const r = await run(['infra', 'init', '--dir', dir, '--tenant', 'acme', '--json']);
    expect(r.code, show(r)).toBe(0);
    const result = r.json!.result as { files: Array<{ path: string; action: string }>; var_file: string; backend_config: string; tenant: string };
    expect(result.tenant).toBe('acme');
    expect(result.var_file).toBe('tenants/acme.tfvars.json');
    expect(result.backend_config).toBe('backends/acme.hcl');
    expect(result.files.every((f) => f.action === 'created')).toBe(true);
    expect(tree(dir)).toEqual(
      [...TF_FILES, '.gitignore', '.frameworks-infra.json', 'tenants/_base.yaml', 'tenants/acme.yaml', 'tenants/acme.tfvars.json', 'backends/acme.hcl'].sort(),
    );

    const hcl: Record<string, HclJson> = {};
    for (const f of TF_FILES) hcl[f] = await parseHclFile(dir, f);

    // versions.tf: >= 1.6 and a partial backend completed per tenant.
    const tf = hcl['versions.tf'].terraform[0];
    expect(tf.required_version).toBe('>= 1.6');
    expect(tf.required_providers[0].aws.source).toBe('hashicorp/aws');
    expect(tf.backend).toEqual({ local: [{}] });

    // The security group of the central tier opens the catalog's published ports and nothing else.
    const catalog = centralTier((await loadCatalog()).catalog);
    const want = publishedPorts(catalog).map((p) => p.port).sort((a, b) => a - b);
    const rules = hcl['modules/network/security.tf'].resource.aws_vpc_security_group_ingress_rule as Record<string, Array<Record<string, unknown>>>;
    const central = Object.values(rules).map((r) => r[0]).filter((r) => r.security_group_id === '${aws_security_group.central.id}');
    expect(central.map((r) => r.from_port).sort((a, b) => Number(a) - Number(b))).toEqual(want);
    for (const r of central) expect(r.to_port).toBe(r.from_port);
    expect(want).toEqual(expect.arrayContaining([18000, 18001, 18002, 18019]));
    expect(rules.admin_ssh[0]).toMatchObject({ from_port: 22, security_group_id: '${aws_security_group.admin.id}' });

    // Network: VPC, a public and a private subnet per zone, NAT, routes.
    const net = hcl['modules/network/main.tf'].resource;
    for (const type of ['aws_vpc', 'aws_internet_gateway', 'aws_nat_gateway', 'aws_eip', 'aws_route_table', 'aws_route', 'aws_route_table_association']) {
      expect(net, type).toHaveProperty(type);
    }
    expect(net.aws_subnet.private[0].count).toBe('${length(var.private_subnet_cidrs)}');
    expect(net.aws_subnet.public[0].count).toBe('${length(var.public_subnet_cidrs)}');

    // The hosts per role, and the outputs infra hosts reads.
    expect(hcl['modules/central/main.tf'].resource.aws_instance.host[0].for_each).toBe('${local.hosts}');
    expect(Object.keys(hcl['outputs.tf'].output)).toEqual(expect.arrayContaining(['hosts', 'tenant', 'vpc_id', 'private_subnet_ids']));
    expect(hcl['modules/central/outputs.tf'].output.hosts[0].value).toMatch(/role\s*=.*\n.*private_ip\s*=.*\n.*public_ip\s*=.*\n.*ssh_user\s*=/s);

    // Every variable the tfvars set is declared at the root; the secret is declared sensitive and never written.
    const vars = hcl['variables.tf'].variable as Record<string, Array<Record<string, unknown>>>;
    expect(vars.service_token[0].sensitive).toBe(true);
    expect(hcl['modules/central/variables.tf'].variable.service_token[0].sensitive).toBe(true);
    const tfvars = JSON.parse(readFileSync(join(dir, 'tenants/acme.tfvars.json'), 'utf8')) as Record<string, unknown>;
    for (const k of Object.keys(tfvars)) expect(vars, k).toHaveProperty(k);
    expect(tfvars).not.toHaveProperty('service_token');
    expect(Object.keys(tfvars.central_roles as object).sort()).toEqual(['analytics', 'billing', 'control', 'routing']);
    expect(Object.keys(vars.central_roles[0].default as object).sort()).toEqual(['analytics', 'billing', 'control', 'routing']);

    // Per-tenant state: the backend file is HCL and names the tenant's own state.
    expect(await parseHclFile(dir, 'backends/acme.hcl')).toEqual({ path: 'state/acme/terraform.tfstate' });
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.terraform/');
  });

  it('merges the tenant overlay over the base: 3 zones → 3 private subnets inside the VPC; s3 backend keyed by tenant', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'tenants'), { recursive: true });
    writeFileSync(
      join(dir, 'tenants/_base.yaml'),
      'region: eu-west-1\nbackend: { type: s3, bucket: fw-state, dynamodb_table: fw-locks }\n' +
        'central: { roles: { control: { count: 2, size: t3.large } } }\ntags: { owner: ops }\n',
    );
    writeFileSync(
      join(dir, 'tenants/globex.yaml'),
      [
        'region: us-east-2',
        'zones: [us-east-2a, us-east-2b, us-east-2c]',
        'network:',
        '  vpc_cidr: 10.40.0.0/16',
        '  admin_cidrs: [203.0.113.0/24]',
        'central:',
        '  roles: { routing: { count: 3 } }',
        'tags: { tenant: globex }',
        '',
      ].join('\n'),
    );
    const r = await run(['infra', 'init', '--dir', dir, '--tenant', 'globex']);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/· tenants\/globex\.yaml\s+kept/);
    const tfvars = JSON.parse(readFileSync(join(dir, 'tenants/globex.tfvars.json'), 'utf8'));
    expect(tfvars.region).toBe('us-east-2');
    expect(tfvars.availability_zones).toEqual(['us-east-2a', 'us-east-2b', 'us-east-2c']);
    expect(tfvars.private_subnet_cidrs).toEqual(['10.40.128.0/24', '10.40.129.0/24', '10.40.130.0/24']);
    expect(tfvars.public_subnet_cidrs).toEqual(['10.40.0.0/24', '10.40.1.0/24', '10.40.2.0/24']);
    expect(tfvars.central_roles.control).toEqual({ count: 2, instance_type: 't3.large' }); // from the base
    expect(tfvars.central_roles.routing).toEqual({ count: 3, instance_type: 't3.medium' }); // the tenant's count, the default size
    expect(tfvars.tags).toEqual({ owner: 'ops', tenant: 'globex' });
    expect(tfvars.admin_cidrs).toEqual(['203.0.113.0/24']);
    expect((await parseHclFile(dir, 'versions.tf')).terraform[0].backend).toEqual({ s3: [{}] });
    expect(await parseHclFile(dir, 'backends/globex.hcl')).toEqual({
      bucket: 'fw-state',
      key: 'frameworks/globex/terraform.tfstate',
      region: 'us-east-2',
      encrypt: true,
      dynamodb_table: 'fw-locks',
    });
  });

  it('never overwrites a generated file edited by hand without --force; nothing else is written either', async () => {
    const dir = freshDir();
    expect((await run(['infra', 'init', '--dir', dir])).code).toBe(0);
    const edited = readFileSync(join(dir, 'main.tf'), 'utf8') + '\n# my change\n';
    writeFileSync(join(dir, 'main.tf'), edited);
    const before = snapshot(dir);

    const again = await run(['infra', 'init', '--dir', dir, '--tenant', 'acme', '--json']);
    expect(again.code, show(again)).toBe(1);
    expect(again.json).toMatchObject({ status: 1, code: 'INFRA_FILES_EDITED' });
    expect(String(again.json!.message)).toContain('main.tf (edited by hand since infra init wrote it)');
    expect(snapshot(dir)).toEqual(before); // not even the new tenant's files

    // An unedited generated file is simply regenerated; --force replaces the edited one.
    const forced = await run(['infra', 'init', '--dir', dir, '--force']);
    expect(forced.code, show(forced)).toBe(0);
    expect(forced.stdout).toMatch(/✓ main\.tf\s+replaced/);
    // .gitignore is the operator's once written: edits to it never block init, and are kept.
    writeFileSync(join(dir, '.gitignore'), '.terraform/\nsecrets/\n');
    const kept = await run(['infra', 'init', '--dir', dir]);
    expect(kept.code, show(kept)).toBe(0);
    expect(kept.stdout).toMatch(/· \.gitignore\s+kept/);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.terraform/\nsecrets/\n');
    expect(readFileSync(join(dir, 'main.tf'), 'utf8')).not.toContain('# my change');
    const same = await run(['infra', 'init', '--dir', dir]);
    expect(same.stdout).toMatch(/· main\.tf\s+unchanged/);
  });

  it('--dry-run prints the files and writes nothing', async () => {
    const dir = freshDir();
    const r = await run(['infra', 'init', '--dir', dir, '--tenant', 'acme', '--dry-run']);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain('# ---- modules/network/security.tf');
    expect(r.stdout).toMatch(/would-create/);
    expect(existsSync(dir)).toBe(false);
    const json = await run(['infra', 'init', '--dir', dir, '--tenant', 'acme', '--dry-run', '--json']);
    expect(json.code, show(json)).toBe(0);
    const files = (json.json!.result as { files: Array<{ path: string; action: string; content?: string }> }).files;
    expect(files.find((f) => f.path === 'backends/acme.hcl')).toMatchObject({ action: 'would-create', content: expect.stringContaining('state/acme/') });
    expect(existsSync(dir)).toBe(false);
  });

  describe('bad overlays: exit 2, the key path named, nothing written', () => {
    const cases: Array<{ name: string; overlay: string; path: RegExp }> = [
      { name: 'an unknown key', overlay: 'network:\n  vpc_cdir: 10.0.0.0/16\n', path: /tenants\/bad\.yaml: network\.vpc_cdir: unknown key/ },
      {
        name: 'a CIDR that does not parse',
        overlay: 'network:\n  vpc_cidr: 10.0.300.0/16\n',
        path: /tenants\/bad\.yaml: network\.vpc_cidr: "10\.0\.300\.0\/16" is not an IPv4 CIDR block/,
      },
      {
        name: 'a subnet outside the VPC',
        overlay: 'network:\n  vpc_cidr: 10.0.0.0/16\n  private_subnets: [10.0.128.0/24, 10.1.0.0/24]\n',
        path: /tenants\/bad\.yaml: network\.private_subnets\.1: 10\.1\.0\.0\/24 is outside the VPC CIDR 10\.0\.0\.0\/16/,
      },
      { name: 'an unknown role', overlay: 'central:\n  roles:\n    contrl: { count: 2 }\n', path: /central\.roles\.contrl: unknown key/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const dir = freshDir();
        mkdirSync(join(dir, 'tenants'), { recursive: true });
        writeFileSync(join(dir, 'tenants/bad.yaml'), c.overlay);
        const before = snapshot(dir);
        const r = await run(['infra', 'init', '--dir', dir, '--tenant', 'bad', '--json']);
        expect(r.code, show(r)).toBe(2);
        expect(r.json).toMatchObject({ status: 2, code: 'INFRA_OVERLAY_INVALID' });
        expect(String(r.json!.message)).toMatch(c.path);
        expect(String(r.json!.message)).toContain('Nothing was written.');
        expect(snapshot(dir)).toEqual(before);
        const text = await run(['infra', 'init', '--dir', dir, '--tenant', 'bad']);
        expect(text.code).toBe(2);
        expect(text.stderr).toMatch(/^✗ Invalid overlay in /m);
        expect(text.stderr).not.toMatch(/\n\s+at /); // no stack trace
      });
    }

    it('a tenant name that is not an identifier', async () => {
      const dir = freshDir();
      for (const bad of ['Acme', '1acme', 'ac_me', 'acme-', 'a'.repeat(64)]) {
        const r = await run(['infra', 'init', '--dir', dir, '--tenant', bad, '--json']);
        expect(r.code, `${bad}: ${show(r)}`).toBe(2);
        expect(r.json).toMatchObject({ status: 2, code: 'INVALID_TENANT_NAME' });
      }
      expect(existsSync(dir)).toBe(false);
    });
  });
});
