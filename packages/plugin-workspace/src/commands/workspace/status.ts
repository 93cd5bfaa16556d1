import { WorkspaceCommand } from '../../lib/workspace-command.js';

export default class WorkspaceStatus extends WorkspaceCommand<typeof WorkspaceStatus> {
  static override summary = 'Clones, toolchains against what each build needs, and local images.';
  static override description = `Per repository: branch, commit, uncommitted files, ahead/behind its upstream. Per toolchain: what each build needs (the go directive of api_sidecar/go.mod against go version; meson, ninja, a C++ compiler; the libav* development headers for mist --with-av; node and the package manager of the lockfile) with the exact fix for each one missing. Then the local images (frameworks-helmsman:*, frameworks-mistserver:*) and the stack files that use them. Read-only; every probe runs at once.`;

  static override examples = [
    { description: 'Show the workspace the current context records', command: '<%= config.bin %> workspace status' },
    { description: 'The same for another folder, as JSON', command: '<%= config.bin %> workspace status --dir ~/src/frameworks --json' },
  ];

  async run() {
    const { LocalExecutor } = await import('@frameworks/sdk');
    const { repoState } = await import('../../workspace/repo-state.js');
    const { toolchainChecks } = await import('../../workspace/toolchains.js');
    const { localImages, markUsers } = await import('../../workspace/local-images.js');
    const { stackFiles } = await import('../../workspace/stack-files.js');
    const { renderTable } = await import('@frameworks/cli-kit');
    const { stateSummary } = await import('../../workspace/render.js');
    const ws = await this.workspace();
    const ex = new LocalExecutor();
    const { ToolVersionCache, findOnPath } = await import('@frameworks/sdk/workspace');
    const [ctx, cache] = await Promise.all([this.context().catch(() => undefined), ToolVersionCache.open()]);
    const versions = { find: (name: string) => findOnPath(name), get: (k: string) => cache.get(k), set: (k: string, v: string) => cache.set(k, v) };
    const [mono, mist, tools, images] = await Promise.all([
      repoState(ex, 'monorepo', ws.monorepo),
      repoState(ex, 'mistserver', ws.mistserver),
      toolchainChecks({ executor: ex, monorepo: ws.monorepo, mistserver: ws.mistserver, versions }),
      localImages(ex),
    ]);
    await cache.save();
    const files = stackFiles(ws.monorepo, process.env.FRAMEWORKS_EDGE_DIR?.trim() || ctx?.config.edge?.dir);
    if (images) await markUsers(ex, images, files);
    const repos = [mono, mist];

    this.out(`Workspace ${ws.dir} (${ws.source === 'default' ? 'default folder' : `from ${ws.source}`})`);
    this.out(
      renderTable(repos, [
        { header: 'repository', get: (r) => r.name, id: true },
        { header: 'state', get: (r) => (r.present ? stateSummary(r) : 'not cloned') },
        { header: 'dirty files', get: (r) => r.dirty.slice(0, 5).join(' ') + (r.dirty.length > 5 ? ` …+${r.dirty.length - 5}` : ''), optional: true },
      ]),
    );
    this.out('');
    this.out(
      renderTable(tools, [
        { header: 'toolchain', get: (t) => t.tool },
        { header: 'needed by', get: (t) => t.needed_by },
        { header: 'required', get: (t) => t.required ?? '-' },
        { header: 'installed', get: (t) => t.installed ?? 'missing' },
        { header: 'ok', get: (t) => (t.ok ? '✓' : t.optional ? '⚠' : '✗'), keep: true },
        { header: 'fix', get: (t) => t.fix ?? '', below: true },
      ]),
    );
    this.out('');
    if (!images) this.out('Local images: the Docker engine cannot be reached (DOCKER_HOST or /var/run/docker.sock).');
    else if (!images.length) this.out('Local images: none yet (frameworks workspace build helmsman --image).');
    else
      this.out(
        renderTable(images, [
          { header: 'image', get: (i) => i.ref },
          { header: 'id', get: (i) => i.id },
          { header: 'created', get: (i) => i.created },
          { header: 'used by', get: (i) => i.used_by.join(', ') || '-' },
        ]),
      );
    if (!mono.present) this.next(`frameworks workspace init --dir ${ws.dir}`);
    return {
      dir: ws.dir,
      dir_source: ws.source,
      repositories: repos.map((r) => ({
        name: r.name,
        path: r.path,
        present: r.present,
        branch: r.branch,
        commit: r.commit,
        upstream: r.upstream,
        ahead: r.ahead,
        behind: r.behind,
        dirty_files: r.dirty,
        remote: r.remote,
      })),
      toolchains: tools,
      images: images ?? null,
      engine_reachable: images !== undefined,
    };
  }
}
