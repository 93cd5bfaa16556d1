import { Flags } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';
import type { FileOutcome } from '../../init/write-project.js';

export default class InfraInit extends FrameworksCommand<typeof InfraInit> {
  static override summary = 'Write the Terraform of the network and central tier, and tenant overlays.';
  static override description = `Writes readable Terraform for you to commit, into --dir:

  versions.tf, main.tf, variables.tf, outputs.tf   Terraform/OpenTofu >= 1.6, the AWS provider, a partial backend
  modules/network/                                 VPC, public and private subnets per zone, NAT, routes, security groups
                                                   (the central tier's group opens exactly the service catalog's ports)
  modules/central/                                 the central-tier hosts: count and instance type per role
  tenants/_base.yaml                               what every tenant shares (written once, then yours)
  tenants/<tenant>.yaml                            with --tenant: the tenant's overlay (written once, then yours)
  tenants/<tenant>.tfvars.json, backends/<tenant>.hcl   generated from the overlays: inputs and a state of its own
  .gitignore                                       .terraform/, state/, plans (written once, then yours)
  .frameworks-infra.json                           the sha256 of every generated file

All or nothing. A generated file edited by hand since init wrote it (or one init never wrote) stops the run before
anything is written (exit 1, INFRA_FILES_EDITED, the files named) unless --force. An overlay with an unknown key, a
CIDR that does not parse or a subnet outside the VPC is exit 2 (INFRA_OVERLAY_INVALID, the key path named).`;

  static override examples = [
    { description: 'Start an infrastructure folder with a first tenant', command: '<%= config.bin %> infra init --dir ./infra --tenant acme' },
    { description: 'Add a tenant to an existing folder', command: '<%= config.bin %> infra init --dir ./infra --tenant globex' },
    { description: 'Show what would be written; write nothing', command: '<%= config.bin %> infra init --dir ./infra --dry-run' },
    { description: 'Regenerate files you edited by hand (your edits are lost)', command: '<%= config.bin %> infra init --dir ./infra --force' },
  ];

  static override flags = {
    dir: Flags.string({ default: '.', description: 'The infrastructure folder (created if missing).' }),
    provider: Flags.string({ default: 'aws', options: ['aws'], description: 'Cloud provider of the generated Terraform.' }),
    tenant: Flags.string({ description: 'Also write tenants/<tenant>.yaml (if missing) and generate its tfvars and backend config.' }),
    force: Flags.boolean({ description: 'Replace generated files edited by hand (or not written by init).' }),
    'dry-run': Flags.boolean({ description: 'Print the files and what would happen; write nothing.' }),
  };

  static override mutating = true;

  async run() {
    const { resolve } = await import('node:path');
    const { loadCatalog, servicesByRole, publishedPorts, centralTier } = await import('@frameworks/sdk/catalog');
    const { BASE_FILE, checkTenantName, overlayError, overlayFile, parseOverlay, tenantFiles, tenantSettings } = await import('../../overlay/index.js');
    const { fileProblems } = await import('../../overlay/settings.js');
    const { RECORD_FILE, baseYaml, renderProject, tenantYaml } = await import('../../init/render.js');
    const { gitignore } = await import('../../terraform/root.js');
    const { readExisting, readRecord, writeProject } = await import('../../init/write-project.js');
    const f = this.flags;
    const dir = resolve(f.dir);
    const tenant = f.tenant === undefined ? undefined : checkTenantName(f.tenant);
    this.auditTargets = [dir];

    // Hosts and firewall ports for the central tier only (the catalog's interfaces group is not provisioned here).
    const catalog = centralTier((await loadCatalog()).catalog);
    const roles = servicesByRole(catalog).map((r) => r.role);
    const overlayPaths = [BASE_FILE, ...(tenant ? [overlayFile(tenant)] : [])];
    const existing = await readExisting(dir, [...overlayPaths, RECORD_FILE]);
    const baseText = existing.get(BASE_FILE) ?? baseYaml(roles);
    const tenantText = tenant ? (existing.get(overlayFile(tenant)) ?? tenantYaml(tenant)) : undefined;

    // The overlays are checked before anything is written: the base always, the tenant's with --tenant.
    const problems: Parameters<typeof overlayError>[1] = [];
    const base = await parseOverlay(baseText, BASE_FILE, roles, problems);
    if (base) problems.push(...fileProblems({ file: BASE_FILE, overlay: base }, true));
    if (problems.length) throw overlayError(dir, problems, tenant);
    const settings = tenant ? await tenantSettings(dir, tenant, roles, { base: baseText, tenant: tenantText }) : undefined;

    const generated = renderProject(catalog, base?.backend?.type ?? 'local');
    const overlays = [
      { path: '.gitignore', content: gitignore(), mode: 0o644 },
      { path: BASE_FILE, content: baseText, mode: 0o644 },
      ...(tenant ? [{ path: overlayFile(tenant), content: tenantText!, mode: 0o644 }] : []),
    ];
    const derived = settings ? tenantFiles(settings).map((x) => ({ ...x, mode: x.mode ?? 0o644 })) : [];
    const all = await readExisting(dir, [...generated, ...overlays, ...derived].map((x) => x.path));
    for (const [k, v] of existing) all.set(k, v);
    const record = await readRecord(dir);
    const files = await writeProject(
      dir,
      { generated, overlays, tenant: derived },
      { force: f.force, dryRun: f['dry-run'], generator: this.generator(), provider: f.provider, existing: all, record },
    ).catch((err) => {
      if ((err as { code?: string }).code === 'INFRA_FILES_EDITED') this.report(dir, (err as { result: { files: FileOutcome[] } }).result.files);
      throw err;
    });
    this.report(dir, files);
    if (!f['dry-run']) {
      this.next(...(tenant ? [`frameworks infra plan --dir ${f.dir} --tenant ${tenant}`] : [`frameworks infra init --dir ${f.dir} --tenant <name>`]));
    }
    return {
      dir,
      provider: f.provider,
      tenant: tenant ?? null,
      backend: base?.backend?.type ?? 'local',
      roles,
      ports: publishedPorts(catalog),
      var_file: tenant ? `tenants/${tenant}.tfvars.json` : null,
      backend_config: tenant ? `backends/${tenant}.hcl` : null,
      dry_run: Boolean(f['dry-run']),
      files,
    };
  }

  /** Who wrote the files, as the record names it. */
  private generator(): string {
    const me = this.config.plugins.get('@frameworks/plugin-infra');
    return me ? `${me.name} ${me.version}` : '@frameworks/plugin-infra';
  }

  private report(dir: string, files: FileOutcome[]): void {
    if (this.jsonEnabled()) return;
    if (this.flags['dry-run']) {
      for (const file of files) {
        if (file.content === undefined) continue;
        this.out(`# ---- ${file.path}  (${file.bytes} bytes, ${file.action})`);
        this.out(file.content.replace(/\n$/, ''));
        this.out('');
      }
    }
    const width = Math.max(...files.map((x) => x.path.length));
    for (const file of files) {
      const mark = file.action === 'conflict' ? '✗' : ['unchanged', 'kept', 'would-keep'].includes(file.action) ? '·' : '✓';
      const why = file.reason ? { 'hand-edited': '  (edited by hand since init wrote it)', 'not-generated': '  (not written by infra init)' }[file.reason] : '';
      this.out(`${mark} ${file.path.padEnd(width)}  ${file.action}${why}`);
    }
    if (this.flags['dry-run']) this.info(`Dry run: nothing was written in ${dir}.`);
  }
}
