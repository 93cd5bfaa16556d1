import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { allowUnpinnedFlag, lockFlags, releaseLoadOptions, releaseNotices, releaseSelectFlags, verifyFlags, verifyImagesFirst } from '@frameworks/cli-kit';
import { isFrameworksError, quoteArg, readStdinSecret, registerSecret } from '@frameworks/sdk';
import { EdgeCommand, type HostContext } from '../../lib/edge-command.js';
import type { FileOutcome, WriteResult } from '../../lib/write-files.js';

const SERVICES = 'caddy, mistserver, helmsman';

export default class EdgeInit extends EdgeCommand<typeof EdgeInit> {
  static override summary = 'Write the edge stack: .edge.env, compose file and Caddyfile.';
  static override description = `Write the edge stack: .edge.env, .edge.env.example, docker-compose.edge.yml and Caddyfile.

Renders the files of an edge node (Caddy + MistServer + Helmsman under Docker Compose) into --dir, on this host or on every --ssh host:

  .edge.env                 0600  enrollment token (kept from the existing file unless a new one is given), Foghorn addresses, domain, node name, images, limits
  .edge.env.example         0644  the same keys with secrets blank (safe to commit)
  docker-compose.edge.yml   0644  the three services, images pinned from the release manifest
  Caddyfile                 0644  TLS (ACME HTTP-01, or --tls internal) and routes to MistServer and Helmsman

Images come from the release of --channel or --version in the release source (--release-source, else the context's release.source, else the built-in release) or from --release-manifest FILE; an image without a digest is refused (RELEASE_UNPINNED) unless --allow-unpinned; --image SERVICE=REF overrides one service (workspace builds). Foghorn's addresses come from the context (foghorn-grpc, foghorn-http).

Nothing is written unless every file can be: a file that exists with other content stops the run (exit 1, EDGE_FILES_EXIST) with a diff, secrets masked, unless --force. Identical files are left alone. The files are written to temp names first and renamed into place only when all are written: a full disk (DISK_FULL), a permission problem (WRITE_PERMISSION_DENIED) or a read-only filesystem leaves every existing file as it was. --dry-run prints the files (token masked) and writes nothing.`;

  static override examples = [
    {
      description: 'Write a node with a Let\'s Encrypt certificate (token read from stdin)',
      command: 'echo "$TOKEN" | <%= config.bin %> edge init --domain edge-1.example.com --email ops@example.com --token-stdin',
    },
    {
      description: 'Look at the files first; write nothing',
      command: '<%= config.bin %> edge init --domain edge-1.example.com --email ops@example.com --dry-run',
    },
    {
      description: 'Write a lab node with a self-signed certificate and canary images',
      command: '<%= config.bin %> edge init --domain edge-lab --tls internal --channel canary --dir ./edge',
    },
    {
      description: 'Pinned release, local MistServer build, on two hosts over SSH',
      command: '<%= config.bin %> edge init --domain edge-1.example.com --email ops@example.com --release-manifest release.yaml --image mistserver=local/mistserver:dev --ssh ops@edge-1,ops@edge-2 --dir /opt/frameworks-edge',
    },
    {
      description: 'Replace existing files (shows what changes)',
      command: '<%= config.bin %> edge init --domain edge-1.example.com --email ops@example.com --force',
    },
  ];

  static override flags = {
    domain: Flags.string({
      required: true,
      description:
        'DNS name of this edge (RFC 1123, lower-cased; a trailing dot is removed). An IP address only with --tls internal. No wildcards.',
    }),
    email: Flags.string({ description: 'ACME account email (required with --tls acme).' }),
    token: Flags.string({ description: 'Enrollment token for Helmsman (written to .edge.env only). Prefer --token-stdin: arguments show in `ps`.', exclusive: ['token-stdin'] }),
    'token-stdin': Flags.boolean({ description: 'Read the enrollment token from stdin.', exclusive: ['token'] }),
    tls: Flags.string({ helpGroup: 'TLS', options: ['acme', 'internal'], default: 'acme', description: 'acme: public certificate over HTTP-01 (needs DNS and port 80); internal: Caddy\'s own CA.' }),
    ...releaseSelectFlags,
    ...allowUnpinnedFlag,
    'release-manifest': Flags.string({ helpGroup: 'RELEASE',
      env: 'FRAMEWORKS_EDGE_RELEASE_MANIFEST',
      description: 'One release manifest file (YAML or JSON, the release source format) instead of a release source.',
    }),
    bundle: Flags.string({ helpGroup: 'IMAGES',
      exclusive: ['release-manifest', 'release-source', 'version'],
      description: 'Offline bundle (frameworks bundle create): the stack runs the images it holds, loaded unless `bundle load` did it; no registry needed.',
    }),
    image: Flags.string({ helpGroup: 'IMAGES',
      multiple: true,
      description: `Override one service's image: SERVICE=IMAGE:TAG or SERVICE=IMAGE@DIGEST (services: ${SERVICES}). Repeatable.`,
    }),
    'node-name': Flags.string({ helpGroup: 'ADVANCED', description: "Helmsman's NODE_NAME (default: the first label of --domain)." }),
    'shm-size': Flags.string({ helpGroup: 'ADVANCED', default: '1g', description: "MistServer's /dev/shm size (Docker size: 1g, 512m …)." }),
    nofile: Flags.integer({ helpGroup: 'ADVANCED', default: 1_048_576, description: 'Open-files limit (soft and hard) of mistserver and helmsman; the host must allow it (edge preflight checks).' }),
    bind: Flags.string({ helpGroup: 'PORTS', default: '0.0.0.0', description: 'IPv4 address Caddy publishes its ports on; 0.0.0.0 = every address, IPv4 and IPv6.' }),
    'http-port': Flags.integer({ helpGroup: 'PORTS', default: 80, min: 1, max: 65535, description: 'Host port for HTTP (ACME HTTP-01 needs 80).' }),
    'https-port': Flags.integer({ helpGroup: 'PORTS', default: 443, min: 1, max: 65535, description: 'Host port for HTTPS (TCP, and UDP for HTTP/3).' }),
    project: Flags.string({ helpGroup: 'ADVANCED', default: 'frameworks-edge', description: 'Compose project name (stored as EDGE_PROJECT; the edge commands pass it with -p).' }),
    force: Flags.boolean({ description: 'Replace files that exist with other content.' }),
    'dry-run': Flags.boolean({ description: 'Print the files (token masked) and what would happen; write nothing.' }),
    ...lockFlags,
    ...verifyFlags,
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const { loadEdgeRelease, resolveRelease } = await import('../../release/manifest.js');
    const { parseImageOverrides } = await import('../../release/image-ref.js');
    const { resolveInitSettings } = await import('../../lib/init-settings.js');
    const { renderEdgeFiles } = await import('../../templates/index.js');
    const { readEdgeFiles, writeEdgeFiles } = await import('../../lib/write-files.js');
    const { EDGE_ENV } = await import('../../lib/edge-env.js');
    const { keptEnrollmentToken } = await import('../../lib/kept-token.js');
    const f = this.flags;

    const token = f['token-stdin'] ? await readStdinToken() : f.token;
    registerSecret(token);
    // --image (exit 2), the release (its source, channel, signature and pins), then every other flag and the context.
    const overrides = parseImageOverrides(f.image);
    const ctx = await this.context();
    const bundle = f.bundle ? await (await import('../../release/bundle.js')).bundleRelease(f.bundle, f.channel) : undefined;
    const loaded = bundle
      ? bundle.loaded
      : await loadEdgeRelease({ ...releaseLoadOptions(f, ctx.config, this.config.version), ...(f['release-manifest'] ? { manifestFile: f['release-manifest'] } : {}) });
    const release = resolveRelease(loaded, overrides, { allowUnpinned: f['allow-unpinned'] });
    // A loaded image has no registry digest: the bundle pins by image id, checked when it is loaded.
    if (bundle) {
      release.unpinned = release.unpinned.filter((s) => release.overridden.includes(s));
      if (!release.unpinned.length) delete release.warning;
    }
    for (const w of releaseNotices(loaded)) this.warning(w.message, w.code);
    // Signatures before anything is written or pulled: a failure (exit 1) leaves every host as it was.
    if (!bundle) await verifyImagesFirst(f, release.refs, { info: (l) => this.info(l), contextConfig: ctx.config, contextName: ctx.name });
    const { settings, warnings } = resolveInitSettings(
      {
        domain: f.domain,
        email: f.email,
        token,
        tls: f.tls,
        nodeName: f['node-name'],
        shmSize: f['shm-size'],
        nofile: f.nofile,
        bind: f.bind,
        httpPort: f['http-port'],
        httpsPort: f['https-port'],
        project: f.project,
      },
      { 'foghorn-grpc': ctx.endpoints['foghorn-grpc'], 'foghorn-http': ctx.endpoints['foghorn-http'] },
      release,
    );
    // Without a token the host may keep the one it has (below): that warning is given per host.
    const noToken = warnings.find((w) => w.code === 'NO_ENROLLMENT_TOKEN');
    for (const w of warnings) if (w !== noToken) this.warning(w.message, w.code);
    const files = await renderEdgeFiles(settings);

    const several = this.sshTargets().length > 1;
    const outcomes = await this.onHosts(async (h: HostContext) => {
      const dir = h.remote ? h.dir : resolve(h.dir);
      // Read and write under the host lock: one change at a time (a new folder has nothing to lock yet).
      const readAndWrite = async () => {
        // No new token: the stack keeps the enrollment token its .edge.env already has.
        const existing = await readEdgeFiles(h.executor, dir, files); // one round trip over SSH
        const keptToken = token ? undefined : keptEnrollmentToken(existing[files.findIndex((x) => x.name === EDGE_ENV)]);
        if (noToken && !keptToken) this.warning(`${this.hostPrefix(h, several)}${noToken.message}`, noToken.code);
        const hostFiles = keptToken ? await renderEdgeFiles({ ...settings, token: keptToken }) : files;
        const written = await writeEdgeFiles(h.executor, dir, hostFiles, { force: f.force, dryRun: f['dry-run'], existing });
        return { written, keptToken };
      };
      try {
        if (bundle && !f['dry-run'] && (await bundle.ensureLoaded(h)) && !this.jsonEnabled()) this.info(`${this.hostPrefix(h, several)}Loaded the images of ${bundle.file}.`);
        const { written: r, keptToken: kept } = f['dry-run'] ? await readAndWrite() : await this.withLock({ ...h, dir }, readAndWrite);
        this.report(h, r, several);
        if (kept && !this.jsonEnabled()) {
          this.info(`${this.hostPrefix(h, several)}Kept the enrollment token ${dir}/.edge.env already had (--token-stdin gives a new one).`);
        }
        return { ...r, token_source: kept ? ('kept' as const) : token ? ('given' as const) : ('none' as const) };
      } catch (err) {
        if (isFrameworksError(err) && err.code === 'EDGE_FILES_EXIST') this.printDiffs(h, (err.result as WriteResult).files, several);
        throw err;
      }
    });
    const rows = this.settle(outcomes, 'edge init');

    const summary = {
      domain: settings.domain,
      tls: settings.tls,
      node_name: settings.nodeName,
      project: settings.project,
      channel: release.channel,
      release: release.version ?? null,
      release_source: release.source,
      images: release.refs,
      manifest_signature: release.signature,
      unpinned_allowed: release.allowedUnpinned,
      dry_run: Boolean(f['dry-run']),
    };
    if (!f['dry-run']) this.hints();
    if (rows.length === 1) return { ...summary, host: rows[0].host, ...rows[0].result! };
    return { ...summary, hosts: rows };
  }

  private hostPrefix(h: HostContext, several: boolean): string {
    return several || h.remote ? `[${h.host}] ` : '';
  }

  private report(h: HostContext, r: WriteResult, several: boolean): void {
    const p = this.hostPrefix(h, several);
    const conflicts = r.files.filter((x) => x.action === 'conflict').length;
    if (conflicts) this.warning(`${p}${conflicts} file(s) exist with other content: without --force, edge init would refuse and write nothing.`, 'EDGE_FILES_EXIST');
    if (this.jsonEnabled()) return;
    const width = Math.max(...r.files.map((x) => x.path.length));
    if (this.flags['dry-run']) {
      for (const file of r.files) {
        this.out(`# ---- ${p}${file.path}  (${file.mode}, ${file.bytes} bytes, ${file.action})`);
        this.out(file.content!.replace(/\n$/, ''));
        this.out('');
      }
      this.printDiffs(h, r.files, several);
      this.info(`${p}Dry run: nothing was written.`);
      return;
    }
    if (r.dir_created) this.info(`${p}Created ${r.dir}`);
    for (const file of r.files) this.success(`${p}${file.action.padEnd(9)} ${file.path.padEnd(width)}  ${file.mode}  ${file.bytes} bytes`);
  }

  private printDiffs(h: HostContext, files: FileOutcome[], several: boolean): void {
    if (this.jsonEnabled()) return;
    const diffs = files.filter((x) => x.diff);
    if (!diffs.length) return;
    const p = this.hostPrefix(h, several);
    this.info(`${p}Differences (on disk → edge init; secrets masked):`);
    for (const file of diffs) this.info(file.diff!.replace(/\n$/, ''));
  }

  private hints(): void {
    const where = [
      ...(this.flags.dir ? [`--dir ${quoteArg(this.flags.dir)}`] : []),
      ...(this.flags.ssh?.length ? [`--ssh ${quoteArg(this.flags.ssh.join(','))}`] : []),
    ].join(' ');
    const tail = where ? ` ${where}` : '';
    this.next(`frameworks edge preflight${tail}`, `frameworks edge enroll${tail}`);
  }
}

function readStdinToken(): Promise<string> {
  const example = 'printf %s "$TOKEN" | frameworks edge init … --token-stdin';
  return readStdinSecret({ flag: '--token-stdin', what: 'enrollment token', example, alternatives: ['Or pass --token'] });
}
