import { Flags } from '@oclif/core';
import { allowUnpinnedFlag, releaseLoadOptions, releaseNotices, releaseSelectFlags, verifyFlags, verifyImagesFirst } from '@frameworks/cli-kit';
import { checkProjectName, isFrameworksError } from '@frameworks/sdk';
import { ServicesCommand, type HostContext } from '../../lib/services-command.js';
import type { PlanWriteResult } from '../../lib/write-plan.js';

export default class ServicesPlan extends ServicesCommand<typeof ServicesPlan> {
  static override summary = 'Plan the central services: compose fragments, plan.yaml, .central.env.';
  static override description = `Plan the central services: one compose fragment per service, plan.yaml and .central.env.

Picks services from the catalog (--profile, then --include, then --exclude; or --interactive) and writes into --dir:

  svc-<name>.yml   0644  one Compose file per service: image (pinned image@digest from the release: --channel/--version of --release-source or the context's release.source, or --release-manifest; else the catalog's tag; or --image), ports, healthcheck, env_file .central.env, restart
  .central.env     0600  placeholder keys, written once and never overwritten (fill in your values)
  plan.yaml        0644  profile, compose project, services and the sha256 of every fragment (written last)

Profiles: central-all (default), control-core, routing-only, analytics-suite, billing-only.

All or nothing: a fragment edited by hand since the last plan (its sha256 differs from plan.yaml), or a svc-*.yml the planner did not write, stops the run before anything is written (exit 1, SERVICES_FRAGMENTS_EDITED, the files named) unless --force. --dry-run prints the files and writes nothing.`;

  static override examples = [
    { description: 'Plan every central service into ./central', command: '<%= config.bin %> services plan --dir ./central' },
    {
      description: 'The control core plus Purser, without Gateway',
      command: '<%= config.bin %> services plan --profile control-core --include purser --exclude gateway',
    },
    { description: 'Pick services from a menu (profiles as presets)', command: '<%= config.bin %> services plan --interactive' },
    {
      description: 'Pinned images from a release manifest, on a remote host',
      command: '<%= config.bin %> services plan --release-manifest release.yaml --ssh ops@central-1 --dir /opt/frameworks-central',
    },
  ];

  /**
   * Completion offers the catalog's profiles and services (read from the SDK's catalog when TAB is pressed; the path is
   * relative to this plugin's folder, and @frameworks/sdk sits beside it in node_modules/@frameworks).
   */
  static completionValues = {
    profile: { file: '../sdk/catalog/catalog.yaml', keys: 'profiles' },
    include: { file: '../sdk/catalog/catalog.yaml', keys: 'services' },
    exclude: { file: '../sdk/catalog/catalog.yaml', keys: 'services' },
  };
  static override flags = {
    profile: Flags.string({
      description: 'Starting set: central-all, control-core, routing-only, analytics-suite, billing-only, interfaces (webapp, marketing), central-with-interfaces. Default: central-all (no interfaces).',
    }),
    include: Flags.string({ multiple: true, description: 'Add services (comma-separated or repeated).' }),
    exclude: Flags.string({ multiple: true, description: 'Remove services (comma-separated or repeated).' }),
    interactive: Flags.boolean({ char: 'i', description: 'Choose services in a multi-select grouped by role, with the profiles as presets (needs a terminal).' }),
    project: Flags.string({ default: 'frameworks-central', description: 'Compose project name recorded in plan.yaml (containers are named <project>-<service>-1).' }),
    ...releaseSelectFlags,
    ...allowUnpinnedFlag,
    'release-manifest': Flags.string({ helpGroup: 'RELEASE', env: 'FRAMEWORKS_SERVICES_RELEASE_MANIFEST', description: 'One release manifest file (YAML or JSON, the release source format). Default: the release source, else the catalog images (tags, not pinned).' }),
    image: Flags.string({ multiple: true, description: "Override one service's image: SERVICE=IMAGE:TAG or SERVICE=IMAGE@DIGEST. Repeatable." }),
    catalog: Flags.string({ hidden: true, description: 'Use this catalog file instead of the built-in one (tests, development).' }),
    force: Flags.boolean({ description: 'Replace fragments edited by hand (or not written by the planner).' }),
    'dry-run': Flags.boolean({ description: 'Print the files and what would happen; write nothing.' }),
    ...verifyFlags,
  };

  static override mutating = true;

  async run() {
    const { loadCatalog } = await import('../../lib/catalog.js');
    const { resolveSelection, splitList } = await import('../../lib/selection.js');
    const { loadServicesRelease, parseImageOverrides, resolveImages } = await import('../../lib/images.js');
    const { renderEnv, renderFragment, renderPlan, sha256 } = await import('../../lib/fragments.js');
    const { readPlan, writePlanFiles } = await import('../../lib/write-plan.js');
    const f = this.flags;

    const { catalog } = await loadCatalog(f.catalog);
    let selection = resolveSelection(catalog, { profile: f.profile, include: splitList(f.include), exclude: splitList(f.exclude) });
    const overrides = parseImageOverrides(catalog, f.image);
    // A release when one is named (flags) or the context has a release source; else the catalog's images.
    const ctx = await this.context();
    const releaseOpts = releaseLoadOptions(f, ctx.config, this.config.version);
    const wantRelease = f['release-manifest'] !== undefined || releaseOpts.source !== undefined || f.channel !== undefined || f.version !== undefined;
    const release = wantRelease ? await loadServicesRelease({ ...releaseOpts, ...(f['release-manifest'] ? { manifestFile: f['release-manifest'] } : {}) }) : undefined;
    if (release) for (const w of releaseNotices(release)) this.warning(w.message, w.code);
    if (f.interactive) {
      const { chooseInteractively } = await import('../../lib/interactive.js');
      selection = await chooseInteractively(catalog, selection, this.promptContext);
    }
    checkProjectName(f.project, '--project', '--project frameworks-central');

    const images = resolveImages(catalog, selection.services, { ...(release ? { release } : {}), overrides, allowUnpinned: f['allow-unpinned'] });
    if (images.warning) this.warning(images.warning.message, images.warning.code);
    const others = images.unpinned.filter((s) => !images.allowedUnpinned.includes(s));
    if (others.length) {
      this.warning(`Not pinned to a digest: ${others.join(', ')} (${release ? 'not in the release, or from --image: catalog tags' : 'catalog tags; set a release source (--release-source, or release.source of the context) to pin image@digest'}).`, 'IMAGES_NOT_PINNED');
    }
    await verifyImagesFirst(f, images.refs, { info: (l) => this.info(l), contextConfig: ctx.config, contextName: ctx.name });
    const fragments = selection.services.map((s) => renderFragment(s, catalog.services[s], images.refs[s], images.allowedUnpinned.includes(s)));
    const plan = await renderPlan({
      schema_version: 1,
      profile: selection.profile,
      project: f.project,
      services: selection.services,
      images: images.refs,
      fragments: Object.fromEntries(fragments.map((fr) => [fr.name, sha256(fr.content)])),
    });

    const outcomes = await this.onHosts(async (h: HostContext) => {
      try {
        const previous = await readPlan(h.executor, h.dir);
        const r = await writePlanFiles(h.executor, h.dir, { fragments, env: renderEnv(), plan }, { force: f.force, dryRun: f['dry-run'], previous });
        this.report(h, r);
        return r;
      } catch (err) {
        if (isFrameworksError(err) && err.code === 'SERVICES_FRAGMENTS_EDITED') this.report(h, err.result as PlanWriteResult);
        throw err;
      }
    });
    const rows = this.settle(outcomes, 'services plan');
    const summary = { profile: selection.profile, project: f.project, services: selection.services, images: images.refs, channel: images.channel, release: images.version ?? null, release_source: images.source, unpinned_allowed: images.allowedUnpinned, dry_run: Boolean(f['dry-run']) };
    if (!f['dry-run']) this.next(`frameworks services up${f.dir ? ` --dir ${f.dir}` : ''}`);
    if (rows.length === 1) return { ...summary, host: rows[0].host, ...rows[0].result! };
    return { ...summary, hosts: rows };
  }

  private report(h: HostContext, r: PlanWriteResult): void {
    const p = this.prefix(h);
    if (r.stale.length) this.warning(`${p}${r.stale.join(', ')} in ${r.dir} ${r.stale.length === 1 ? 'is' : 'are'} not in the new plan: services up ignores ${r.stale.length === 1 ? 'it' : 'them'} (delete when done).`, 'STALE_FRAGMENTS');
    if (this.jsonEnabled()) return;
    if (this.flags['dry-run']) {
      for (const file of r.files) {
        if (file.content === undefined) continue;
        this.out(`# ---- ${p}${file.path}  (${file.mode}, ${file.bytes} bytes, ${file.action})`);
        this.out(file.content.replace(/\n$/, ''));
        this.out('');
      }
    }
    const width = Math.max(...r.files.map((x) => x.name.length));
    for (const file of r.files) {
      const mark = file.action === 'conflict' ? '✗' : file.action === 'unchanged' || file.action.includes('keep') || file.action === 'kept' ? '·' : '✓';
      const why = file.reason === 'hand-edited' ? '  (edited by hand since the last plan)' : file.reason === 'not-planned' ? '  (not written by services plan)' : '';
      this.out(`${mark} ${p}${file.name.padEnd(width)}  ${file.mode}  ${file.action}${why}`);
    }
    if (this.flags['dry-run']) this.info(`${p}Dry run: nothing was written.`);
  }
}
