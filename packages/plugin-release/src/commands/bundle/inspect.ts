import { Args } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';

export default class BundleInspect extends FrameworksCommand<typeof BundleInspect> {
  static override summary = 'Show what a bundle holds: release, images, members, sizes, signature.';
  static override description = `Show what an offline bundle holds, from its tar headers and manifest.json (quick: the images are not read).

Lists the release (version, channel), the scope, each image (service, digest, image id, the local tag \`bundle load\` gives it, size), every member with its size, and whether manifest.json is signed. It checks nothing: \`frameworks bundle verify\` does.`;

  static override examples = [
    { description: 'Show a bundle', command: '<%= config.bin %> bundle inspect edge-stable.tar' },
    { description: 'The same, as JSON', command: '<%= config.bin %> bundle inspect edge-stable.tar --json' },
  ];

  static override args = { file: Args.string({ required: true, description: 'The bundle file.' }) };

  async run() {
    const { readBundle, MANIFEST_MEMBER, SIGNATURE_MEMBER } = await import('@frameworks/sdk/bundle');
    const { humanBytes } = await import('../../lib/bytes.js');
    const { renderKeyValues } = await import('@frameworks/cli-kit');
    const b = await readBundle(this.args.file);
    const m = b.manifest;
    const sizeOf = (path: string) => b.entries.find((e) => e.path === path)?.size ?? 0;
    const members = b.entries.map((e) => ({ path: e.path, size: e.size, listed: e.path === MANIFEST_MEMBER || e.path === SIGNATURE_MEMBER || m.members.some((x) => x.path === e.path) }));
    const images = m.images.map((i) => ({ service: i.service, image: i.image, digest: i.digest, image_id: i.image_id, local_tag: i.local_tag, size: sizeOf(i.member) }));
    if (!this.jsonEnabled()) {
      this.out(
        renderKeyValues([
          ['file', b.file],
          ['size', humanBytes(b.size)],
          ['release', `${m.release.version}${m.release.channel ? ` (channel ${m.release.channel})` : ''}`],
          ['scope', m.scope],
          ['created', m.created_at],
          ['release signed', m.release.signature ? 'yes (release manifest .sig)' : 'no'],
          ['bundle signed', b.signature ? `yes (${SIGNATURE_MEMBER}; check it with bundle verify --key)` : 'no'],
        ]),
      );
      this.out('');
      this.out('IMAGES');
      for (const i of images) this.out(`  ${i.service.padEnd(14)} ${humanBytes(i.size).padStart(10)}  ${i.image}@${i.digest}\n  ${''.padEnd(14)} ${''.padStart(10)}  id ${i.image_id} → ${i.local_tag}`);
      this.out('');
      this.out('MEMBERS');
      for (const x of members) this.out(`  ${humanBytes(x.size).padStart(10)}  ${x.path}${x.listed ? '' : '   (not in manifest.json)'}`);
      this.next(`frameworks bundle verify ${this.args.file}`);
    }
    return {
      file: b.file,
      bytes: b.size,
      format_version: m.format_version,
      created_at: m.created_at,
      scope: m.scope,
      release: m.release,
      signed: Boolean(b.signature),
      images,
      members,
    };
  }
}
