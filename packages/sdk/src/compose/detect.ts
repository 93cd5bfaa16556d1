import { ExitCode, FrameworksError } from '../errors.js';
import type { Executor } from '../exec/types.js';
import { stderrTail } from './errors.js';
import type { ComposeInfo, ComposeKind, DetectOptions } from './types.js';

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)\S*/;

/**
 * Which Compose the executor's host has: the v2 plugin (`docker compose`) is preferred, then a
 * `docker-compose` binary (python v1, or a standalone v2). Works the same locally and over SSH.
 */
export function detectCompose(executor: Executor, opts: DetectOptions = {}): Promise<ComposeInfo> {
  // Once per host and options: every ComposeProject of a run (status, exec, logs…) shares the
  // answer instead of spawning `docker compose version` again, which costs a process each time.
  const key = JSON.stringify([opts.sudo ?? false, opts.kind ?? '', opts.env ?? {}]);
  let perExecutor = detected.get(executor);
  if (!perExecutor) detected.set(executor, (perExecutor = new Map()));
  let found = perExecutor.get(key);
  if (!found) {
    found = probeCompose(executor, opts);
    perExecutor.set(key, found);
    found.catch(() => perExecutor!.delete(key)); // a failure is not remembered: the user may fix it and retry
  }
  return found;
}

const detected = new WeakMap<Executor, Map<string, Promise<ComposeInfo>>>();

async function probeCompose(executor: Executor, opts: DetectOptions): Promise<ComposeInfo> {
  const sudo = opts.sudo ? ['sudo', '-n'] : [];
  const dockerArgv = [...sudo, 'docker'];
  const candidates = [[...sudo, 'docker', 'compose'], [...sudo, 'docker-compose']];
  const tried: string[] = [];
  for (const argv of candidates) {
    let out: string;
    try {
      const r = await executor.run([...argv, 'version', '--short'], { env: opts.env, timeoutMs: opts.timeoutMs ?? 30_000 });
      if (r.code !== 0) {
        tried.push(`${argv.join(' ')}: ${stderrTail(r.stderr || r.stdout, 2) || `exit ${r.code}`}`);
        continue;
      }
      out = r.stdout.trim();
    } catch (err) {
      // LocalExecutor: spawn ENOENT when the binary is not on PATH.
      tried.push(`${argv.join(' ')}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : (err as Error).message}`);
      continue;
    }
    const m = VERSION.exec(out.split('\n').pop() ?? '');
    if (!m) {
      tried.push(`${argv.join(' ')}: unexpected version output "${out.slice(0, 80)}"`);
      continue;
    }
    const kind: ComposeKind = Number(m[1]) >= 2 ? 'v2' : 'v1';
    if (opts.kind && kind !== opts.kind) {
      tried.push(`${argv.join(' ')}: ${kind} ${m[0]} (not ${opts.kind})`);
      continue;
    }
    return { kind, version: m[0].replace(/^v/, ''), argv, dockerArgv };
  }
  const where = executor.name === 'local' ? '' : ` on ${executor.name}`;
  throw new FrameworksError(`Docker Compose${opts.kind ? ` ${opts.kind}` : ''} was not found${where} (tried ${tried.join('; ')})`, {
    code: 'COMPOSE_NOT_FOUND',
    exitCode: ExitCode.FAILED,
    suggestions: [
      'Install Docker Engine with the Compose plugin: https://docs.docker.com/engine/install/',
      `${dockerArgv.join(' ')} compose version${where}   # should print v2.x`,
    ],
  });
}

/** "1.29.2" ≥ "1.28.0"? (numeric, ignoring suffixes). */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split(/[.+-]/).map((x) => parseInt(x, 10) || 0);
  const b = min.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}
