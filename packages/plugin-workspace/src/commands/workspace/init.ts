import { Flags } from '@oclif/core';
import { WorkspaceCommand } from '../../lib/workspace-command.js';

export const MONOREPO_URL = 'https://github.com/Livepeer-FrameWorks/monorepo.git';
export const MISTSERVER_URL = 'https://github.com/Livepeer-FrameWorks/mistserver';

export default class WorkspaceInit extends WorkspaceCommand<typeof WorkspaceInit> {
  static override summary = 'Clone the monorepo (and MistServer) into a workspace, or fetch an existing one.';
  static override description = `Clones the FrameWorks monorepo (and with --with-mist the MistServer fork beside it) into the workspace folder: <dir>/monorepo, <dir>/mistserver, built binaries in <dir>/bin. A clone goes to a hidden folder first and is renamed into place when complete, so a failed clone leaves nothing behind. A clone that is already there is only fetched (its working tree, committed or not, is left untouched) and reported. The workspace folder is recorded as workspace.dir of the current context. Credentials in a URL are masked in every output.`;

  static override examples = [
    { description: 'Clone the monorepo into ./frameworks-workspace', command: '<%= config.bin %> workspace init' },
    {
      description: 'Clone both repositories, shallow, into ~/src/frameworks',
      command: '<%= config.bin %> workspace init --dir ~/src/frameworks --with-mist --depth 1',
    },
    { description: 'Clone a fork at a branch', command: '<%= config.bin %> workspace init --repo https://github.com/me/monorepo.git --ref my-branch' },
  ];

  static override flags = {
    repo: Flags.string({ description: `Monorepo URL. Default: ${MONOREPO_URL}.` }),
    ref: Flags.string({ description: 'Branch or tag to check out (clone only).' }),
    'with-mist': Flags.boolean({ description: 'Clone the MistServer fork too (beside the monorepo).' }),
    'mist-repo': Flags.string({ description: `MistServer URL (implies --with-mist). Default: ${MISTSERVER_URL}.` }),
    depth: Flags.integer({ min: 1, description: 'Shallow clone with this many commits.' }),
    'dry-run': Flags.boolean({ description: 'Say what would be cloned or fetched; change nothing.' }),
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const { LocalExecutor, ExitCode, FrameworksError } = await import('@frameworks/sdk');
    const { maskUrl } = await import('@frameworks/sdk/workspace');
    const { cloneOrFetch } = await import('../../workspace/clone-or-fetch.js');
    const { repoLine } = await import('../../workspace/render.js');
    const ws = await this.workspace();
    const executor = new LocalExecutor();
    const repos = [{ name: 'monorepo', url: this.flags.repo ?? MONOREPO_URL, path: ws.monorepo, ref: this.flags.ref }];
    if (this.flags['with-mist'] || this.flags['mist-repo']) repos.push({ name: 'mistserver', url: this.flags['mist-repo'] ?? MISTSERVER_URL, path: ws.mistserver, ref: undefined });
    for (const r of repos) maskUrl(r.url);
    this.auditTargets = [ws.dir];
    const p = this.progress();
    const outcomes = [];
    for (const r of repos) {
      if (this.interrupted.aborted) break;
      try {
        const o = await cloneOrFetch({
          executor,
          ...r,
          depth: this.flags.depth,
          dryRun: this.flags['dry-run'],
          signal: this.interrupted,
          onProgress: (line) => (p.enabled ? p.wait(`${r.name}: ${line}`) : undefined),
        });
        p.stop();
        outcomes.push(o);
        this.success(repoLine(o));
        if (o.left_untouched) {
          this.warning(`${r.name} has ${o.state.dirty.length} uncommitted change(s): only fetched; the working tree was left untouched.`, 'WORKSPACE_DIRTY');
        }
      } catch (err) {
        p.stop();
        if (this.interrupted.aborted) {
          const { interruptedError } = await import('@frameworks/cli-kit');
          throw interruptedError(`Interrupted while cloning ${r.name}: nothing half-cloned was left in ${ws.dir}.`);
        }
        throw err;
      }
    }
    let recorded: string | null = null;
    if (!this.flags['dry-run']) recorded = await this.record(ws.dir);
    if (!this.flags['dry-run']) this.next(`frameworks workspace status`, `frameworks workspace build helmsman`);
    const result = { dir: ws.dir, dry_run: Boolean(this.flags['dry-run']), context: recorded, repositories: outcomes.map((o) => ({ ...o, state: undefined, ...stateOf(o.state) })) };
    if (outcomes.length < repos.length) throw new FrameworksError('Interrupted.', { code: 'INTERRUPTED', exitCode: ExitCode.INTERRUPTED, result });
    return result;
  }

  /** workspace.dir of the current context; without a context, a warning with the command that records it. */
  private async record(dir: string): Promise<string | null> {
    const ctx = await this.context().catch(() => undefined);
    if (!ctx) {
      this.warning(`No context to record the workspace in: later commands need --dir ${dir} (or FRAMEWORKS_WORKSPACE_DIR).`, 'WORKSPACE_NOT_RECORDED');
      this.next('frameworks context init', `frameworks context set local workspace.dir ${dir}`);
      return null;
    }
    if (ctx.config.workspace?.dir === dir) return ctx.name;
    await this.configStore().update((doc) => {
      const c = doc.contexts[ctx.name];
      if (c) c.workspace = { ...c.workspace, dir };
    });
    this.info(`Recorded as workspace.dir of context ${ctx.name}.`);
    return ctx.name;
  }
}

function stateOf(s: import('../../workspace/repo-state.js').RepoState) {
  return { branch: s.branch, commit: s.commit, dirty_files: s.dirty, ahead: s.ahead, behind: s.behind, upstream: s.upstream };
}
