import { Args } from '@oclif/core';
import { FrameworksCommand, releaseKeyFlag, releaseNotices, releaseSelectFlags, renderTable } from '@frameworks/cli-kit';

export default class ReleaseDiff extends FrameworksCommand<typeof ReleaseDiff> {
  static override summary = 'What changes between two releases: images added, removed, changed.';
  static override description = `Compares two releases of the release source image by image (by name): added, removed, and changed (another version, image or digest). Each side is a release version, or a channel name (the release it points at). With a public key (--key, or the context's release.public_key) both manifests' signatures must verify.`;
  static override examples = [
    { description: 'From one release to the next', command: '<%= config.bin %> release diff v0.1.0-rc1 v0.1.0-rc2' },
    { description: 'What moving from stable to canary would change, as JSON', command: '<%= config.bin %> release diff stable canary --json' },
  ];
  static override args = {
    from: Args.string({ required: true, description: 'Release version or channel to compare from.' }),
    to: Args.string({ required: true, description: 'Release version or channel to compare to.' }),
  };
  static override flags = {
    'release-source': releaseSelectFlags['release-source'],
    ...releaseKeyFlag,
  };

  async run() {
    const { diffReleases, isFrameworksError, loadRelease } = await import('@frameworks/sdk');
    const { commandLoadOptions } = await import('../../lib/load.js');
    const { originJson, shortDigest, signatureJson } = await import('../../lib/render.js');
    const ctx = await this.context();
    const base = commandLoadOptions(this.flags, ctx.config, this.config.version, await this.dialer());
    // A side is a version, else a channel of that name.
    const load = async (side: string) => {
      try {
        return await loadRelease({ ...base, version: side });
      } catch (err) {
        if (!isFrameworksError(err) || err.code !== 'UNKNOWN_RELEASE') throw err;
        return loadRelease({ ...base, channel: side }).catch((e2: unknown) => {
          throw isFrameworksError(e2) && e2.code === 'UNKNOWN_CHANNEL' ? err : e2;
        });
      }
    };
    const a = await load(this.args.from);
    const b = await load(this.args.to);
    for (const w of releaseNotices(a)) this.warning(w.message, w.code);
    const d = diffReleases(a, b);
    if (!this.jsonEnabled()) {
      type Row = { change: string; name: string; from: string; to: string };
      const v = (x: { image: string; digest: string | null; version: string | null }) => `${x.version ?? '-'} ${shortDigest(x.digest)}`;
      const rows: Row[] = [
        ...d.added.map((x) => ({ change: '+ added', name: x.service, from: '-', to: v(x) })),
        ...d.removed.map((x) => ({ change: '- removed', name: x.service, from: v(x), to: '-' })),
        ...d.changed.map((x) => ({ change: '~ changed', name: x.service, from: v(x.from), to: v(x.to) })),
      ];
      this.info(`${a.version} → ${b.version}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged.length} unchanged`);
      if (rows.length) {
        this.out(
          renderTable(rows, [
            { header: 'change', get: (r) => r.change, keep: true },
            { header: 'name', get: (r) => r.name, id: true },
            { header: 'from', get: (r) => r.from },
            { header: 'to', get: (r) => r.to },
          ]),
        );
      }
      const images = d.changed.filter((x) => x.from.image !== x.to.image);
      for (const x of images) this.info(`${x.service}: image ${x.from.image} → ${x.to.image}`);
    }
    return {
      from: { version: a.version, channel: a.channel, source: originJson(a), manifest_signature: signatureJson(a.signature) },
      to: { version: b.version, channel: b.channel, source: originJson(b), manifest_signature: signatureJson(b.signature) },
      added: d.added,
      removed: d.removed,
      changed: d.changed,
      unchanged: d.unchanged,
    };
  }
}
