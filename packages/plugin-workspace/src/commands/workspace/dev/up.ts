import { Flags } from '@oclif/core';
import { DevCommand } from '../../../lib/dev-command.js';

export default class DevUp extends DevCommand<typeof DevUp> {
  static override summary = "Start the monorepo's dev stack, with built services on their local tags.";
  static override description = `Writes docker-compose.override.frameworks.yml beside the monorepo's docker-compose.yml (every run): each service the workspace builds (Helmsman, MistServer) gets the newest local image (frameworks-helmsman:*, frameworks-mistserver:*). Copies config/env/secrets.env.example to config/env/secrets.env when that is missing or empty — a filled one is never overwritten. Then docker compose -p frameworks-dev -f docker-compose.yml -f docker-compose.override.frameworks.yml up -d.`;

  static override examples = [
    { description: 'Start the dev stack on the images built here', command: '<%= config.bin %> workspace dev up' },
    { description: 'Start only Helmsman and MistServer', command: '<%= config.bin %> workspace dev up --only helmsman,mistserver' },
  ];

  static override flags = {
    'helmsman-tag': Flags.string({ description: 'Run frameworks-helmsman:<tag>. Default: the newest local frameworks-helmsman image.' }),
    'mist-tag': Flags.string({ description: 'Run frameworks-mistserver:<tag>. Default: the newest local frameworks-mistserver image.' }),
    'dry-run': Flags.boolean({ description: 'Show the override and what would be copied; start nothing.' }),
  };

  static override mutating = true;

  async run() {
    const { LocalExecutor, writeAllOrNothing } = await import('@frameworks/sdk');
    const { planDevStack, OVERRIDE_FILE } = await import('../../../workspace/dev-stack.js');
    const ws = await this.workspace();
    const ex = new LocalExecutor();
    const { requireClone } = await import('../../../workspace/require-clone.js');
    await requireClone(ex, 'monorepo', ws.monorepo, 'docker-compose.yml', ws.dir);
    this.auditTargets = [ws.monorepo];
    const plan = await planDevStack(ex, ws.monorepo, { helmsman: this.flags['helmsman-tag'], mist: this.flags['mist-tag'] });
    let envStep: 'ran' | 'failed' | 'not-needed' | 'no-target' = 'not-needed';
    const result = (started: string[]) => ({
      dir: ws.dir,
      override: plan.override,
      local_images: plan.targets,
      secrets_env: plan.secrets,
      make_env: envStep,
      dry_run: Boolean(this.flags['dry-run']),
      services: started,
    });
    if (this.flags['dry-run']) {
      this.out(`Would write ${plan.override}:\n${plan.files[0].content}`);
      if (plan.secrets === 'copied') this.out('Would copy config/env/secrets.env.example to config/env/secrets.env');
      return result([]);
    }
    await writeAllOrNothing(ex, plan.files);
    if (plan.secrets === 'copied') this.info('Copied config/env/secrets.env.example to config/env/secrets.env: fill in its values.');
    else if (plan.secrets === 'kept') this.info('config/env/secrets.env is there: kept as it is.');
    envStep = await this.makeEnv(ws.monorepo);
    if (!Object.keys(plan.targets).length) {
      this.warning('No local image yet: the stack runs the images of docker-compose.yml.', 'NO_LOCAL_IMAGES');
      this.next('frameworks workspace build helmsman --image');
    }
    for (const [svc, image] of Object.entries(plan.targets)) this.info(`${svc} → ${image} (${OVERRIDE_FILE})`);
    const { project } = await this.devProject();
    const p = this.progress();
    p.wait(`docker compose up -d (${project.name})`);
    const containers = await project.up({ services: this.flags.only });
    p.stop();
    const started = [...new Set(containers.map((c) => c.service))].sort();
    this.success(`Dev stack ${project.name} up: ${started.join(', ') || 'no services'}`);
    this.next('frameworks workspace dev status', 'frameworks workspace dev logs --only helmsman');
    return result(started);
  }

  /** Upstream's `make env` (writes .env and .env.frontend from the secrets) when .env is missing; a failure is a warning. */
  private async makeEnv(monorepo: string): Promise<'ran' | 'failed' | 'not-needed' | 'no-target'> {
    const { LocalExecutor } = await import('@frameworks/sdk');
    const ex = new LocalExecutor();
    if (await ex.exists(`${monorepo}/.env`)) return 'not-needed';
    const makefile = await ex.readFile(`${monorepo}/Makefile`).catch(() => '');
    if (!/^env:/m.test(makefile)) return 'no-target';
    const r = await ex.run(['make', '-C', monorepo, 'env'], { timeoutMs: 300_000 }).catch((e: Error) => ({ code: 127, stderr: e.message, stdout: '' }));
    if (r.code === 0) {
      this.info('Ran make env: .env written from config/env.');
      return 'ran';
    }
    this.warning(`make env failed (${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`}): the stack may miss its .env.`, 'MAKE_ENV_FAILED');
    return 'failed';
  }
}
