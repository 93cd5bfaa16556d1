import { Flags } from '@oclif/core';
import { allowUnpinnedFlag, interruptedError, lockFlags, releaseLoadOptions, releaseNotices, releaseSelectFlags, renderTable, verifyFlags, verifyImagesFirst } from '@frameworks/cli-kit';
import { quoteArg } from '@frameworks/sdk';
import type { ServiceRow } from '../../lib/status-rows.js';
import { ServicesCommand, runFlags, type HostContext } from '../../lib/services-command.js';

export default class ServicesUp extends ServicesCommand<typeof ServicesUp> {
  static override summary = 'Start the planned central services and wait until they are healthy.';
  static override description = `Start the planned central services (docker compose up -d over the fragments) and wait until they are healthy.

One Compose project (name from plan.yaml) over every selected fragment: docker compose -p <project> -f svc-a.yml -f svc-b.yml … --env-file .central.env up -d, then waits until every container runs and passes its healthcheck (--no-wait skips that).

With --channel, --version or --release-source the fragments must pin exactly that release's images (image@digest, as services plan with the same flags writes them): otherwise nothing starts (RELEASE_PLAN_MISMATCH); a release entry without a digest needs --allow-unpinned.

Services: --only, else plan.yaml's list, else every svc-*.yml in --dir. A fragment edited by hand since the plan (its sha256 differs from plan.yaml) is used as it is, with a warning (FRAGMENT_EDITED): the files on disk are what runs.

Ctrl-C: the docker compose up -d in flight finishes, the wait for health stops at once; exit 130 (INTERRUPTED) with the services this run started and the command that stops just those (services down --only … --yes). up writes no file. The plan folder's lock (.frameworks.lock) is held while it runs.`;

  static override examples = [
    { description: 'Start the services planned in ./central and wait until healthy', command: '<%= config.bin %> services up --dir ./central' },
    { description: 'Start only Quartermaster and Commodore', command: '<%= config.bin %> services up --only quartermaster,commodore' },
    { description: 'Start the services of a remote host over SSH', command: '<%= config.bin %> services up --ssh ops@central-1 --dir /opt/frameworks-central' },
  ];

  static override flags = {
    ...runFlags,
    ...lockFlags,
    ...verifyFlags,
    wait: Flags.boolean({ default: true, allowNo: true, description: 'Wait until every service runs and is healthy (--no-wait: return after up -d).' }),
    timeout: Flags.string({ default: '180', description: 'Time to wait for health: a number of seconds or a duration (90s, 5m).' }),
    pull: Flags.string({ options: ['always', 'missing', 'never'], default: 'missing', description: 'Pull images first: always, missing (default) or never (Compose v2).' }),
    ...releaseSelectFlags,
    ...allowUnpinnedFlag,
  };

  static override mutating = true;
  static override graceful = true;

  async run() {
    const { resolveServiceList, openProject } = await import('../../lib/stack.js');
    const { statusRows } = await import('../../lib/status-rows.js');
    const { parseDuration } = await import('@frameworks/sdk');
    const timeoutMs = parseDuration(this.flags.timeout, '--timeout');
    // A release named on the command line: the plan must run exactly its images (checked per host before anything starts).
    const f = this.flags;
    const named = f.channel !== undefined || f.version !== undefined || f['release-source'] !== undefined;
    const release = named ? await (await import('@frameworks/sdk')).loadRelease(releaseLoadOptions(f, (await this.context()).config, this.config.version)) : undefined;
    if (release) for (const w of releaseNotices(release)) this.warning(w.message, w.code);
    const outcomes = await this.onHosts((h: HostContext) =>
      this.withLock(h, async () => {
        const list = await resolveServiceList(h.executor, h.dir, this.flags.only, this.flags.project);
        if (list.edited.length) this.warning(`${this.prefix(h)}Edited by hand since the plan: ${list.edited.join(', ')} (running them as they are; services plan --force would replace them).`, 'FRAGMENT_EDITED');
        if (release) {
          const { checkPlanMatchesRelease } = await import('../../lib/release-pin.js');
          const pin = await checkPlanMatchesRelease(h.executor, h.dir, list.services, release, Boolean(f['allow-unpinned']));
          if (pin.warning) this.warning(`${this.prefix(h)}${pin.warning.message}`, pin.warning.code);
        }
        const project = await openProject(h.executor, h.dir, list);
        // Signatures of the images the fragments name, before compose pulls or starts anything.
        const ctx = await this.context().catch(() => undefined);
        const images = async () => Object.fromEntries(Object.entries((await project.config()).services).map(([s, c]) => [s, c.image]));
        await verifyImagesFirst(this.flags, images, { info: (l) => this.info(l), contextConfig: ctx?.config, contextName: ctx?.name, prefix: this.prefix(h) });
        // What ran before: an interrupted up says what it started and how to go back.
        const before = await project.ps().catch(() => []);
        this.info(`${this.prefix(h)}Starting ${list.services.join(', ')} (project ${list.project})…`);
        let containers = await project.up({ pull: this.flags.pull as 'always' | 'missing' | 'never' });
        // The wait only watches: an interrupt stops it at once (no new step after `up -d`).
        if (this.flags.wait && !this.interrupted.aborted) {
          containers = await project
            .waitReady({ timeoutMs, services: list.services, signal: this.interrupted })
            .catch((err: unknown) => (this.interrupted.aborted ? project.ps() : Promise.reject(err)));
        }
        const rows = statusRows(list.services, containers);
        if (this.interrupted.aborted) throw this.interruptedUp(h, list.services, before, rows);
        if (!this.jsonEnabled()) {
          this.out(renderTable(rows, [
            { header: 'service', get: (r) => `${this.prefix(h)}${r.service}` },
            { header: 'state', get: (r) => r.state },
            { header: 'health', get: (r) => r.health },
            { header: 'ports', get: (r) => r.ports.join(', ') },
          ]));
        }
        return { dir: h.dir, project: list.project, source: list.source, services: rows, edited: list.edited };
      }),
    );
    const rows = this.settle(outcomes, 'services up');
    this.next(`frameworks services status${this.flags.dir ? ` --dir ${this.flags.dir}` : ''}`);
    return rows.length === 1 ? { host: rows[0].host, ...rows[0].result! } : { hosts: rows };
  }

  /** Exit 130 with what `up -d` changed (services it started) and the command that stops just those. */
  private interruptedUp(h: HostContext, services: string[], before: Array<{ service: string; state: string }>, rows: ServiceRow[]) {
    const wasRunning = (s: string) => before.some((c) => c.service === s && c.state === 'running');
    const started = services.filter((s) => !wasRunning(s) && rows.some((r) => r.service === s && r.state !== 'missing'));
    const where = [...(this.flags.dir ? [` --dir ${quoteArg(this.flags.dir)}`] : []), ...(h.remote ? [` --ssh ${quoteArg(h.host)}`] : [])].join('');
    const restore = started.length ? `frameworks services down --only ${started.join(',')} --yes${where}` : null;
    const pending = rows.filter((r) => !r.ok).map((r) => r.service);
    return interruptedError(
      `Interrupted. services up had run docker compose up -d: ${started.length ? `started ${started.join(', ')}` : 'nothing was started that was not running before'}` +
        `${pending.length ? `; not healthy yet: ${pending.join(', ')}` : ''}.${restore ? ` To go back: ${restore}` : ''}`,
      {
        result: { dir: h.dir, services: rows, started, restore_command: restore },
        suggestions: [...(restore ? [restore] : []), `frameworks services status${where}`],
      },
    );
  }
}
