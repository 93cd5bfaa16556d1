// prepareTenant(): the contract with the Terraform driver (infra plan|apply|…), and the core-compatibility check.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compatProblems, compatVerdict, loadSemver } from '../src/compat.js';
import { prepareTenant } from '../src/overlay/index.js';

const dirs: string[] = [];
function infraDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-overlay-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<{ code?: string; exitCode?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; exitCode?: number; message: string };
  }
  throw new Error('expected a rejection');
}

describe('prepareTenant', () => {
  it('writes the tenant tfvars and backend config, and returns them relative to the folder with the sensitive variables', async () => {
    const dir = infraDir({
      'tenants/_base.yaml': 'region: eu-central-1\ncentral: { roles: { control: { count: 3 } } }\n',
      'tenants/acme.yaml': 'zones: [eu-central-1a, eu-central-1b, eu-central-1c]\nnetwork: { vpc_cidr: 10.8.0.0/20 }\n',
    });
    const p = await prepareTenant(dir, 'acme');
    expect(p.varFile).toBe('tenants/acme.tfvars.json');
    expect(p.backendConfig).toBe('backends/acme.hcl');
    expect(p.sensitive).toEqual(['service_token']);
    expect(JSON.parse(readFileSync(join(dir, p.varFile), 'utf8'))).toEqual(p.vars);
    expect(p.vars).toMatchObject({
      tenant: 'acme',
      region: 'eu-central-1',
      // a /20 is carved into /28s: public from the bottom, private from the middle
      public_subnet_cidrs: ['10.8.0.0/28', '10.8.0.16/28', '10.8.0.32/28'],
      private_subnet_cidrs: ['10.8.8.0/28', '10.8.8.16/28', '10.8.8.32/28'],
      central_roles: { control: { count: 3, instance_type: 't3.medium' } },
    });
    expect(readFileSync(join(dir, p.backendConfig), 'utf8')).toContain('path = "state/acme/terraform.tfstate"');
  });

  it('an invalid overlay: exit 2 naming file and key, and the files of the last good run stay as they were', async () => {
    const dir = infraDir({ 'tenants/acme.yaml': 'network: { vpc_cidr: 10.0.0.0/16 }\n' });
    await prepareTenant(dir, 'acme');
    const before = readFileSync(join(dir, 'tenants/acme.tfvars.json'), 'utf8');
    writeFileSync(join(dir, 'tenants/acme.yaml'), 'network: { vpc_cidr: 10.0.0.0/16, private_subnets: [10.0.128.0/24, 10.0.128.128/25] }\nregion: eu-west-1\n');
    const err = await rejection(prepareTenant(dir, 'acme'));
    expect(err).toMatchObject({ code: 'INFRA_OVERLAY_INVALID', exitCode: 2 });
    expect(err.message).toContain('tenants/acme.yaml: network.private_subnets.1: 10.0.128.128/25 overlaps network.private_subnets.0 (10.0.128.0/24)');
    expect(readFileSync(join(dir, 'tenants/acme.tfvars.json'), 'utf8')).toBe(before);
  });

  it('a value set in the base is blamed on the base', async () => {
    const dir = infraDir({ 'tenants/_base.yaml': 'network: { vpc_cidr: 10.0.0.1/16 }\n', 'tenants/acme.yaml': '' });
    const err = await rejection(prepareTenant(dir, 'acme'));
    expect(err.message).toContain('tenants/_base.yaml: network.vpc_cidr: "10.0.0.1/16" has host bits set (the block is 10.0.0.0/16)');
  });

  it('refuses a tenant name that is not an identifier, and a tenant without an overlay', async () => {
    const dir = infraDir({});
    expect(await rejection(prepareTenant(dir, '../etc'))).toMatchObject({ code: 'INVALID_TENANT_NAME', exitCode: 2 });
    expect(await rejection(prepareTenant(dir, 'ghost'))).toMatchObject({ code: 'INFRA_TENANT_UNKNOWN', exitCode: 2 });
  });
});

describe('core compatibility', async () => {
  const semver = await loadSemver();
  const declared = { '@frameworks/sdk': '^0.1.0', '@frameworks/cli-kit': '^0.1.0' };
  const core = { name: '@frameworks/cli', version: '0.2.0', bin: 'frameworks' };
  const plugin = { name: '@frameworks/plugin-infra', version: '0.1.4' };

  it('fits when every declared range holds', () => {
    expect(compatProblems(declared, { '@frameworks/sdk': '0.1.3', '@frameworks/cli-kit': '0.1.0' }, semver)).toEqual([]);
  });

  it('a newer core: update the plugin', () => {
    const problems = compatProblems(declared, { '@frameworks/sdk': '0.2.0', '@frameworks/cli-kit': '0.1.0' }, semver);
    expect(problems).toEqual([{ name: '@frameworks/sdk', wants: '^0.1.0', found: '0.2.0', coreNewer: true }]);
    expect(compatVerdict(plugin, core, problems)!.suggestions).toEqual(['frameworks plugins update', 'frameworks plugins uninstall @frameworks/plugin-infra']);
  });

  it('a core without the package is older', () => {
    const problems = compatProblems(declared, { '@frameworks/sdk': '0.1.0' }, semver);
    expect(problems).toEqual([{ name: '@frameworks/cli-kit', wants: '^0.1.0', found: undefined, coreNewer: false }]);
    expect(compatVerdict(plugin, core, problems)!.message).toContain('frameworks has @frameworks/cli-kit (none)');
  });
});
