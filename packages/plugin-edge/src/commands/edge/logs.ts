import { Args, Flags } from '@oclif/core';
import { ExitCode, usageError } from '@frameworks/sdk';
import { EdgeCommand } from '../../lib/edge-command.js';
import type { EdgeLogLine } from '../../logs/run.js';

export default class EdgeLogs extends EdgeCommand<typeof EdgeLogs> {
  static override summary = 'Show the edge stack logs; --follow streams lines as they arrive.';
  static override description = `Show the edge stack logs (caddy, mistserver, helmsman); --follow streams lines as they arrive.

Reads \`docker compose logs\` of the stack (Compose v2 or v1; with v1 and --since/--until, \`docker logs\` per container). Each line is printed as soon as it arrives, prefixed with its service like compose does ("helmsman | …"), on stdout.

--tail N: lines per container from the end; default 200, or everything when --since/--until is given. --tail 0 shows no history (with --follow: only new lines) and --tail all everything. (The Go CLI treated 0 as "all"; this follows docker.)
--since/--until: RFC 3339 (2024-05-01T10:00:00Z, or a date), a Unix timestamp, or a duration back from now (10m, 1h30m, 2d).
--grep: a regular expression tested against each line's text (client-side; -i for case-insensitive).
--follow: keeps streaming until Ctrl-C (exit 130; every line already received is printed whole first) or until the containers stop.

--json prints one document with every line ({service, time, line}); it cannot be combined with --follow, which never ends (exit 2): use --since/--until windows instead, or the human form in a pipe.
An unknown service exits 2 with the stack's services.`;
  static override examples = [
    { description: 'Show the last 50 lines of Helmsman', command: '<%= config.bin %> edge logs helmsman --tail 50' },
    { description: 'Stream new lines of every service until Ctrl-C', command: '<%= config.bin %> edge logs --follow --tail 0' },
    {
      description: 'Find certificate and ACME lines of Caddy in the last hour',
      command: '<%= config.bin %> edge logs caddy --since 1h --grep "acme|certificate" -i',
    },
    {
      description: 'Export one hour of Helmsman lines as JSON',
      command: '<%= config.bin %> edge logs helmsman --since 2024-05-01T10:00:00Z --until 2024-05-01T11:00:00Z --json',
    },
  ];
  static completionValues = { service: ['caddy', 'mistserver', 'helmsman'] };
  static override args = {
    service: Args.string({ description: 'One service: caddy, mistserver or helmsman (default: all).' }),
  };
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'Keep streaming new lines until Ctrl-C.' }),
    tail: Flags.string({ char: 'n', description: 'Lines per container from the end: a number, 0 (none) or all. Default 200 (all with --since/--until).' }),
    since: Flags.string({ description: 'Only lines since: RFC 3339, a Unix timestamp, or a duration ago (10m, 2h, 1d).' }),
    until: Flags.string({ description: 'Only lines before: RFC 3339, a Unix timestamp, or a duration ago.' }),
    grep: Flags.string({ description: 'Only lines whose text matches this regular expression.' }),
    'ignore-case': Flags.boolean({ char: 'i', description: '--grep ignores case.' }),
    timestamps: Flags.boolean({ char: 't', description: "Show docker's timestamp of each line." }),
  };

  async run() {
    const { parseGrep, parseTail, parseWindow } = await import('../../logs/options.js');
    if (this.flags.follow && this.jsonEnabled()) {
      const svc = this.args.service ? ` ${this.args.service}` : '';
      throw usageError(
        '--json cannot be combined with --follow: --json prints one document, and a follow never ends.',
        [`frameworks edge logs${svc} --follow   # lines as they arrive`, `frameworks edge logs${svc} --since 10m --json   # one document`],
        'JSON_WITH_FOLLOW',
      );
    }
    if (this.flags['ignore-case'] && this.flags.grep === undefined) throw usageError('--ignore-case applies to --grep, which was not given.', ['e.g. --grep "error" --ignore-case'], 'IGNORE_CASE_WITHOUT_GREP');
    const window = parseWindow(this.flags.since, this.flags.until);
    const tail = parseTail(this.flags.tail, Boolean(window.since || window.until));
    const grep = parseGrep(this.flags.grep, this.flags['ignore-case']);
    const json = this.jsonEnabled();
    const fleet = this.sshTargets().length > 1;
    const controller = new AbortController();
    // A follow never finishes: every host must stream at once, whatever --parallel says.
    if (this.flags.follow) this.flags.parallel = Math.max(this.flags.parallel, this.sshTargets().length);

    const { formatLogLine, streamLogs } = await import('../../logs/run.js');
    const collected = new Map<string, Array<EdgeLogLine & { host?: string }>>();
    const work = this.onHosts(async (h) => {
      const mine: Array<EdgeLogLine & { host?: string }> = [];
      collected.set(h.host, mine);
      const summary = await streamLogs(
        h,
        {
          ...(this.args.service ? { service: this.args.service } : {}),
          follow: this.flags.follow,
          tail,
          ...(window.since ? { since: window.since.value } : {}),
          ...(window.until ? { until: window.until.value } : {}),
          ...(grep ? { grep } : {}),
          timestamps: json || this.flags.timestamps,
          signal: controller.signal,
        },
        (l, width) => {
          if (json) mine.push(l);
          // One write per whole line: a line is never split, and stdout writes to a pipe or file are synchronous on Linux.
          else this.out(formatLogLine(l, width, { ...(fleet ? { host: h.host } : {}), timestamps: this.flags.timestamps }));
        },
      );
      return { ...summary, lines: mine };
    });
    const outcomes = this.flags.follow ? await this.untilInterrupted(controller, work) : await work;

    if (outcomes.length === 1) {
      const [o] = outcomes;
      if (!o.ok) throw o.error!;
      if (!json && o.value!.count === 0 && !this.flags.follow) this.info(grep ? `No line matches --grep ${this.flags.grep}.` : 'No log lines.');
      const { host, dir, services, count, lines } = o.value!;
      return { host, dir, services, count, lines };
    }
    return this.settle(outcomes, 'Reading logs');
  }

  /**
   * Ctrl-C during --follow: stop the stream (the compose/SSH process is killed), let the lines
   * already in the pipe through, then hand over to the global handler of bin/run.js, which exits 130.
   * A second Ctrl-C, or a stream that does not stop within 2 s, exits at once.
   */
  private async untilInterrupted<T>(controller: AbortController, work: Promise<T>): Promise<T> {
    const global = process.listeners('SIGINT');
    process.removeAllListeners('SIGINT');
    let interrupted = false;
    let handed = false;
    const handOver = () => {
      if (handed) return;
      handed = true;
      process.removeListener('SIGINT', onInt);
      for (const l of global) process.once('SIGINT', l);
      if (!interrupted) return;
      // bin/run.js's handler prints "Interrupted" and exits 130; without one (an embedding), exit 130 plainly.
      if (!global.length) process.exit(ExitCode.INTERRUPTED);
      for (const l of global) (l as (s: NodeJS.Signals) => void).call(process, 'SIGINT');
    };
    const onInt = () => {
      if (interrupted) return handOver();
      interrupted = true;
      controller.abort();
      setTimeout(handOver, 2_000).unref();
    };
    process.on('SIGINT', onInt);
    let result: T;
    try {
      result = await work;
    } catch (err) {
      if (!interrupted) {
        handOver();
        throw err;
      }
      // Interrupted: whatever the stream died of, the answer is exit 130.
      result = undefined as T;
    }
    // The killed process's last chunks are still being read: give them a moment to be printed.
    if (interrupted) await new Promise((r) => setTimeout(r, 150));
    handOver();
    return result;
  }
}
