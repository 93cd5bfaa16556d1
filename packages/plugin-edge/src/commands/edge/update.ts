import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { allowUnpinnedFlag, lockFlags, marks, releaseLoadOptions, releaseNotices, releaseSelectFlags, verifyFlags, verifyImagesFirst, viaFlags } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError, isFrameworksError, parseDuration, quoteArg, usageError, type HostOutcome } from '@frameworks/sdk';
import type { DrainReport } from '../../drain/drain.js';
import { shortId } from '../../lib/images.js';
import { EdgeCommand, type HostContext } from '../../lib/edge-command.js';
import type { DryRunRow } from '../../update/plan.js';
import type { AppliedRepin, RepinResult } from '../../update/repin.js';
import type { UpdateResult } from '../../update/run.js';

type DryRunResult = { host: string; dir: string; project: string; dry_run: true; services: DryRunRow[]; repin?: RepinResult };

export default class EdgeUpdate extends EdgeCommand<typeof EdgeUpdate> {
  static override summary = 'Pull newer images and restart the edge stack, verified; roll back on failure.';
  static override description = `Pull newer images and restart the edge stack, verified; optionally roll back when it fails.

Stages, each with its time:

  record   the image id and digest every service runs now (what a rollback restores)
  pull     docker compose pull
  up       docker compose up -d --remove-orphans (retires services that left the compose file)
  healthy  every container running and healthy
  https    https://EDGE_DOMAIN answers with a certificate that verifies and GET /health is 200

The result lists, per service, the image id and digest before and after. When a stage fails (a pull error, a container that does not become healthy within --timeout, HTTPS that does not verify):
- with --rollback-on-failure: each service's image reference is pointed back at the image it ran (docker tag <recorded id> <ref>; pulled by digest when the engine lost it), the stack is brought up again and must be healthy; the command says so and exits 1 (UPDATE_ROLLED_BACK). The rollback gets its own --timeout.
- without: exit 1 (UPDATE_FAILED) with the exact commands that roll back.

--dry-run pulls nothing: it shows per service the running digest and the registry's (docker manifest inspect on the host, when the registry answers).

--image SERVICE=REF (repeatable) and a release (--channel C or --version V of the release source, --release-source, --release-manifest FILE; digests required unless --allow-unpinned) pin new images first: the compose file's image lines and the *_IMAGE, EDGE_CHANNEL and EDGE_RELEASE keys of .edge.env (and .edge.env.example) are rewritten together, all or nothing, as edge init writes them; then the update pulls and runs them. When the update changes nothing (a pull that fails) or is rolled back, the previous pins are written back. With --dry-run the change is shown (a diff) and nothing is written; the registry rows then describe the newly pinned images (a tag the registry lacks: exit 1, UPDATE_IMAGE_NOT_FOUND).

--drain: before the update, Foghorn (the context's foghorn-http URL) sets the node to draining and the command waits until it has no viewers (drain-status polled, progress on stderr, at most --idle-timeout); after the update — also when it fails or the wait times out — the node is set back to the mode it had (normal). The node id is Helmsman's (GET /node/mode in its container) unless --node-id names it. The result's "drain" says what happened; a node that cannot be set back is an error (exit 1) with the undrain command.

Ctrl-C (or SIGTERM): no new stage starts; the one in flight finishes (the health and HTTPS waits stop at once, others get at most 15 s); then, as for a failure, --rollback-on-failure rolls back, and without it the result lists what changed and "restore_command" restores it. Exit 130 (INTERRUPTED). A second Ctrl-C aborts at once.

Lock: the stack's .frameworks.lock is held from the first stage to the last (--drain included); a second update refuses (LOCKED) or waits --lock-wait.`;

  static override examples = [
    { description: 'Show which images would be pulled; change nothing', command: '<%= config.bin %> edge update --dry-run' },
    { description: 'Update, and restore the previous images if it fails', command: '<%= config.bin %> edge update --rollback-on-failure' },
    {
      description: 'Run a new MistServer build (the pin is recorded in the stack\'s files)',
      command: '<%= config.bin %> edge update --image mistserver=registry.example.com/mistserver:3.4 --rollback-on-failure',
    },
    {
      description: 'Drain first, wait up to 30 minutes for viewers to leave, undrain after',
      command: '<%= config.bin %> edge update --drain --idle-timeout 30m',
    },
    {
      description: 'Update a fleet two hosts at a time, as JSON',
      command: '<%= config.bin %> edge update --ssh ops@edge-1,ops@edge-2,ops@edge-3 --parallel 2 --rollback-on-failure --json',
    },
  ];

  static override flags = {
    'rollback-on-failure': Flags.boolean({ description: 'When the update fails, restore the images that ran before and wait until the stack is healthy again.' }),
    'dry-run': Flags.boolean({ description: 'Show what would be pulled (running vs registry digests); change nothing.' }),
    timeout: Flags.string({ default: '5m', description: 'Time for the update (pull, up, healthy, HTTPS share it); a rollback gets as much again.' }),
    drain: Flags.boolean({ description: 'Drain the node in Foghorn and wait until idle before updating; set it back afterwards, also on failure.' }),
    'node-id': Flags.string({ dependsOn: ['drain'], description: "With --drain: the node's id in Foghorn (default: what Helmsman reports at /node/mode)." }),
    'idle-timeout': Flags.string({ default: '10m', description: 'With --drain: how long to wait for the viewers to leave (then exit 1, nothing updated, node set back).' }),
    'poll-interval': Flags.string({ default: '5s', hidden: true, description: 'With --drain: time between drain-status polls.' }),
    image: Flags.string({ multiple: true, description: "Pin a new image for one service first: SERVICE=IMAGE:TAG or SERVICE=IMAGE@DIGEST (caddy, mistserver, helmsman); recorded in the stack's files. Repeatable." }),
    ...releaseSelectFlags,
    ...allowUnpinnedFlag,
    'release-manifest': Flags.string({ helpGroup: 'RELEASE', description: "Pin the images of one release manifest file (YAML or JSON) first; recorded in the stack's files." }),
    ...lockFlags,
    ...viaFlags,
    ...verifyFlags,
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const f = this.flags;
    const timeoutMs = parseDuration(f.timeout, '--timeout');
    const { prepareRepin, applyRepin, describeRepin, withRepin } = await import('../../update/repin.js');
    const pickRelease = f.channel !== undefined || f.version !== undefined || f['release-source'] !== undefined || f['release-manifest'] !== undefined;
    const releaseOpts = pickRelease ? { ...releaseLoadOptions(f, (await this.context()).config, this.config.version), ...(f['release-manifest'] ? { manifestFile: f['release-manifest'] } : {}) } : undefined;
    const repin = await prepareRepin({ images: f.image, ...(releaseOpts ? { release: releaseOpts } : {}), allowUnpinned: f['allow-unpinned'] });
    for (const w of [...(repin?.loaded ? releaseNotices(repin.loaded) : []), ...(repin?.release?.warning ? [repin.release.warning] : [])]) this.warning(w.message, w.code);
    const [{ openStack }, { runUpdate }, { planUpdate, assertPullable }, { driveSilently, driveWithLines, driveWithListr, driveWithProgress }] = await Promise.all([
      import('../../lib/stack.js'),
      import('../../update/run.js'),
      import('../../update/plan.js'),
      import('../../pipeline/drive.js'),
    ]);
    const several = this.sshTargets().length > 1;
    const json = this.jsonEnabled();
    if (several && f['node-id']) throw usageError('--node-id names one node; with several --ssh hosts each host\'s Helmsman reports its own.', ['Drop --node-id'], 'NODE_ID_AMBIGUOUS');
    const drainOpts = f.drain
      ? { idleTimeoutMs: parseDuration(f['idle-timeout'], '--idle-timeout'), intervalMs: parseDuration(f['poll-interval'], '--poll-interval'), ctx: await this.context() }
      : undefined;

    // --image / --channel: the new pin goes into the stack's files (all or nothing) before the update uses it.
    const pin = async (h: HostContext, dir: string): Promise<AppliedRepin | undefined> => {
      if (!repin) return undefined;
      const pinned = await applyRepin(h.executor, dir, repin, { dryRun: f['dry-run'] });
      if (!json) for (const line of describeRepin(pinned.result, Boolean(f['dry-run']))) this.info(`${several || h.remote ? `[${h.host}] ` : ''}${line}`);
      return pinned;
    };
    const update = async (h: HostContext, stack: Awaited<ReturnType<typeof openStack>>, prefix: string, pinned?: AppliedRepin): Promise<UpdateResult> => {
      // Under --json, progress still goes to stderr when it is a terminal (a spinner; nothing otherwise).
      const spinner = json && !several ? this.progress() : undefined;
      const drive = json
        ? spinner?.enabled
          ? (p: Parameters<typeof driveSilently>[0]) => driveWithProgress(p, h.host, spinner)
          : driveSilently
        : several
          ? (p: Parameters<typeof driveSilently>[0]) => driveWithLines(p, h.host, (line) => this.info(line))
          : (p: Parameters<typeof driveSilently>[0]) => driveWithListr(p, { json, verbose: Boolean(f.verbose), interactive: this.interactive });
      const o = {
        timeoutMs,
        rollbackOnFailure: Boolean(f['rollback-on-failure']),
        where: this.where(h),
        beforeRollback: pinned?.restore,
        interrupt: this.interrupted,
        onUndo: () => this.undoing(),
      };
      return withRepin(pinned, () => runUpdate(stack, o, drive, (text) => this.info(`${prefix}↺ ${text}`)));
    };
    const { deployImages } = await import('../../lib/deploy-images.js');
    const ctx = await this.context().catch(() => undefined);
    const outcomes = await this.onHosts(async (h: HostContext): Promise<UpdateResult | DryRunResult> => {
      const stack = await openStack(h.remote ? h : { ...h, dir: resolve(h.dir) });
      // Signatures of what will run, before any pin is written or image pulled (a failure changes nothing).
      const io = { info: (l: string) => this.info(l), contextConfig: ctx?.config, contextName: ctx?.name, prefix: several || h.remote ? `[${h.host}] ` : '' };
      await verifyImagesFirst(f, deployImages(stack, repin), io);
      if (f['dry-run']) {
        const pinned = await pin(h, stack.host.dir);
        const running = await stack.project.imageDigests();
        const services = await planUpdate(stack.project, running, pinned?.result.images);
        const dry = { host: h.host, dir: stack.host.dir, project: stack.project.name, dry_run: true as const, services, ...(pinned ? { repin: pinned.result } : {}) };
        return assertPullable(dry);
      }
      const prefix = several || h.remote ? `[${h.host}] ` : '';
      // The new pins are written under the lock, like everything else this update changes.
      return this.withLock(stack.host, async () => {
        const pinned = await pin(h, stack.host.dir);
        if (drainOpts) {
          const [{ drainAround, foghornFor }, nodeId] = await Promise.all([import('../../drain/drain.js'), this.drainNode(stack)]);
          const { client } = await foghornFor(drainOpts.ctx, () => this.credential('jwt-or-service'), await this.dialer());
          const around = { ...drainOpts, undrainHint: `frameworks edge undrain ${nodeId}`, progress: (t: string) => this.info(`${prefix}⏸ ${t}`), signal: this.interrupted };
          return drainAround(client, nodeId, around, () => update(h, stack, prefix, pinned));
        }
        return update(h, stack, prefix, pinned);
      });
    });
    this.summarize(outcomes, several);
    const rows = this.settle(outcomes, 'edge update');
    if (!f['dry-run']) this.next(`frameworks edge status${this.whereOf(outcomes.length === 1 ? outcomes[0].host : undefined)}`);
    else this.next(`frameworks edge update${this.whereOf(outcomes.length === 1 ? outcomes[0].host : undefined)}`);
    if (rows.length === 1) return rows[0].result!;
    return { hosts: rows };
  }

  /** --node-id, else the id Helmsman reports (its canonical id once enrolled). */
  private async drainNode(stack: Parameters<typeof import('../../status/node.js').nodeIdentity>[0]): Promise<string> {
    if (this.flags['node-id']) return this.flags['node-id'];
    const { nodeIdentity } = await import('../../status/node.js');
    const id = await nodeIdentity(stack);
    if (id.node_id) return id.node_id;
    throw new FrameworksError(`--drain: Helmsman did not say which node this is (${id.error ?? 'no node_id at /node/mode'}). Nothing was changed.`, {
      code: 'NODE_ID_UNKNOWN', exitCode: ExitCode.FAILED, suggestions: ['Name the node: --drain --node-id <edge-…>', 'frameworks edge status'],
    });
  }

  private where(h: HostContext): string {
    return [...(this.flags.dir ? [`--dir ${quoteArg(this.flags.dir)}`] : []), ...(h.remote ? [`--ssh ${quoteArg(h.host)}`] : [])].join(' ');
  }

  private whereOf(host: string | undefined): string {
    const w = [...(this.flags.dir ? [`--dir ${quoteArg(this.flags.dir)}`] : []), ...(host && host !== 'local' ? [`--ssh ${quoteArg(host)}`] : [])].join(' ');
    return w ? ` ${w}` : '';
  }

  /** stdout: per service, what ran before and what runs now (or, --dry-run, what would be pulled). */
  private summarize(outcomes: HostOutcome<UpdateResult | DryRunResult>[], several: boolean): void {
    if (this.jsonEnabled()) return;
    for (const o of outcomes) {
      const head = several ? `${o.ok ? marks.ok() : marks.fail()} ${o.host}` : undefined;
      // A failed update still reports its services (before/after) in the error's result.
      const value = (o.value ?? (isFrameworksError(o.error) ? o.error.result : undefined)) as UpdateResult | DryRunResult | undefined;
      if (head) this.out(head);
      if (!value || !Array.isArray((value as { services?: unknown }).services)) {
        if (several) this.out(`  ${o.error?.message.split('\n')[0] ?? 'failed'}`);
        continue;
      }
      if ('dry_run' in value) {
        const width = Math.max(...value.services.map((s) => s.service.length));
        for (const s of value.services) {
          this.out(`  ${s.service.padEnd(width)}  ${s.image}  running ${shortId(s.running?.digest ?? s.running?.image_id)}  registry ${shortId(s.available_digest)}  → ${s.verdict}${s.note ? ` (${s.note})` : ''}`);
        }
        this.info(`${several ? `[${o.host}] ` : ''}Dry run: nothing was pulled or restarted.`);
        continue;
      }
      const width = Math.max(...value.services.map((s) => s.service.length));
      if (!several && o.ok) this.success(`Edge stack updated${value.services.some((s) => s.changed) ? '' : ' (no image changed)'}`);
      else if (!o.ok) this.out(value.rolled_back ? '↺ Rolled back: every service runs its recorded image again' : `${marks.fail()} Not updated; the services run:`);
      for (const s of value.services) {
        const before = shortId(s.before?.digest ?? s.before?.image_id);
        const after = shortId(s.after?.digest ?? s.after?.image_id);
        this.out(`  ${s.service.padEnd(width)}  ${s.image}  ${s.changed ? `${before} → ${after}` : `${after} (unchanged)`}`);
      }
      const drain = (value as { drain?: DrainReport }).drain;
      if (drain) this.out(`  drain  ${drain.node_id}: ${drain.idle_after_ms === null ? 'not idle' : `idle after ${(drain.idle_after_ms / 1000).toFixed(1)}s`}, ${drain.restored ? `back to ${drain.mode_after}` : `NOT set back (${drain.undrain_error})`}`);
      if (o.ok && value.https) this.out(`  https  ${value.https.url} verified${value.https.health?.version ? `, /health ${value.https.health.status} ${value.https.health.service ?? ''} ${value.https.health.version}` : ''}`);
    }
  }
}
