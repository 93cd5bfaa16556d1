// infra over --ssh (a control host that holds the state) and the hand-off: outputs that name loopback
// sshd hosts become an SSH inventory (`--ssh @tenant`, `--ssh @file`) and a context's endpoints
// (`context create --from-infra`), then `services plan` / `up --ssh` install onto those hosts.
// The binary is the stand-in terraform (test/support/terraform-standin, NOT Terraform) on the remote PATH.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, CliSandbox } from '../support/cli.js';
import { IMAGES, freePort, removeComposeProject, requireDocker, uniqueName } from '../support/docker.js';
import { sshdIn, writeSshConfig, type SshSide } from '../support/edge-stack.js';
import { sshdAvailable } from '../support/sshd.js';
import { STANDIN_DIR, VPC, SUBNET, argvLog, infraFolder, installInfraPlugin } from '../support/infra.js';

const gate = await requireDocker('infra hand-off e2e');
if (!gate.skip && !sshdAvailable() && process.env.CI) throw new Error('infra e2e: /usr/sbin/sshd is missing (bash scripts/infra.sh up installs openssh-server).');

describe.skipIf(gate.skip || !sshdAvailable())('infra on a control host, then the hand-off to services and contexts', () => {
  const sb = new CliSandbox('fw-infra-ssh-');
  const tmp = mkdtempSync(join(tmpdir(), 'fw-infra-ssh-'));
  const local = join(tmp, 'infra');
  const remoteCwd = join(tmp, 'remote');
  let side: SshSide;
  let project: string;
  let hostSpec: string;

  beforeAll(async () => {
    installInfraPlugin(sb);
    mkdirSync(remoteCwd);
    side = await sshdIn(remoteCwd);
    // The stand-in is on the control host's PATH (its login shell reads this), not on ours.
    appendFileSync(join(side.sshd.home, '.bashrc'), `export PATH=${STANDIN_DIR}:$PATH\n`);
    writeSshConfig(sb, { control: side.sshd });
    hostSpec = `${side.sshd.user}@127.0.0.1:${side.sshd.port}`;
    infraFolder(local, { acme: { region: 'eu-west-1' } }, {
      changes: [VPC, SUBNET],
      outputs: {
        central_hosts: { value: [hostSpec] },
        endpoints: { value: { gateway: 'http://127.0.0.1:18000', quartermaster: 'http://10.20.1.5:18002' } },
      },
    });
    project = uniqueName('fw-infra-svc');
  });
  afterAll(async () => {
    await side?.stop();
    if (project) await removeComposeProject(project);
    sb.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('plan and apply run on the control host: files synced there, state stays there, outputs read back', async () => {
    // No terraform here: only the control host has one. The secret variable goes along, never in a file.
    const env = { PATH: '/usr/bin:/bin', TF_VAR_service_token: 'ssh-tf-var-token-0a1b2c3d' };
    const plan = await sb.run(['infra', 'plan', '--tenant', 'acme', '--dir', local, '--ssh', 'control', '--verbose'], { env });
    expect(plan.code, plan.stderr).toBe(0);
    const remote = join(remoteCwd, 'frameworks-infra', basename(local));
    expect(JSON.parse(readFileSync(join(remote, 'plans', 'acme.tfplan'), 'utf8')).variables.service_token).toBe('ssh-tf-var-token-0a1b2c3d');
    expect(plan.stderr).toContain("'TF_VAR_service_token=****' /"); // --verbose shows the remote command, the value masked
    expect(plan.stdout + plan.stderr).not.toContain('ssh-tf-var-token-0a1b2c3d');
    expect(readFileSync(join(remote, 'tenants', 'acme.tfvars.json'), 'utf8')).toBe(readFileSync(join(local, 'tenants', 'acme.tfvars.json'), 'utf8'));
    expect(existsSync(join(remote, 'plans', 'acme.tfplan.meta.json'))).toBe(true);
    expect(argvLog(remote).map((a) => a[0])).toEqual(['version', 'init', 'state', 'plan', 'show']);
    expect(existsSync(join(local, '.terraform-standin'))).toBe(false);

    const apply = await sb.run(['infra', 'apply', '--tenant', 'acme', '--dir', local, '--ssh', 'control', '--json'], { env });
    expect(apply.json, apply.stderr).toMatchObject({ status: 0, result: { host: 'control', applied: [{ address: 'aws_vpc.main' }, { address: 'aws_subnet.private_a' }] } });
    expect(existsSync(join(remote, '.terraform-standin', 'state-acme.json'))).toBe(true);
    const out = await sb.run(['infra', 'output', '--tenant', 'acme', '--dir', local, '--ssh', 'control', '--json'], { env });
    expect(out.json, out.stderr).toMatchObject({ status: 0, result: { hosts: [hostSpec], endpoints: { gateway: 'http://127.0.0.1:18000' } } });
  });

  it('Ctrl-C during apply on the control host: SIGINT reaches the remote binary, which releases its lock; exit 130', async () => {
    const dir = infraFolder(join(tmp, 'slow'), { initech: { region: 'eu-west-1' } }, { changes: [VPC, SUBNET], delay_ms: 800 });
    const env = { PATH: '/usr/bin:/bin' };
    expect((await sb.run(['infra', 'plan', '--tenant', 'initech', '--dir', dir, '--ssh', 'control'], { env })).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'infra', 'apply', '--tenant', 'initech', '--dir', dir, '--ssh', 'control'], {
      env: { ...sb.baseEnv, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      if (stderr.includes('aws_subnet.private_a: Creating...') && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('Done: aws_vpc.main (create). May have been created or changed (started, never reported complete): aws_subnet.private_a (create).');
    const remote = join(remoteCwd, 'frameworks-infra', 'slow');
    expect(existsSync(join(remote, '.terraform-standin', 'state-initech.json'))).toBe(true);
    expect(existsSync(join(remote, '.terraform-standin', 'lock-initech.json'))).toBe(false);
  });

  it('infra hosts writes the inventory; context create --from-infra takes the endpoints and the folder', async () => {
    const inv = join(tmp, 'hosts.txt');
    const h = await sb.run(['infra', 'hosts', '--tenant', 'acme', '--out', inv, '--json']);
    expect(h.json, h.stderr).toMatchObject({ status: 0, result: { hosts: [hostSpec] } });
    expect(readFileSync(inv, 'utf8')).toBe(`# SSH inventory of tenant acme (frameworks infra hosts): use with --ssh @acme or --ssh @<this file>\n${hostSpec}\n`);

    const c = await sb.run(['context', 'create', 'acme', '--from-infra', '--dir', local, '--use', '--json']);
    expect(c.json, c.stderr).toMatchObject({ status: 0, result: { endpoints: { gateway: 'http://127.0.0.1:18000', quartermaster: 'http://10.20.1.5:18002' } } });
    // The context's infra.dir is the infra commands' default folder.
    const st = await sb.run(['infra', 'status', '--json']);
    expect(st.json, st.stderr).toMatchObject({ status: 0, result: { dir: local, tenants: [{ tenant: 'acme' }] } });
  });

  it('services plan --ssh @acme and services up --ssh @<inventory file> install onto the hosts the apply created', async () => {
    const port = await freePort();
    const cat = join(tmp, 'catalog.yaml');
    writeFileSync(cat, `schema_version: 1\nservices:\n  purser: { title: Purser, role: billing, image: ${IMAGES.mistserver}, ports: ["127.0.0.1:${port}:8080"], health: { protocol: http, path: /health, port: 8080 } }\nprofiles:\n  billing-only: [purser]\n`);
    const ssh = ['--accept-new-host-key', '--ssh-key', side.sshd.clientKey, '--dir', 'central'];
    const p = await sb.run(['services', 'plan', '--catalog', cat, '--profile', 'billing-only', '--project', project, '--ssh', '@acme', ...ssh, '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(existsSync(join(remoteCwd, 'central', 'svc-purser.yml'))).toBe(true);
    const up = await sb.run(['services', 'up', '--ssh', `@${join(tmp, 'hosts.txt')}`, ...ssh, '--json'], { timeoutMs: 120_000, env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
    expect(up.json, up.stderr).toMatchObject({ status: 0, result: { host: hostSpec, services: [{ service: 'purser', state: 'running', health: 'healthy' }] } });
  });
});
