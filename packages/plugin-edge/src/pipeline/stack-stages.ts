import { isFrameworksError } from '@frameworks/sdk';
import { EDGE_ENV } from '../lib/edge-env.js';
import type { EdgeStack } from '../lib/stack.js';
import { describeHttps, verifyHttps, type HttpsReport } from './https-verify.js';
import type { Stage } from './stages.js';

/**
 * Stages that `edge enroll` and `edge update` share: bring the containers up, wait until they are
 * healthy, verify HTTPS. `where` is "--dir … --ssh …" for the hint commands.
 */
export function stackHints(where: string): { status: string; logs: (svc?: string) => string } {
  const w = where ? ` ${where}` : '';
  return { status: `frameworks edge status${w}`, logs: (svc?: string) => `frameworks edge logs${svc ? ` ${svc}` : ''}${w}` };
}

export function upStage(stack: EdgeStack, where: string, title: string): Stage {
  const { status, logs } = stackHints(where);
  return {
    name: 'up',
    title,
    hints: [status, logs()],
    run: async (run) => {
      const lines: string[] = [];
      // Compose's own progress is a dozen lines per container: collected for the summary, not shown.
      run.progress('docker compose up -d --remove-orphans');
      const containers = await stack.project.up({ removeOrphans: true, timeoutMs: run.remainingMs(), onOutput: (line) => void lines.push(line) });
      const summary = summarizeUp(lines);
      const services = [...new Set(containers.filter((c) => !c.oneoff).map((c) => c.service))];
      return { detail: `${services.join(', ')}${summary ? ` (${summary})` : ''}` };
    },
  };
}

export function healthyStage(stack: EdgeStack, where: string): Stage {
  const { status, logs } = stackHints(where);
  const hints = [status, logs()];
  return {
    name: 'healthy',
    title: 'Containers running and healthy',
    hints,
    interruptible: true,
    run: async (run) => {
      const containers = await stack.project.waitReady({
        timeoutMs: run.remainingMs(),
        signal: run.signal,
        intervalMs: 1000,
        onProgress: (s) => {
          const pending = Object.entries(s.pending);
          if (pending.length) run.progress(`waiting for ${pending.map(([svc, why]) => `${svc} (${why})`).join(', ')}`);
          // A timeout points at the logs of what it was still waiting for.
          const stuck = [...Object.keys(s.failed), ...Object.keys(s.pending)];
          if (stuck.length) hints.splice(0, hints.length, ...stuck.map((svc) => logs(svc)), status);
        },
      });
      const services = [...new Set(containers.map((c) => c.service))];
      return { detail: `${services.join(', ')} ${services.length === 1 ? 'is' : 'are'} running and healthy` };
    },
  };
}

/** `record` receives the last HTTPS attempt, also of a failed one (it belongs in the result). */
export function httpsStage(stack: EdgeStack, where: string, record: (r: HttpsReport) => void): Stage {
  const { status, logs } = stackHints(where);
  return {
    name: 'https',
    title: 'HTTPS certificate verifies',
    hints: [logs('caddy'), status],
    interruptible: true,
    run: async (run) => {
      if (!stack.domain) return { status: 'skipped', detail: `no EDGE_DOMAIN in ${EDGE_ENV}` };
      const r = await verifyHttps(stack, run).catch((err: unknown) => {
        if (isFrameworksError(err) && err.result) record(err.result as HttpsReport);
        throw err;
      });
      record(r);
      return { detail: describeHttps(r) };
    },
  };
}

/** "2 started, 1 recreated" from `compose up` progress (v2: "Container x  Started"; v1: "Creating x ... done"). */
export function summarizeUp(lines: string[]): string {
  const last = new Map<string, string>();
  for (const line of lines) {
    const v2 = /Container\s+(\S+)\s+(Created|Recreated|Recreate|Starting|Started|Running|Healthy|Stopped|Removed)\b/.exec(line);
    if (v2) {
      // "Recreate", "Recreated", "Starting", "Started": it was recreated.
      const prev = last.get(v2[1]);
      last.set(v2[1], prev === 'recreated' || prev === 'recreate' ? 'recreated' : v2[2].toLowerCase());
      continue;
    }
    const v1 = /^(Creating|Recreating|Starting)\s+(\S+)\s+\.\.\.\s+done/.exec(line.trim());
    if (v1) {
      last.set(v1[2], v1[1] === 'Recreating' ? 'recreated' : v1[1] === 'Creating' ? 'created' : 'started');
      continue;
    }
    const up = /^(\S+) is up-to-date/.exec(line.trim());
    if (up) last.set(up[1], 'running');
  }
  const counts = new Map<string, number>();
  for (const v of last.values()) {
    const key = v === 'created' || v === 'starting' ? 'started' : v === 'recreate' ? 'recreated' : v === 'healthy' ? 'running' : v;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return ['started', 'recreated', 'running']
    .filter((k) => counts.get(k))
    .map((k) => `${counts.get(k)} ${k === 'running' ? 'already running' : k}`)
    .join(', ');
}
