import { Args, Flags } from '@oclif/core';
import { FrameworksCommand } from '@frameworks/cli-kit';

export default class UseLocal extends FrameworksCommand<typeof UseLocal> {
  static override summary = 'Point an edge stack or a services plan at the locally built images.';
  static override description = `Every image: line and HELMSMAN_IMAGE / MISTSERVER_IMAGE value naming Helmsman or MistServer in the stack (edge: docker-compose.edge.yml and .edge.env; services: the svc-*.yml fragments) becomes the newest local frameworks-helmsman / frameworks-mistserver image (or the tag given). All files are written or none (temp files, then renames). What was replaced is kept in .frameworks-use-local.json beside them: --release puts those references back. Then edge update (or services up) runs what was just built.`;

  static override examples = [
    { description: 'Run the edge stack in ./edge on the images built here', command: '<%= config.bin %> workspace use-local edge --dir ./edge' },
    { description: 'Go back to the pinned release images', command: '<%= config.bin %> workspace use-local edge --dir ./edge --release' },
    { description: 'A chosen Helmsman tag in a services plan', command: '<%= config.bin %> workspace use-local services --dir ./central --helmsman-tag dev' },
  ];

  static override args = {
    stack: Args.string({ required: true, options: ['edge', 'services'], description: 'Which kind of stack: edge or services.' }),
  };

  static override flags = {
    dir: Flags.string({
      description: "The stack's folder. Default: edge → FRAMEWORKS_EDGE_DIR, then the context's edge.dir; services → FRAMEWORKS_SERVICES_DIR; then the current folder.",
    }),
    release: Flags.boolean({ description: 'Put back the image references use-local replaced.' }),
    'helmsman-tag': Flags.string({ description: 'Use frameworks-helmsman:<tag>. Default: the newest local one.' }),
    'mist-tag': Flags.string({ description: 'Use frameworks-mistserver:<tag>. Default: the newest local one.' }),
    'dry-run': Flags.boolean({ description: 'Show which references would change; write nothing.' }),
  };

  static override mutating = true;

  async run() {
    const { LocalExecutor, writeAllOrNothing, FrameworksError, ExitCode } = await import('@frameworks/sdk');
    const { removePath } = await import('@frameworks/sdk/workspace');
    const u = await import('../../workspace/use-local.js');
    const { HELMSMAN_IMAGE, MIST_IMAGE, localImages } = await import('../../workspace/local-images.js');
    const kind = this.args.stack as 'edge' | 'services';
    const dir = await this.stackDir(kind);
    const ex = new LocalExecutor();
    this.auditTargets = [dir];
    const swapRow = (s: import('../../workspace/use-local.js').Swap) => `${s.file}: ${s.component} ${s.from} → ${s.to}`;

    if (this.flags.release) {
      const record = await u.readRecord(ex, `${dir}/${u.RECORD_FILE}`);
      if (!record?.swaps.length) {
        this.success(`Nothing to release in ${dir}: use-local has not changed it.`);
        return { stack: kind, dir, released: true, dry_run: Boolean(this.flags['dry-run']), changes: [] };
      }
      const byFile = new Map<string, typeof record.swaps>();
      for (const s of record.swaps) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
      const writes = [];
      for (const [file, swaps] of byFile) {
        const text = await ex.readFile(file);
        writes.push({ path: file, content: u.restore(text, swaps), mode: file.endsWith('.env') ? 0o600 : 0o644 });
      }
      const back = record.swaps.map((s) => ({ ...s, from: s.to, to: s.from }));
      if (this.flags['dry-run']) {
        for (const s of back) this.out(`Would restore ${swapRow(s)}`);
        return { stack: kind, dir, released: true, dry_run: true, changes: back };
      }
      await writeAllOrNothing(ex, writes);
      await removePath(`${dir}/${u.RECORD_FILE}`);
      for (const s of back) this.success(`Restored ${swapRow(s)}`);
      this.next(kind === 'edge' ? `frameworks edge update --dir ${dir}` : `frameworks services up --dir ${dir}`);
      return { stack: kind, dir, released: true, dry_run: false, changes: back };
    }

    const images = (await localImages(ex)) ?? [];
    const pick = (repo: string, tag?: string) => (tag ? `${repo}:${tag}` : images.find((i) => i.ref.startsWith(`${repo}:`))?.ref);
    const local = { helmsman: pick(HELMSMAN_IMAGE, this.flags['helmsman-tag']), mistserver: pick(MIST_IMAGE, this.flags['mist-tag']) };
    // A tag that is not in the engine would leave the stack pointing at nothing runnable.
    for (const ref of [this.flags['helmsman-tag'] && local.helmsman, this.flags['mist-tag'] && local.mistserver]) {
      if (ref && !images.some((i) => i.ref === ref)) {
        throw new FrameworksError(`${ref} is not in the Docker engine: nothing was changed.`, {
          code: 'LOCAL_IMAGE_NOT_FOUND',
          exitCode: ExitCode.FAILED,
          suggestions: ['frameworks workspace status', `frameworks workspace build ${ref.startsWith(HELMSMAN_IMAGE) ? 'helmsman' : 'mist'} --image --tag ${ref.split(':')[1]}`],
        });
      }
    }
    if (!local.helmsman && !local.mistserver) {
      throw new FrameworksError('No local image to point at: build one first.', {
        code: 'NO_LOCAL_IMAGES',
        exitCode: ExitCode.FAILED,
        suggestions: ['frameworks workspace build helmsman --image', 'frameworks workspace build mist --image --accept-av-licence'],
      });
    }
    const plan = await u.planUseLocal(ex, kind, dir, local);
    const fresh = plan.swaps.filter((s) => plan.writes.some((w) => w.path === s.file));
    if (!plan.writes.length) {
      throw new FrameworksError(`Nothing in ${dir} names a Helmsman or MistServer image to replace (${kind === 'edge' ? 'docker-compose.edge.yml, .edge.env' : 'svc-*.yml'}).`, {
        code: 'NOTHING_TO_POINT',
        exitCode: ExitCode.FAILED,
        suggestions: [kind === 'edge' ? `ls -a ${dir}` : `frameworks services plan --dir ${dir}`, 'frameworks workspace status'],
      });
    }
    if (this.flags['dry-run']) {
      for (const w of plan.writes.filter((x) => !x.path.endsWith(u.RECORD_FILE))) this.out(`Would rewrite ${w.path}`);
      return { stack: kind, dir, released: false, dry_run: true, changes: fresh };
    }
    await writeAllOrNothing(ex, plan.writes);
    for (const w of plan.writes.filter((x) => !x.path.endsWith(u.RECORD_FILE))) this.success(`Pointed ${w.path} at ${[local.helmsman, local.mistserver].filter(Boolean).join(', ')}`);
    this.next(kind === 'edge' ? `frameworks edge update --dir ${dir}` : `frameworks services up --dir ${dir}`, `frameworks workspace use-local ${kind} --dir ${dir} --release`);
    return { stack: kind, dir, released: false, dry_run: false, changes: fresh };
  }

  private async stackDir(kind: 'edge' | 'services'): Promise<string> {
    const { resolve } = await import('node:path');
    if (this.flags.dir) return resolve(this.flags.dir);
    const env = kind === 'edge' ? process.env.FRAMEWORKS_EDGE_DIR : process.env.FRAMEWORKS_SERVICES_DIR;
    if (env?.trim()) return resolve(env.trim());
    if (kind === 'edge') {
      const ctx = await this.context().catch(() => undefined);
      if (ctx?.config.edge?.dir) return resolve(ctx.config.edge.dir);
    }
    return resolve('.');
  }
}
