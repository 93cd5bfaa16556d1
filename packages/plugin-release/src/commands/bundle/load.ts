import { Args, Flags } from '@oclif/core';
import { HostsCommand, lockFlags } from '@frameworks/cli-kit';
import type { LoadReport, VerifiedBundle } from '@frameworks/sdk/bundle';

export default class BundleLoad extends HostsCommand<typeof BundleLoad> {
  static override summary = 'Load a bundle\'s images into Docker here or on --ssh hosts, tagged for the stack.';
  static override description = `Load an offline bundle into the Docker engine of this host, or of every --ssh host.

In order, and stopping at the first failure: verify the bundle (every checksum; the signature with --key) → check, from the bundle itself, that each image archive holds the image id manifest.json names → check free space on the target (Docker's root; over SSH also --tmp-dir) → over SSH, upload the image archives to a temp folder under --tmp-dir with progress → docker load → check each loaded image's id → tag each image under the name the stack uses (<image>:bundle-<digest prefix>: a loaded image has no registry digest, so image@sha256 references cannot start it) → record the mapping in ~/.frameworks/bundles/<version>.json on the host (for edge init --bundle) → remove the upload.

A failure before tagging tags nothing and leaves no upload behind. One load at a time per host (lock file in ~/.frameworks/bundles).`;

  static override examples = [
    { description: 'Load a bundle into this host\'s Docker', command: '<%= config.bin %> bundle load edge-stable.tar' },
    { description: 'Load it on two edge hosts over SSH, checking the signature first', command: '<%= config.bin %> bundle load edge-stable.tar --key cosign.pub --ssh ops@edge-1,ops@edge-2' },
    { description: 'Check everything (bundle, ids, space) and load nothing', command: '<%= config.bin %> bundle load edge-stable.tar --ssh ops@edge-1 --dry-run' },
  ];

  static override args = { file: Args.string({ required: true, description: 'The bundle file (on this machine).' }) };
  static override flags = {
    key: Flags.string({ description: 'Public key (PEM) manifest.json.sig must verify with before anything is loaded.' }),
    'tmp-dir': Flags.string({ helpGroup: 'SSH', default: '/var/tmp', description: 'Folder on an --ssh host for the upload (removed after the load).' }),
    'dry-run': Flags.boolean({ description: 'Verify and check ids and free space; upload, load and tag nothing.' }),
    ...lockFlags,
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const { verifyBundle, loadBundle, bundleMappingDir } = await import('@frameworks/sdk/bundle');
    const { readPublicKey } = await import('../../lib/key.js');
    
    const { humanBytes, rateLine } = await import('../../lib/bytes.js');
    const file = this.args.file;
    const key = this.flags.key ? await readPublicKey(this.flags.key) : undefined;
    const progress = this.progress();
    progress.wait(`Verifying ${file}`);
    const v: VerifiedBundle = await verifyBundle(file, key ? { key } : {});
    progress.stop();
    if (!this.jsonEnabled()) this.info(`✓ ${v.manifest.members.length} members match manifest.json${v.signatureState.verified ? `; signed by ${v.signatureState.key_fingerprint}` : ''}.`);
    if (!v.signatureState.verified) this.warning(v.signatureState.present ? 'The bundle is signed but no --key was given: its signature was not checked.' : 'The bundle is not signed: its checksums were checked, not who made it.', v.signatureState.present ? 'BUNDLE_SIGNATURE_NOT_CHECKED' : 'BUNDLE_UNSIGNED');
    const several = this.sshTargets().length > 1;
    const outcomes = await this.runOnHosts('.', async (h) => {
      const mappingDir = await bundleMappingDir(h);
      const p = several || h.remote ? `[${h.host}] ` : '';
      const started = performance.now();
      const load = () =>
        loadBundle({
          executor: h.executor,
          file,
          manifest: v.manifest,
          entries: v.entries,
          mappingDir,
          tmpDir: this.flags['tmp-dir'],
          dryRun: this.flags['dry-run'],
          onProgress: (e) => progress.wait(`${p}${e.phase === 'upload' ? 'Uploading' : 'Loading'} ${e.service}: ${rateLine(e.bytes, e.total, started)}`),
        });
      const lockScope = {
        dir: mappingDir,
        file: '.load.lock',
        ensureDir: true,
        what: 'bundle loads',
        hints: [`frameworks bundle load ${file}${h.remote ? ` --ssh ${h.host}` : ''} --lock-wait 5m   # wait for the other load`],
      };
      const report: LoadReport = this.flags['dry-run'] ? await load() : await this.withLock(h, load, lockScope);
      progress.stop();
      if (!this.jsonEnabled()) {
        for (const i of report.images) this.success(`${p}${i.action === 'loaded' ? 'loaded' : 'would load'} ${i.service.padEnd(12)} ${i.image_id.slice(0, 19)}  → ${i.local_tag}`);
        if (report.uploaded_bytes) this.info(`${p}Uploaded ${humanBytes(report.uploaded_bytes)} (removed after the load).`);
        this.info(`${p}${this.flags['dry-run'] ? 'Dry run: nothing was uploaded, loaded or tagged; the mapping would go to' : 'Mapping recorded in'} ${report.mapping_file}`);
      }
      return report;
    });
    progress.stop();
    const rows = this.settle(outcomes, 'bundle load');
    const summary = { file, release: v.manifest.release, signature: v.signatureState, dry_run: Boolean(this.flags['dry-run']) };
    if (!this.flags['dry-run']) this.next(`frameworks edge init --bundle ${file} --domain <domain> …${this.flags.ssh?.length ? ` --ssh ${this.flags.ssh.join(',')}` : ''}`);
    if (rows.length === 1) return { ...summary, host: rows[0].host, ...rows[0].result! };
    return { ...summary, hosts: rows };
  }
}
