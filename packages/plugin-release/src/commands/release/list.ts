import { FrameworksCommand, releaseNotices, releaseSelectFlags, renderTable } from '@frameworks/cli-kit';

export default class ReleaseList extends FrameworksCommand<typeof ReleaseList> {
  static override summary = 'List the channels and releases of the release source.';
  static override description = `Reads the release source (--release-source, else the context's release.source, else the built-in release): channels/<channel>.yaml → the release each channel points at, and every releases/<version>.yaml of a folder or git repository (an https source lists the releases its channels point at). Newest release first, with its date and the channels on it.

A git repository is cloned shallowly into the frameworks home's cache and fetched again on every run; an https source's files are cached as they are read. When the source cannot be reached, the cache is used and a warning says so (RELEASE_SOURCE_OFFLINE).`;
  static override examples = [
    { description: 'Channels and releases of the configured source', command: '<%= config.bin %> release list' },
    { description: 'Only the stable channel, from a git repository', command: '<%= config.bin %> release list --channel stable --release-source https://github.com/acme/gitops.git' },
    { description: 'Channels and releases of a local folder, as JSON', command: '<%= config.bin %> release list --release-source ./releases --json' },
  ];
  static override flags = {
    channel: releaseSelectFlags.channel,
    'release-source': releaseSelectFlags['release-source'],
  };

  async run() {
    const { listReleases } = await import('@frameworks/sdk');
    const { commandLoadOptions } = await import('../../lib/load.js');
    const { describeOrigin } = await import('../../lib/render.js');
    const ctx = await this.context();
    const listing = await listReleases(commandLoadOptions(this.flags, ctx.config, this.config.version, await this.dialer()));
    for (const w of releaseNotices(listing)) this.warning(w.message, w.code);
    if (!this.jsonEnabled()) {
      this.info(`Source: ${describeOrigin(listing.origin)}`);
      for (const c of listing.channels) this.info(`Channel ${c.channel} → ${c.platform_version}${c.updated_at ? ` (updated ${c.updated_at})` : ''}`);
      if (listing.releases.length === 0) this.info('No releases.');
      else {
        this.out(
          renderTable(listing.releases, [
            { header: 'version', get: (r) => r.version, id: true },
            { header: 'released', get: (r) => r.release_date ?? '-' },
            { header: 'channels', get: (r) => r.channels.join(', ') || '-' },
          ]),
        );
      }
      const first = listing.releases[0]?.version;
      if (first) this.next(`frameworks release show ${first}`);
    }
    return {
      source: { kind: listing.origin.kind, source: listing.origin.source, offline: listing.origin.offline ? { reason: listing.origin.offline.reason, cached_at: listing.origin.offline.cached_at ?? null } : null },
      channels: listing.channels,
      releases: listing.releases,
    };
  }
}
