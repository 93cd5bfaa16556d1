// infra plan|apply|destroy|output|status against the stand-in terraform (test/support/terraform-standin,
// NOT Terraform: no Terraform binary can be installed here). The plugin is installed into the sandbox as
// a user plugin. Covers the -json stream (live progress, unknown types), the show -json summary, saved
// plans (other tenant, stale), the state lock of another run, Ctrl-C during apply, and secrets.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox } from '../support/cli.js';
import { DB, SG, STANDIN, SUBNET, VPC, argvLog, infraFolder, installInfraPlugin, standinEnv } from '../support/infra.js';
import { ptyUnavailableReason, runInPty } from '../support/pty.js';

const sb = new CliSandbox('fw-infra-');
const tmp = mkdtempSync(join(tmpdir(), 'fw-infra-dirs-'));
let n = 0;
const fresh = (tenants: Record<string, Record<string, unknown>> = { acme: { region: 'eu-west-1' } }, scenario = {}) => infraFolder(join(tmp, `d${n++}`), tenants, scenario);
const infra = (args: string[], env: Record<string, string> = standinEnv()) => sb.run(['infra', ...args], { env });

beforeAll(() => installInfraPlugin(sb));
afterAll(() => sb.cleanup());

describe('infra plan and apply', () => {
  it('plans with live progress and a summary from show -json, applies the saved plan, keeps the outputs; secrets never shown', async () => {
    const dir = fresh(
      { acme: { region: 'eu-west-1' } },
      {
        changes: [VPC, SUBNET, DB, SG, { ...VPC, address: 'aws_lb.gateway', type: 'aws_lb', name: 'gateway', actions: ['create', 'delete'] }],
        outputs: { central_hosts: { value: ['10.20.1.5', '10.20.1.6'] }, ssh_user: { value: 'ops' }, db_admin_password: { value: 'output-secret-4c3b2a', sensitive: true } },
        unknown_event: true,
        warn_variable: 'service_token',
      },
    );
    const tfVar = 'tf-var-service-token-5e6f7a8b';
    const env = { ...standinEnv(), TF_VAR_service_token: tfVar };
    const plan = await infra(['plan', '--tenant', 'acme', '--dir', dir], env);
    // Terraform got it (from the environment, never a file), the warning quoting it is shown masked.
    expect(JSON.parse(readFileSync(join(dir, 'plans/acme.tfplan'), 'utf8')).variables.service_token).toBe(tfVar);
    expect(plan.stderr).toContain('Value for undeclared variable');
    expect(plan.code, plan.stderr).toBe(0);
    // The summary table and counts come from show -json: ["delete","create"] is a replace.
    expect(plan.stdout).toMatch(/\+\s+aws_vpc\.main\s+create/);
    expect(plan.stdout).toMatch(/-\/\+\s+aws_db_instance\.central\s+replace/);
    expect(plan.stdout).toMatch(/~\s+aws_security_group\.central\s+update/);
    expect(plan.stdout).toMatch(/-\/\+\s+aws_lb\.gateway\s+replace/); // create_before_destroy: ["create","delete"]
    expect(plan.stdout).toContain('Plan for tenant acme: 2 to create, 1 to update, 2 to replace, 0 to destroy. Saved to plans/acme.tfplan.');
    // Live progress on stderr, per resource; a line of a type this CLI does not know shows its @message.
    expect(plan.stderr).toContain('aws_db_instance.central: Plan to replace');
    expect(plan.stderr).toContain('A line of a kind this CLI has never seen');
    const [version, init, pull, run, show] = argvLog(dir);
    expect(version).toEqual(['version', '-json']);
    expect(init).toEqual(['init', '-input=false', '-no-color', '-reconfigure', '-backend-config=backends/acme.hcl']);
    expect(pull).toEqual(['state', 'pull']);
    expect(run).toEqual(['plan', '-json', '-input=false', '-lock-timeout=0s', '-out=plans/acme.tfplan', '-var-file=tenants/acme.tfvars.json', '-detailed-exitcode']);
    expect(show).toEqual(['show', '-json', '-no-color', 'plans/acme.tfplan']);
    expect(JSON.parse(readFileSync(join(dir, 'plans/acme.tfplan.meta.json'), 'utf8'))).toMatchObject({ tenant: 'acme', state_serial: 0, changes_pending: true, applied_at: null });

    const st = await infra(['status', '--dir', dir, '--json']);
    expect(st.json?.result).toMatchObject({ tenants: [{ tenant: 'acme', changes_pending: true, last_apply_at: null }] });

    const apply = await infra(['apply', '--tenant', 'acme', '--dir', dir, '--json'], env);
    expect(apply.json, apply.stderr).toMatchObject({
      status: 0,
      result: {
        tenant: 'acme',
        plan_file: 'plans/acme.tfplan',
        applied: [
          { address: 'aws_vpc.main' },
          { address: 'aws_subnet.private_a' },
          { address: 'aws_db_instance.central', action: 'replace' },
          { address: 'aws_security_group.central' },
          { address: 'aws_lb.gateway', action: 'replace' },
        ],
        outputs: { db_admin_password: { sensitive: true, value: null }, ssh_user: { value: 'ops' } },
      },
    });
    expect(argvLog(dir).find((a) => a[0] === 'apply')).toEqual(['apply', '-json', '-input=false', '-lock-timeout=0s', '-auto-approve', 'plans/acme.tfplan']);
    const record = JSON.parse(readFileSync(join(sb.frameworksHome, 'infra', 'acme', 'outputs.json'), 'utf8'));
    expect(record.hosts).toEqual(['ops@10.20.1.5', 'ops@10.20.1.6']);

    const out = await infra(['output', '--tenant', 'acme', '--dir', dir]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/central_hosts\s+\["10\.20\.1\.5","10\.20\.1\.6"\]/);
    const st2 = await infra(['status', '--dir', dir, '--json']);
    expect(st2.json?.result).toMatchObject({ tenants: [{ tenant: 'acme', changes_pending: false }] });

    // Secrets: the tenant's sensitive variable, the plan's sensitive attributes, the sensitive output.
    const everything = [plan, st, apply, out, st2].map((r) => r.stdout + r.stderr).join('\n') + readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8') + JSON.stringify(record);
    for (const secret of [tfVar, 'old-secret-pw-1234', 'new-secret-pw-5678', 'output-secret-4c3b2a']) expect(everything).not.toContain(secret);
  });

  it('--detailed-exitcode: exit 8 CHANGES_PENDING with the summary; 0 once applied; --ci writes the JSON and markdown summaries', async () => {
    const dir = fresh(undefined, { changes: [VPC] });
    const p = await infra(['plan', '--tenant', 'acme', '--dir', dir, '--detailed-exitcode', '--ci', '--json']);
    expect(p.code).toBe(8);
    expect(p.json).toMatchObject({ code: 'CHANGES_PENDING', result: { changes_pending: true, counts: { create: 1, update: 0, replace: 0, delete: 0 } } });
    expect(JSON.parse(readFileSync(join(dir, 'plans/acme.tfplan.summary.json'), 'utf8'))).toMatchObject({ tenant: 'acme', changes: [{ address: 'aws_vpc.main', action: 'create' }] });
    expect(readFileSync(join(dir, 'plans/acme.tfplan.summary.md'), 'utf8')).toContain('| `aws_vpc.main` | create |');
    expect((await infra(['apply', '--tenant', 'acme', '--dir', dir])).code).toBe(0);
    const again = await infra(['plan', '--tenant', 'acme', '--dir', dir, '--detailed-exitcode', '--json']);
    expect(again.json, again.stderr).toMatchObject({ status: 0, result: { changes_pending: false } });
  });

  it('diagnostics are shown with file:line and the source line; the run fails with exit 1', async () => {
    const dir = fresh(undefined, {
      plan_error: {
        summary: 'Unsupported argument',
        detail: 'An argument named "cidr" is not expected here.',
        range: { filename: 'modules/network/main.tf', start: { line: 7, column: 3 }, end: { line: 7, column: 7 } },
        snippet: { context: 'resource "aws_vpc" "main"', code: '  cidr = var.vpc_cidr', start_line: 7, highlight_start_offset: 2, highlight_end_offset: 6 },
      },
    });
    const r = await infra(['plan', '--tenant', 'acme', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: Unsupported argument\n  on modules/network/main.tf:7\n     7:   cidr = var.vpc_cidr\n          ^^^^');
    expect(r.stderr).toContain('✗ terraform plan failed: Unsupported argument (modules/network/main.tf:7).');
    // apply_errored: the resource that failed is named, with the provider's diagnostic and its location.
    const a = fresh(undefined, { changes: [VPC, SUBNET], apply_error: { address: 'aws_subnet.private_a', summary: 'creating EC2 Subnet: InvalidSubnet.Conflict' } });
    await infra(['plan', '--tenant', 'acme', '--dir', a]);
    const failed = await infra(['apply', '--tenant', 'acme', '--dir', a]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Error: creating EC2 Subnet: InvalidSubnet.Conflict\n  on modules/network/main.tf:12 (aws_subnet.private_a)');
    expect(failed.stderr).toContain('✗ terraform apply failed: creating EC2 Subnet: InvalidSubnet.Conflict (modules/network/main.tf:12). Not completed: aws_subnet.private_a.');
    const j = await infra(['plan', '--tenant', 'acme', '--dir', dir, '--json']);
    expect(j.json).toMatchObject({ status: 1, code: 'TERRAFORM_FAILED', result: { diagnostics: [{ summary: 'Unsupported argument', file: 'modules/network/main.tf', line: 7, snippet: '  cidr = var.vpc_cidr' }] } });
  });
});

describe('infra: bad input', () => {
  it('no terraform or tofu on the PATH: exit 1 with the install hint', async () => {
    const dir = fresh();
    const r = await infra(['plan', '--tenant', 'acme', '--dir', dir, '--json'], { PATH: '/usr/bin:/bin' });
    expect(r.json).toMatchObject({ status: 1, code: 'TERRAFORM_NOT_FOUND' });
    expect(r.json?.message).toContain('Neither terraform nor tofu is on the PATH. Install Terraform ≥ 1.6 (https://developer.hashicorp.com/terraform/install) or OpenTofu ≥ 1.6');
    const b = await infra(['plan', '--tenant', 'acme', '--dir', dir, '--binary', join(dir, 'no-such-terraform')]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain(`--binary ${join(dir, 'no-such-terraform')} cannot be run.`);
  });

  it('tofu is used when terraform is not on the PATH', async () => {
    const dir = fresh(undefined, { changes: [VPC], name: 'tofu', version: '1.8.3' });
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(STANDIN, join(bin, 'tofu'));
    const r = await infra(['plan', '--tenant', 'acme', '--dir', dir, '--json'], { PATH: `${bin}:/usr/bin:/bin` });
    expect(r.json, r.stderr).toMatchObject({ status: 0, result: { binary: { kind: 'tofu', path: join(bin, 'tofu'), version: '1.8.3' } } });
  });

  it('a binary older than 1.6: exit 1 naming both versions, nothing planned', async () => {
    const dir = fresh(undefined, { version: '1.5.7', changes: [VPC] });
    const r = await infra(['plan', '--tenant', 'acme', '--dir', dir, '--json']);
    expect(r.json).toMatchObject({ status: 1, code: 'TERRAFORM_TOO_OLD' });
    expect(r.json?.message).toMatch(/is Terraform 1\.5\.7; frameworks infra supports 1\.6\.0 and newer\./);
    expect(argvLog(dir)).toEqual([['version', '-json']]);
  });

  it('a tenant name that is not an identifier: exit 2', async () => {
    const r = await infra(['plan', '--tenant', 'Acme_Prod', '--dir', fresh(), '--json']);
    expect(r.json).toMatchObject({ status: 2, code: 'INVALID_TENANT_NAME' });
  });

  it('a plan file made for another tenant is refused (exit 2) before anything is applied', async () => {
    const dir = fresh({ acme: { region: 'eu-west-1' }, globex: { region: 'us-east-1' } }, { changes: [VPC] });
    expect((await infra(['plan', '--tenant', 'acme', '--dir', dir])).code).toBe(0);
    const r = await infra(['apply', '--tenant', 'globex', '--plan', 'plans/acme.tfplan', '--dir', dir, '--json']);
    expect(r.json).toMatchObject({ status: 2, code: 'PLAN_OTHER_TENANT', message: 'The plan plans/acme.tfplan was made for tenant acme, not globex: it is not applied.' });
    expect(argvLog(dir).some((a) => a[0] === 'apply')).toBe(false);
  });

  it('a stale plan is refused: by the recorded state serial, and when the binary says "Saved plan is stale"', async () => {
    const dir = fresh(undefined, { changes: [VPC] });
    expect((await infra(['plan', '--tenant', 'acme', '--dir', dir])).code).toBe(0);
    expect((await infra(['plan', '--tenant', 'acme', '--dir', dir, '--out', 'plans/other.tfplan'])).code).toBe(0);
    expect((await infra(['apply', '--tenant', 'acme', '--dir', dir, '--plan', 'plans/other.tfplan'])).code).toBe(0);
    const r = await infra(['apply', '--tenant', 'acme', '--dir', dir, '--json']);
    expect(r.json).toMatchObject({ status: 1, code: 'PLAN_STALE' });
    expect(r.json?.message).toContain('it was made against state serial 0, the state is now at serial 1');
    expect(argvLog(dir).filter((a) => a[0] === 'apply')).toHaveLength(1);
    // The record says current (someone edited it), the binary still knows better.
    const meta = join(dir, 'plans/acme.tfplan.meta.json');
    writeFileSync(meta, JSON.stringify({ ...JSON.parse(readFileSync(meta, 'utf8')), state_serial: 1 }));
    const b = await infra(['apply', '--tenant', 'acme', '--dir', dir, '--json']);
    expect(b.json).toMatchObject({ status: 1, code: 'PLAN_STALE' });
    expect(b.json?.message).toContain('the state changed after the plan was made');
  });

  it('a state lock held by another run: its id, holder and since when; never force-unlocked', async () => {
    const dir = fresh(undefined, { changes: [VPC], lock: { id: '9db590f1-b6fe-c5f2-2678-8804f089deba', who: 'jenkins@ci-runner-3', created: '2026-12-03 09:41:07.312 +0000 UTC' } });
    const r = await infra(['plan', '--tenant', 'acme', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '✗ The state of tenant acme is locked by another run: lock 9db590f1-b6fe-c5f2-2678-8804f089deba, held by jenkins@ci-runner-3 since 2026-12-03 09:41:07.312 +0000 UTC.',
    );
    const j = await infra(['apply', '--tenant', 'acme', '--dir', dir, '--plan', 'plans/none.tfplan', '--json']);
    expect(j.json).toMatchObject({ status: 1, code: 'PLAN_NOT_FOUND' });
    const k = await infra(['destroy', '--tenant', 'acme', '--dir', dir, '--yes', '--json']);
    expect(k.json).toMatchObject({ status: 1, code: 'STATE_LOCKED', result: { lock_id: '9db590f1-b6fe-c5f2-2678-8804f089deba', lock_holder: 'jenkins@ci-runner-3' } });
    expect(argvLog(dir).some((a) => a.includes('force-unlock'))).toBe(false);
  });

  it('destroy without a terminal needs --yes (exit 2); with --yes it destroys', async () => {
    const dir = fresh(undefined, { changes: [VPC, SUBNET] });
    await infra(['plan', '--tenant', 'acme', '--dir', dir]);
    await infra(['apply', '--tenant', 'acme', '--dir', dir]);
    const no = await infra(['destroy', '--tenant', 'acme', '--dir', dir, '--json']);
    expect(no.json).toMatchObject({ status: 2, code: 'INPUT_REQUIRED' });
    expect(argvLog(dir).some((a) => a[0] === 'destroy')).toBe(false);
    const yes = await infra(['destroy', '--tenant', 'acme', '--dir', dir, '--yes', '--json']);
    expect(yes.json, yes.stderr).toMatchObject({ status: 0, result: { destroyed: ['aws_vpc.main', 'aws_subnet.private_a'] } });
  });
});

const itPty = ptyUnavailableReason && !process.env.CI ? it.skip : it;

describe('infra destroy on a terminal', () => {
  itPty('asks for the tenant name: another name destroys nothing, the name destroys', async () => {
    const dir = fresh(undefined, { changes: [VPC] });
    await infra(['plan', '--tenant', 'acme', '--dir', dir]);
    await infra(['apply', '--tenant', 'acme', '--dir', dir]);
    const ttyEnv = { ...sb.baseEnv, ...standinEnv(), CI: undefined, NO_COLOR: undefined, TERM: 'xterm-256color' };
    const ask = (name: string) =>
      runInPty(['infra', 'destroy', '--tenant', 'acme', '--dir', dir], { env: ttyEnv, steps: [{ expect: 'Type its name to confirm', timeout: 20 }, { send: `${name}\r` }] });
    const wrong = await ask('acme-prod');
    expect(wrong.code, wrong.text).toBe(1);
    expect(wrong.text).toContain('"acme-prod" is not acme: nothing was destroyed.');
    expect(argvLog(dir).some((a) => a[0] === 'destroy')).toBe(false);
    const right = await ask('acme');
    expect(right.code, right.text).toBe(0);
    expect(right.text).toContain('Destroyed 1 resource of tenant acme.');
  });
});

describe('infra apply: Ctrl-C', () => {
  it('forwards SIGINT once, lets the binary release its lock, exits 130 naming what may have been created', async () => {
    const dir = fresh(undefined, { changes: [VPC, SUBNET, { ...VPC, address: 'aws_instance.central', type: 'aws_instance', name: 'central' }], delay_ms: 800 });
    expect((await infra(['plan', '--tenant', 'acme', '--dir', dir])).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'infra', 'apply', '--tenant', 'acme', '--dir', dir], {
      env: { ...sb.baseEnv, ...standinEnv() } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      // The second resource is in flight: Ctrl-C now.
      if (!sent && stderr.includes('aws_subnet.private_a: Creating...')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('Interrupted: apply of tenant acme stopped after the binary finished what was in flight and released the state lock.');
    expect(stderr).toContain('Done: aws_vpc.main (create).');
    expect(stderr).toContain('May have been created or changed (started, never reported complete): aws_subnet.private_a (create).');
    // The binary saw one SIGINT and released its state lock; our folder lock is gone too.
    expect(stderr).toContain('Interrupt received.');
    expect(existsSync(join(dir, '.terraform-standin', 'lock-acme.json'))).toBe(false);
    expect(existsSync(join(dir, '.frameworks.lock'))).toBe(false);
    const audit = readFileSync(join(sb.frameworksHome, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({ command: 'infra:apply', outcome: 'interrupted', exit_code: 130 });
  });
});

