import { ExitCode, FrameworksError } from '@frameworks/sdk';
import type { HostContext } from '@frameworks/sdk';
import { composePrefix, edgeHint } from '../lib/edge-hint.js';
import { openStack } from '../lib/stack.js';
import { checkService } from './options.js';

export interface LogsRequest {
  service?: string;
  follow: boolean;
  tail: number | 'all';
  since?: string;
  until?: string;
  grep?: RegExp;
  /** Ask docker for timestamps (always for --json, which reports `time`). */
  timestamps: boolean;
  signal?: AbortSignal;
}

/** One log line as `edge logs` hands it on: the --json element, and what the human form prints. */
export interface EdgeLogLine {
  service: string;
  time?: string;
  line: string;
}

export interface LogsSummary {
  host: string;
  dir: string;
  /** The services read (the one asked for, or all of the stack). */
  services: string[];
  /** Lines delivered (after --grep). */
  count: number;
  aborted: boolean;
}

/** `service | text`, the service padded like compose does, with the docker timestamp when asked for. */
export function formatLogLine(l: EdgeLogLine, width: number, o: { host?: string; timestamps?: boolean } = {}): string {
  return `${o.host ? `${o.host} ` : ''}${l.service.padEnd(width)} | ${o.timestamps && l.time ? `${l.time} ` : ''}${l.line}`;
}

/**
 * Stream the stack's logs through `compose logs` (v1 or v2; with v1 and --since/--until, per
 * container with `docker logs`), handing each line to `emit` as soon as it arrives: nothing is
 * buffered beyond the current line, so --follow shows lines live. --grep filters here.
 */
export async function streamLogs(h: HostContext, req: LogsRequest, emit: (l: EdgeLogLine, width: number) => void): Promise<LogsSummary> {
  // Over SSH: the stack's files, its services and containers in a few round trips.
  const { gatherStatusFacts } = await import('../status/gather.js');
  const stack = await openStack({ ...h, executor: gatherStatusFacts(h.executor, { remote: h.remote, dir: h.dir, dns: false, services: true, listOnly: true }) });
  const known = await stack.project.services();
  checkService(req.service, known, (s) => edgeHint(h, `logs ${s}`));
  const services = req.service ? [req.service] : known;
  // One docker ps -a: names and services are all logs need (no inspect).
  const containers = (await stack.project.list({ services })).filter((c) => !c.oneoff);
  if (containers.length === 0) {
    const { argv } = await stack.project.compose();
    throw new FrameworksError(`${req.service ? `Service "${req.service}" has` : 'The stack has'} no container${h.remote ? ` on ${h.host}` : ''}: it was never started, or was removed.`, {
      code: 'NO_CONTAINERS',
      exitCode: ExitCode.FAILED,
      suggestions: [`${composePrefix(stack, argv)} up -d`, edgeHint(h, 'status')],
    });
  }
  const width = Math.max(...services.map((s) => s.length));
  let count = 0;
  const res = await stack.project.logs({
    services,
    containers,
    follow: req.follow,
    tail: req.tail,
    ...(req.since ? { since: req.since } : {}),
    ...(req.until ? { until: req.until } : {}),
    timestamps: req.timestamps,
    ...(req.signal ? { signal: req.signal } : {}),
    onLine: (l) => {
      if (req.grep && !req.grep.test(l.text)) return;
      count++;
      emit({ service: l.service, ...(l.timestamp ? { time: l.timestamp } : {}), line: l.text }, width);
    },
  });
  return { host: h.host, dir: h.dir, services, count, aborted: res.aborted };
}
