import { Flags } from '@oclif/core';
import { FrameworksCommand, loadVerifyKey, releaseKeyFlag, releaseSelectFlags } from '@frameworks/cli-kit';
import { usageError } from '@frameworks/sdk';

export default class BundleCreate extends FrameworksCommand<typeof BundleCreate> {
  static override summary = 'Write an offline bundle: every image of a release, its manifest and templates.';
  static override description = `Write an offline (airgap) bundle of a release into one tar file.

Pulls every image of the release by digest and saves it as images/<service>.tar (what \`docker save\` writes, \`docker load\` reads), beside the release manifest (release/<version>.yaml and its .sig when there is one), the edge stack templates (templates/: docker-compose.edge.yml, Caddyfile, .edge.env.example) and manifest.json: the release, the scope, each image's digest and image id, and the sha256 and size of every member. --sign-key signs manifest.json (manifest.json.sig, as cosign sign-blob), which covers the whole bundle.

The file is written as FILE.part and renamed to FILE only when complete: an interrupted run leaves no FILE, and running it again starts over.

With a public key (--key, else the context's release.public_key) the release manifest's signature and every image's cosign signature are verified first — a failure stops before anything is pulled or written — and the bundle also carries signatures/verification.json (the verdicts) and sboms/<service>.spdx.json (each image's SPDX SBOM attestation, verified by the same key).

--sign-key takes a cosign key (cosign generate-key-pair; the cosign binary decrypts it with COSIGN_PASSWORD) or an unencrypted PEM private key (ECDSA P-256), which needs no cosign.`;

  static override examples = [
    { description: 'Bundle the edge images of the stable channel', command: '<%= config.bin %> bundle create --channel stable --release-source ./releases -o edge-stable.tar' },
    { description: 'Bundle every service of release 2026.12.1, signed', command: '<%= config.bin %> bundle create --version 2026.12.1 --scope all --release-source https://releases.example.com/frameworks --sign-key cosign.key -o release.tar' },
    { description: 'Show what would be bundled; pull and write nothing', command: '<%= config.bin %> bundle create --channel stable --release-source ./releases -o b.tar --dry-run' },
  ];

  static override flags = {
    // Here -o names the file, as in `docker save -o` (--json still gives the JSON document).
    output: Flags.string({ char: 'o', required: true, description: 'The bundle file to write (a tar file).' }),
    ...releaseSelectFlags,
    ...releaseKeyFlag,
    scope: Flags.string({ options: ['edge', 'central', 'all'], default: 'edge', description: 'Which services: the edge node (caddy, mistserver, helmsman), the central tier, or all.' }),
    'release-manifest': Flags.string({ helpGroup: 'RELEASE', description: 'One release manifest file (YAML or JSON, the release source format) instead of a release source.' }),
    'sign-key': Flags.string({ description: 'Sign manifest.json with this key: a cosign.key (needs cosign) or a PEM private key.' }),
    'dry-run': Flags.boolean({ description: 'Show the images and members the bundle would hold; pull and write nothing.' }),
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const { releaseForBundle } = await import('../../lib/release-input.js');
    const { edgeTemplateMembers } = await import('../../lib/templates.js');
    const { createBundle, scopeServices, bundleVersionName, localTag } = await import('@frameworks/sdk/bundle');
    const { LocalExecutor, pinnedRef, tildify } = await import('@frameworks/sdk');
    const { humanBytes, rateLine, bytesPerSecond } = await import('../../lib/bytes.js');
    const f = this.flags;
    const out = f.output as string;
    if (/\.part$/.test(out)) throw usageError(`-o ${out}: .part is the name of the file being written.`, [`-o ${out.replace(/\.part$/, '')}`], 'INVALID_BUNDLE_NAME');
    const ctx = await this.context().catch(() => undefined);
    const release = await releaseForBundle(f, ctx?.config, this.config.version);
    const scope = f.scope as 'edge' | 'central' | 'all';
    const wanted = scopeServices(scope, release.images.map((i) => i.service));
    const images = release.images.filter((i) => wanted.includes(i.service));
    const extras = scope === 'central' ? [] : await edgeTemplateMembers(images, release);
    // With a key (--key, the context's release.public_key): images verified before anything is pulled; verdicts and SBOMs bundled.
    const key = await loadVerifyKey(f.key, ctx?.config, ctx?.name);
    const evidence = key ? await (await import('../../lib/evidence.js')).bundleEvidence(images, key.key) : undefined;
    if (evidence) extras.push(...evidence.members);
    this.auditTargets = [out];
    const version = bundleVersionName(release.version, release.bytes);
    const summary = {
      file: out,
      release: { version, channel: release.channel ?? null, source: release.source },
      scope,
      images: images.map((i) => ({ service: i.service, ref: pinnedRef(i), local_tag: localTag(i) })),
      signatures: evidence ? { verified: true, key_fingerprint: evidence.key_fingerprint, sboms: evidence.sboms } : { verified: false, key_fingerprint: null, sboms: [] },
    };
    if (f['dry-run']) {
      if (!this.jsonEnabled()) {
        for (const i of summary.images) this.out(`${i.service.padEnd(14)} ${i.ref}`);
        this.info(`Dry run: would write ${out} with ${images.length} image(s), release/${version}.yaml and ${extras.length} template(s); nothing was pulled or written.`);
      }
      return { ...summary, dry_run: true, bytes: null, signed: Boolean(f['sign-key']), duration_ms: null, bytes_per_second: null, members: null };
    }
    const progress = this.progress();
    const started = performance.now();
    let saveStarted = 0;
    let last = '';
    const created = await createBundle({
      images,
      release: { bytes: release.bytes, ...(release.version ? { version: release.version } : {}), ...(release.channel ? { channel: release.channel } : {}), ...(release.signature ? { signature: release.signature } : {}) },
      scope,
      extras,
      out,
      ...(f['sign-key'] ? { signKey: f['sign-key'] } : {}),
      executor: new LocalExecutor({ detached: true }),
      signal: this.interrupted,
      onProgress: (e) => {
        if (e.phase === 'pull') {
          progress.wait(`Pulling ${e.ref}`);
          return;
        }
        if (!saveStarted) saveStarted = performance.now();
        if (last && last !== e.service) this.info(`  saved ${last}`);
        last = e.service;
        progress.wait(`Saving ${e.service}: ${rateLine(e.bytes, e.total, saveStarted)}`);
      },
    });
    progress.stop();
    const ms = Math.round(performance.now() - started);
    if (!this.jsonEnabled()) {
      if (last) this.info(`  saved ${last}`);
      for (const i of created.manifest.images) this.out(`${i.service.padEnd(14)} ${humanBytes(created.manifest.members.find((m) => m.path === i.member)!.size).padStart(10)}  ${i.image}@${i.digest}`);
      this.success(`Wrote ${tildify(out)}: ${humanBytes(created.bytes)} in ${(ms / 1000).toFixed(1)} s (${humanBytes(bytesPerSecond(created.bytes, ms))}/s)${created.signed ? ', signed' : ''}.`);
      this.next(`frameworks bundle verify ${out}${created.signed ? ' --key cosign.pub' : ''}`, `frameworks bundle load ${out} --ssh <host>`);
    }
    return {
      ...summary,
      dry_run: false,
      bytes: created.bytes,
      signed: created.signed,
      duration_ms: ms,
      bytes_per_second: bytesPerSecond(created.bytes, ms),
      members: created.manifest.members,
    };
  }
}
