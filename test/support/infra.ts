/**
 * Helpers for the infra plugin's e2e tests: the plugin installed into a sandbox as a user plugin (it
 * is not bundled with the core), a Terraform folder with one tenant's generated files, and the
 * stand-in terraform (test/support/terraform-standin, NOT Terraform) with a scenario.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type CliSandbox } from './cli.js';

export const STANDIN_DIR = join(ROOT, 'test', 'support', 'terraform-standin');
export const STANDIN = join(STANDIN_DIR, 'terraform');

/** What `frameworks plugins install` leaves in the data dir, pointing at the built package. */
export function installInfraPlugin(sb: CliSandbox): void {
  const data = join(sb.baseEnv.XDG_DATA_HOME!, 'frameworks');
  mkdirSync(join(data, 'node_modules', '@frameworks'), { recursive: true });
  const link = join(data, 'node_modules', '@frameworks', 'plugin-infra');
  if (!existsSync(link)) symlinkSync(join(ROOT, 'packages', 'plugin-infra'), link);
  writeFileSync(
    join(data, 'package.json'),
    JSON.stringify({ private: true, oclif: { schema: 1, plugins: [{ type: 'user', name: '@frameworks/plugin-infra' }] }, dependencies: { '@frameworks/plugin-infra': '0.1.0' } }),
  );
}

export interface Scenario {
  version?: string;
  name?: 'terraform' | 'tofu';
  apply_error?: { address: string; summary: string; detail?: string };
  changes?: Array<Record<string, unknown>>;
  outputs?: Record<string, { value: unknown; sensitive?: boolean }>;
  plan_error?: Record<string, unknown>;
  lock?: { id: string; who: string; created: string };
  delay_ms?: number;
  unknown_event?: boolean;
  sensitive_variables?: string[];
  warn_variable?: string;
}

/** A Terraform folder with the files infra init and the overlay step produce for `tenants`, and the stand-in's scenario. */
export function infraFolder(dir: string, tenants: Record<string, Record<string, unknown>>, scenario: Scenario = {}): string {
  mkdirSync(join(dir, 'tenants'), { recursive: true });
  mkdirSync(join(dir, 'backends'), { recursive: true });
  writeFileSync(join(dir, 'main.tf'), 'module "network" {\n  source = "./modules/network"\n}\n');
  for (const [t, vars] of Object.entries(tenants)) {
    // The operator's overlay (what `infra init --tenant` writes); plan regenerates the tfvars and backend from it.
    writeFileSync(join(dir, 'tenants', `${t}.yaml`), typeof vars.region === 'string' ? `region: ${vars.region}\n` : '{}\n');
    writeFileSync(join(dir, 'tenants', `${t}.tfvars.json`), JSON.stringify(vars, null, 2));
    writeFileSync(join(dir, 'backends', `${t}.hcl`), `key = "tenants/${t}/terraform.tfstate"\n`);
  }
  setScenario(dir, scenario);
  return dir;
}

export function setScenario(dir: string, scenario: Scenario): void {
  writeFileSync(join(dir, '.terraform-standin.json'), JSON.stringify(scenario, null, 2));
}

/** Every argv the stand-in was run with in `dir`, oldest first. */
export function argvLog(dir: string): string[][] {
  const f = join(dir, '.terraform-standin', 'argv.log');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : [];
}

export const standinEnv = (): Record<string, string> => ({ PATH: `${STANDIN_DIR}:${process.env.PATH}` });

export const VPC = { address: 'aws_vpc.main', type: 'aws_vpc', name: 'main', actions: ['create'], after: { cidr_block: '10.20.0.0/16' } };
export const SUBNET = { address: 'aws_subnet.private_a', type: 'aws_subnet', name: 'private_a', actions: ['create'], after: { cidr_block: '10.20.1.0/24' } };
export const DB = {
  address: 'aws_db_instance.central',
  type: 'aws_db_instance',
  name: 'central',
  actions: ['delete', 'create'],
  before: { password: 'old-secret-pw-1234' },
  after: { password: 'new-secret-pw-5678' },
  before_sensitive: { password: true },
  after_sensitive: { password: true },
};
export const SG = { address: 'aws_security_group.central', type: 'aws_security_group', name: 'central', actions: ['update'], after: { ingress: [18000] } };
