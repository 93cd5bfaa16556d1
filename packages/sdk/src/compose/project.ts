import { posix } from 'node:path';
import { ExitCode, FrameworksError, usageError } from '../errors.js';
import { quoteCommand } from '../exec/quote.js';
import type { Executor, RunOptions, RunResult } from '../exec/types.js';
import { detectCompose, versionAtLeast } from './detect.js';
import { classify, failure, type FailureContext } from './errors.js';
import { checkProjectName } from './project-name.js';
import { LineSplitter, parseComposeLogLine, withTimestamp } from './logs.js';
import { imageRefsOf, inspectArgs, parseInspect, parsePsIds, parsePsListing, repositoryOf, toContainer, type InspectedContainer, type InspectedImage, type ListedContainer } from './ps.js';
import type { ComposeConfig, ComposeContainer, ComposeInfo, LogLine, ServiceImage } from './types.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ComposeProjectOptions {
  executor: Executor;
  /** Compose project name (-p): lower-case letters, digits, "-" and "_" (v1 and v2 agree on these). */
  name: string;
  /** Project directory (--project-directory): relative files and the env file resolve against it. */
  workingDir: string;
  /** Compose files (-f), relative to workingDir or absolute. Default: docker-compose.yml. */
  files?: string[];
  /** --env-file, relative to workingDir or absolute. */
  envFile?: string;
  /** Environment of every docker/compose call (e.g. DOCKER_HOST). */
  env?: Record<string, string>;
  /** What detectCompose() found; detected on first use when absent. */
  compose?: ComposeInfo;
  /** When detecting: run docker through `sudo -n` (root-owned stacks over SSH). */
  sudo?: boolean;
  /** Timeout of the short calls (ps, inspect, config, exec): default 60 s. up/pull/down/logs have none unless given. */
  timeoutMs?: number;
}

export interface UpOptions {
  /** -d (default true). Without it `up` stays attached until the containers stop. */
  detach?: boolean;
  /** Wait until every service's containers run and pass their healthchecks (same code for v1 and v2). */
  wait?: boolean | WaitOptions;
  removeOrphans?: boolean;
  /** always: pull first (both kinds); never: v2 `--pull never` (v1 cannot); missing: the default. */
  pull?: 'always' | 'missing' | 'never';
  forceRecreate?: boolean;
  services?: string[];
  /** Seconds containers get to stop when recreated (-t). */
  stopTimeoutSec?: number;
  timeoutMs?: number;
  /** Compose's progress output (stderr), line by line. */
  onOutput?: (line: string) => void;
}

export interface WaitOptions {
  /** Default 120 s. */
  timeoutMs?: number;
  services?: string[];
  intervalMs?: number;
  /** Called after every poll with what is still pending. */
  onProgress?: (state: Readiness) => void;
  signal?: AbortSignal;
}

export interface Readiness {
  ready: string[];
  /** service → why it is not ready yet ("health: starting", "no container", …). */
  pending: Record<string, string>;
  /** service → why it failed ("unhealthy: …", "exited (code 1)"). */
  failed: Record<string, string>;
  containers: ComposeContainer[];
}

export interface LogsOptions {
  services?: string[];
  follow?: boolean;
  /** Lines from the end per container: a number or "all" (compose's default). */
  tail?: number | 'all';
  /** docker's --since/--until: RFC 3339 or relative ("10m"). With v1, logs are read per container by `docker logs`. */
  since?: string;
  until?: string;
  timestamps?: boolean;
  /** The project's containers when the caller has just listed them (saves a second listing). */
  containers?: ListedContainer[];
  /** Each line as it arrives. When given, lines are not collected in the result. */
  onLine?: (line: LogLine) => void;
  /** Stops a follow. The call then resolves with aborted: true. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface LogsResult {
  lines: LogLine[];
  aborted: boolean;
}

export interface ExecOptions {
  /** Container number of a scaled service (default 1). */
  index?: number;
  user?: string;
  workdir?: string;
  env?: Record<string, string>;
  /** Data for stdin (`docker exec -i`). */
  input?: string;
  timeoutMs?: number;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * One Compose project driven through an Executor: the same calls work locally and over SSH, with
 * Compose v2 or v1. Every value reaches the tool as its own argv element (the executor quotes for
 * SSH); containers are found by their com.docker.compose.* labels, never by parsing `compose ps`.
 */
export class ComposeProject {
  readonly executor: Executor;
  readonly name: string;
  readonly workingDir: string;
  /** Absolute. */
  readonly files: string[];
  /** Absolute. */
  readonly envFile?: string;
  readonly env?: Record<string, string>;
  readonly timeoutMs: number;
  private info?: ComposeInfo;
  private readonly sudo: boolean;

  constructor(opts: ComposeProjectOptions) {
    checkProjectName(opts.name, 'The Compose project name');
    if (!opts.workingDir) throw usageError('A compose project needs a working directory.', [], 'INVALID_PROJECT_DIR');
    for (const k of Object.keys(opts.env ?? {})) if (!ENV_NAME.test(k)) throw usageError(`"${k}" is not an environment variable name.`, [], 'INVALID_ENV_NAME');
    this.executor = opts.executor;
    this.name = opts.name;
    this.workingDir = opts.workingDir;
    const abs = (p: string) => (posix.isAbsolute(p) ? p : posix.join(opts.workingDir, p));
    this.files = (opts.files?.length ? opts.files : ['docker-compose.yml']).map(abs);
    if (opts.envFile) this.envFile = abs(opts.envFile);
    if (opts.env) this.env = opts.env;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    if (opts.compose) this.info = opts.compose;
    this.sudo = opts.sudo ?? false;
  }

  /** A project with Compose already detected (fails early with COMPOSE_NOT_FOUND). */
  static async open(opts: ComposeProjectOptions): Promise<ComposeProject> {
    const p = new ComposeProject(opts);
    await p.compose();
    return p;
  }

  /** Which Compose runs this project's commands (detected once). */
  async compose(): Promise<ComposeInfo> {
    this.info ??= await detectCompose(this.executor, { ...(this.env ? { env: this.env } : {}), sudo: this.sudo });
    return this.info;
  }

  // ------------------------------------------------------------------ running things

  /** docker compose [global flags] — every path absolute, so the caller's cwd never matters (SSH included). */
  private async composeArgv(...sub: string[]): Promise<string[]> {
    const c = await this.compose();
    const ansi = c.kind === 'v1' && !versionAtLeast(c.version, '1.28.0') ? ['--no-ansi'] : ['--ansi', 'never'];
    return [
      ...c.argv,
      ...ansi,
      '-p',
      this.name,
      '--project-directory',
      this.workingDir,
      ...this.files.flatMap((f) => ['-f', f]),
      ...(this.envFile ? ['--env-file', this.envFile] : []),
      ...sub,
    ];
  }

  private async dockerArgv(...sub: string[]): Promise<string[]> {
    return [...(await this.compose()).dockerArgv, ...sub];
  }

  private async context(what: string, display: string): Promise<FailureContext> {
    const c = await this.compose();
    const ctx: FailureContext = {
      what,
      dockerHost: this.env?.DOCKER_HOST ?? (this.executor.name === 'local' ? process.env.DOCKER_HOST : undefined),
      project: this.name,
      workingDir: this.workingDir,
      files: this.files,
      where: this.executor.name,
      display,
      dockerArgv: c.dockerArgv,
      composeArgv: c.argv,
    };
    if (this.envFile) ctx.envFile = this.envFile;
    return ctx;
  }

  /** Run; a non-zero exit becomes a FrameworksError (unless check: false). An abort resolves with code 130. */
  private async run(what: string, argv: string[], o: RunOptions & { check?: boolean; fallback?: 'pull' } = {}): Promise<RunResult> {
    const { check = true, fallback, ...opts } = o;
    const t0 = Date.now();
    let res: RunResult;
    try {
      res = await this.executor.run(argv, { ...(this.env ? { env: this.env } : {}), ...opts });
    } catch (err) {
      if (opts.signal?.aborted) return { code: 130, stdout: '', stderr: '', display: quoteCommand(argv) };
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw failure({ code: 127, stdout: '', stderr: `${argv[0]}: command not found` }, await this.context(what, quoteCommand(argv)));
      }
      throw err;
    }
    if (res.code !== 0 && check && !opts.signal?.aborted) {
      const ctx = await this.context(what, res.display);
      const elapsedMs = Date.now() - t0;
      let err = failure(res, opts.timeoutMs ? { ...ctx, timeoutMs: opts.timeoutMs, elapsedMs } : ctx);
      if (fallback === 'pull' && err.code === 'COMPOSE_FAILED') {
        err = new FrameworksError(err.message.replace(/ failed \(exit/, ' could not pull (exit'), {
          code: 'COMPOSE_PULL_FAILED',
          exitCode: ExitCode.FAILED,
          suggestions: [`Check that the registry is reachable${this.executor.name === 'local' ? '' : ` from ${this.executor.name}`} and the image references exist`],
          result: err.result,
        });
      }
      throw err;
    }
    return res;
  }

  private async label(sub: string): Promise<string> {
    return `${(await this.compose()).argv.join(' ')} ${sub}`;
  }

  // ------------------------------------------------------------------ lifecycle

  /** `up -d` (+ --remove-orphans …), then optionally wait for running + healthy. Returns the project's containers. */
  async up(opts: UpOptions = {}): Promise<ComposeContainer[]> {
    const c = await this.compose();
    if (opts.detach === false && opts.wait) throw usageError('up: wait needs detach (an attached up only returns when the containers stop).');
    if (opts.pull === 'always') await this.pull(opts.services ? { services: opts.services } : {});
    const args = ['up'];
    if (opts.detach !== false) args.push('-d');
    if (opts.removeOrphans) args.push('--remove-orphans');
    if (opts.forceRecreate) args.push('--force-recreate');
    if (opts.stopTimeoutSec !== undefined) args.push('-t', String(opts.stopTimeoutSec));
    if (opts.pull === 'never') {
      if (c.kind === 'v1') throw usageError('up: pull "never" needs Compose v2 (v1 always pulls missing images).', [], 'COMPOSE_UNSUPPORTED');
      args.push('--pull', 'never');
    }
    if (opts.services?.length) args.push('--', ...opts.services);
    const split = opts.onOutput ? new LineSplitter(opts.onOutput) : undefined;
    await this.run(await this.label('up'), await this.composeArgv(...args), {
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(split ? { onStderr: (s: string) => split.push(s), onStdout: (s: string) => split.push(s) } : {}),
    });
    split?.end();
    if (opts.wait) return this.waitReady({ ...(typeof opts.wait === 'object' ? opts.wait : {}), ...(opts.services ? { services: opts.services } : {}) });
    return this.ps();
  }

  /**
   * Poll ps() until every service has its containers running and healthy (when they have a
   * healthcheck). Fails fast on an unhealthy or exited container (a one-shot that exited 0 with
   * restart "no" counts as done), like v2's `up --wait`, which v1 lacks.
   */
  async waitReady(opts: WaitOptions = {}): Promise<ComposeContainer[]> {
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const services = opts.services ?? (await this.services());
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const containers = (await this.ps()).filter((c) => !c.oneoff && services.includes(c.service));
      const state = readiness(services, containers);
      opts.onProgress?.(state);
      const failed = Object.entries(state.failed);
      if (failed.length) {
        throw new FrameworksError(`Project "${this.name}" did not come up: ${failed.map(([s, why]) => `${s} ${why}`).join('; ')}`, {
          code: 'COMPOSE_UNHEALTHY',
          exitCode: ExitCode.FAILED,
          suggestions: failed.map(([s]) => `${quoteCommand(['docker', 'compose', '-p', this.name, 'logs', s])}   # why ${s} failed`),
          result: { containers },
        });
      }
      const pending = Object.entries(state.pending);
      if (!pending.length) return containers;
      if (opts.signal?.aborted) throw new FrameworksError('Waiting for the project was interrupted', { code: 'ABORTED', exitCode: ExitCode.INTERRUPTED });
      if (Date.now() >= deadline) {
        throw new FrameworksError(`Project "${this.name}" not ready after ${Math.round(timeoutMs / 1000)}s: ${pending.map(([s, why]) => `${s} (${why})`).join(', ')}`, {
          code: 'COMPOSE_WAIT_TIMEOUT',
          exitCode: ExitCode.FAILED,
          suggestions: pending.map(([s]) => `${quoteCommand(['docker', 'compose', '-p', this.name, 'logs', s])}   # what ${s} is doing`),
          result: { containers },
        });
      }
      await sleep(opts.intervalMs ?? 500, opts.signal);
    }
  }

  /** `pull` (quiet). A registry that cannot serve an image → COMPOSE_PULL_FAILED. */
  async pull(opts: { services?: string[]; ignoreFailures?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const args = ['pull', '--quiet'];
    if (opts.ignoreFailures) args.push('--ignore-pull-failures');
    if (opts.services?.length) args.push('--', ...opts.services);
    await this.run(await this.label('pull'), await this.composeArgv(...args), { fallback: 'pull', ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  }

  /** `down` (+ -v, --remove-orphans, -t). */
  async down(opts: { volumes?: boolean; removeOrphans?: boolean; stopTimeoutSec?: number; timeoutMs?: number } = {}): Promise<void> {
    const args = ['down'];
    if (opts.volumes) args.push('--volumes');
    if (opts.removeOrphans) args.push('--remove-orphans');
    if (opts.stopTimeoutSec !== undefined) args.push('-t', String(opts.stopTimeoutSec));
    await this.run(await this.label('down'), await this.composeArgv(...args), opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {});
  }

  // ------------------------------------------------------------------ inspection

  /**
   * The project's containers (stopped ones included), by label:
   * `docker ps -a --filter label=com.docker.compose.project=<name> --format '{{json .}}'`, then
   * `docker inspect` (state, health, image id) and `docker image inspect` (RepoDigests).
   */
  async ps(opts: { services?: string[] } = {}): Promise<ComposeContainer[]> {
    const r = await this.run(
      'docker ps',
      await this.dockerArgv('ps', '-a', '--no-trunc', '--filter', `label=com.docker.compose.project=${this.name}`, '--format', '{{json .}}'),
      { timeoutMs: this.timeoutMs },
    );
    const ids = parsePsIds(r.stdout);
    if (!ids.length) return [];
    const { inspected, images } = await this.inspectWithImages(ids, imageRefsOf(r.stdout));
    return inspected
      .map((c) => toContainer(c, images))
      .filter((c) => c.project === this.name && (!opts.services || opts.services.includes(c.service)))
      .sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
  }

  /**
   * The project's containers from one `docker ps -a` (no inspect): enough to name them and their
   * services, e.g. for logs. `ps()` gives the full view (health, restarts, digests).
   */
  async list(opts: { services?: string[] } = {}): Promise<ListedContainer[]> {
    const r = await this.run(
      'docker ps',
      await this.dockerArgv('ps', '-a', '--no-trunc', '--filter', `label=com.docker.compose.project=${this.name}`, '--format', '{{json .}}'),
      { timeoutMs: this.timeoutMs },
    );
    return parsePsListing(r.stdout)
      .filter((c) => c.project === this.name && (!opts.services || opts.services.includes(c.service)))
      .sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
  }

  /** The running container of `service` number `index`, from one `docker ps` by labels; undefined otherwise. */
  private async runningContainer(service: string, index: number): Promise<{ id: string; state: string } | undefined> {
    const format = '{{.ID}}\t{{.State}}\t{{.Label "com.docker.compose.container-number"}}\t{{.Label "com.docker.compose.oneoff"}}';
    const r = await this.run(
      'docker ps',
      await this.dockerArgv('ps', '--no-trunc', '--filter', `label=com.docker.compose.project=${this.name}`, '--filter', `label=com.docker.compose.service=${service}`, '--format', format),
      { timeoutMs: this.timeoutMs },
    );
    for (const line of r.stdout.split('\n')) {
      const [id, state, number, oneoff] = line.trim().split('\t');
      if (id && state === 'running' && Number(number) === index && oneoff !== 'True') return { id, state };
    }
    return undefined;
  }

  /**
   * The containers and their images in one `docker inspect` (each docker CLI run costs tens of ms of CPU on the host):
   * the listing's image references resolve to the images the containers were created from (docker ps shows the image
   * id once a tag has moved). An image not answered that way is asked for by id in a second call, as before.
   */
  private async inspectWithImages(ids: string[], refs: string[]): Promise<{ inspected: InspectedContainer[]; images: Map<string, InspectedImage> }> {
    const all = await this.inspect<InspectedContainer & InspectedImage>('inspect', [], inspectArgs(ids, refs));
    const wanted = new Set(ids);
    const inspected = all.filter((o) => o.State && wanted.has(o.Id)) as InspectedContainer[];
    const images = new Map(all.filter((o) => !o.State && o.Id?.startsWith('sha256:')).map((i) => [i.Id, i as InspectedImage]));
    const missing = [...new Set(inspected.map((c) => c.Image))].filter((id) => !images.has(id));
    for (const i of await this.inspect<InspectedImage>('image inspect', [], missing, 'image')) images.set(i.Id, i);
    return { inspected, images };
  }

  /** docker inspect of several ids; objects that vanished in between are skipped, not fatal. */
  private async inspect<T>(what: string, flags: string[], ids: string[], kind: 'container' | 'image' = 'container'): Promise<T[]> {
    if (!ids.length) return [];
    const argv = kind === 'image' ? await this.dockerArgv('image', 'inspect', ...flags, ...ids) : await this.dockerArgv('inspect', ...flags, ...ids);
    const r = await this.run(`docker ${what}`, argv, { timeoutMs: this.timeoutMs, check: false });
    const parsed = r.stdout.trim() ? parseInspect<T>(r.stdout) : [];
    if (r.code !== 0 && !parsed.length && !/No such (?:object|container|image)/i.test(r.stderr)) {
      throw failure(r, await this.context(`docker ${what}`, r.display));
    }
    return parsed;
  }

  /** What each service runs: one entry per service (its lowest-numbered container), for rollback. */
  async imageDigests(): Promise<ServiceImage[]> {
    const seen = new Map<string, ServiceImage>();
    for (const c of await this.ps()) {
      if (c.oneoff || seen.has(c.service)) continue;
      const entry: ServiceImage = {
        service: c.service,
        container: c.name,
        state: c.state,
        image: c.image,
        imageId: c.imageId,
        pinned: c.digest ? `${repositoryOf(c.image)}@${c.digest}` : c.imageId,
      };
      if (c.digest) entry.digest = c.digest;
      seen.set(c.service, entry);
    }
    return [...seen.values()];
  }

  /** The merged, interpolated and validated model (`compose config`, parsed). It may contain secrets. */
  async config(): Promise<ComposeConfig> {
    const r = await this.run(await this.label('config'), await this.composeArgv('config'), { timeoutMs: this.timeoutMs });
    const yaml = await import('js-yaml');
    let data: unknown;
    try {
      data = yaml.load(r.stdout);
    } catch (err) {
      throw new FrameworksError(`${await this.label('config')} printed something that is not YAML: ${(err as Error).message}`, { code: 'COMPOSE_FAILED', cause: err });
    }
    const cfg = data as ComposeConfig | null;
    if (!cfg || typeof cfg !== 'object' || !cfg.services || typeof cfg.services !== 'object') {
      throw new FrameworksError(`Compose file ${this.files.join(', ')} defines no services`, {
        code: 'COMPOSE_FILE_INVALID',
        exitCode: ExitCode.CONFIG_INVALID,
      });
    }
    return cfg;
  }

  /** Service names (`compose config --services`). */
  async services(): Promise<string[]> {
    const r = await this.run(await this.label('config --services'), await this.composeArgv('config', '--services'), { timeoutMs: this.timeoutMs });
    return r.stdout
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  // ------------------------------------------------------------------ logs and exec

  /**
   * `compose logs --no-color`, each line delivered (onLine) as soon as the tool prints it: with
   * `follow` the call lasts until the containers stop or `signal` aborts. Lines carry their service.
   */
  async logs(opts: LogsOptions = {}): Promise<LogsResult> {
    const c = await this.compose();
    const containers = opts.containers ?? (await this.ps(opts.services ? { services: opts.services } : {}));
    const known = new Map<string, string>();
    for (const k of containers) {
      known.set(k.name, k.service);
      known.set(`${k.service}-${k.number}`, k.service); // v2
      known.set(`${k.service}_${k.number}`, k.service); // v1
    }
    const lines: LogLine[] = [];
    const emit = opts.onLine ?? ((l: LogLine) => void lines.push(l));
    const timestamps = !!opts.timestamps;

    if (c.kind === 'v1' && (opts.since || opts.until)) return this.logsPerContainer(containers, opts, emit, lines);

    const args = ['logs', '--no-color'];
    if (opts.follow) args.push('--follow');
    if (timestamps) args.push('--timestamps');
    if (opts.tail !== undefined) args.push('--tail', String(opts.tail));
    if (opts.since) args.push('--since', opts.since);
    if (opts.until) args.push('--until', opts.until);
    if (opts.services?.length) args.push('--', ...opts.services);
    const out = new LineSplitter((line) => {
      const l = parseComposeLogLine(line, this.name, known, timestamps);
      if (l) emit(l);
    });
    // Some versions write a container's stderr stream to their own stderr: take lines with a known prefix.
    const err = new LineSplitter((line) => {
      const l = parseComposeLogLine(line, this.name, known, timestamps, true);
      if (l) emit(l);
    });
    const res = await this.run(await this.label('logs'), await this.composeArgv(...args), {
      onStdout: (s) => out.push(s),
      onStderr: (s) => err.push(s),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    out.end();
    err.end();
    return { lines, aborted: !!opts.signal?.aborted || res.code === 130 };
  }

  /** v1 has no logs --since/--until: read each container with `docker logs`, side by side. */
  private async logsPerContainer(containers: ListedContainer[], opts: LogsOptions, emit: (l: LogLine) => void, lines: LogLine[]): Promise<LogsResult> {
    const timestamps = !!opts.timestamps;
    await Promise.all(
      containers
        .filter((k) => !k.oneoff)
        .map(async (k) => {
          const args = ['logs'];
          if (opts.follow) args.push('--follow');
          if (timestamps) args.push('--timestamps');
          if (opts.tail !== undefined) args.push('--tail', String(opts.tail));
          if (opts.since) args.push('--since', opts.since);
          if (opts.until) args.push('--until', opts.until);
          const deliver = (text: string) => emit(withTimestamp({ service: k.service, container: k.name, text }, timestamps));
          const out = new LineSplitter(deliver);
          const err = new LineSplitter(deliver);
          await this.run('docker logs', await this.dockerArgv(...args, k.id), {
            onStdout: (s) => out.push(s),
            onStderr: (s) => err.push(s),
            ...(opts.signal ? { signal: opts.signal } : {}),
            ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
          });
          out.end();
          err.end();
        }),
    );
    return { lines, aborted: !!opts.signal?.aborted };
  }

  /**
   * Run argv in a service's running container (`docker exec`, found by label: identical for v1 and
   * v2, no TTY). The command's own exit status is returned, not thrown; a service without a running
   * container, or an unreachable daemon, throws.
   */
  async exec(service: string, argv: string[], opts: ExecOptions = {}): Promise<RunResult> {
    if (!argv.length) throw usageError('exec needs a command.');
    const index = opts.index ?? 1;
    // The common case costs one `docker ps`; the full view (inspect, image inspect) is only
    // needed to explain why the container is not running.
    let target: { id: string; state: string; exitCode?: number } | undefined = await this.runningContainer(service, index);
    if (!target) target = (await this.ps({ services: [service] })).find((k) => !k.oneoff && k.number === index);
    if (!target || target.state !== 'running') {
      throw new FrameworksError(
        target
          ? `Service "${service}" of project "${this.name}" is ${target.state}${target.state === 'exited' ? ` (exit ${target.exitCode})` : ''}, not running`
          : `Service "${service}" of project "${this.name}" has no container${index !== 1 ? ` number ${index}` : ''}`,
        {
          code: 'COMPOSE_SERVICE_NOT_RUNNING',
          exitCode: ExitCode.FAILED,
          suggestions: [quoteCommand(['docker', 'compose', '-p', this.name, 'ps', '-a'])],
        },
      );
    }
    const args = ['exec'];
    if (opts.input !== undefined) args.push('-i');
    if (opts.user) args.push('--user', opts.user);
    if (opts.workdir) args.push('--workdir', opts.workdir);
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (!ENV_NAME.test(k)) throw usageError(`"${k}" is not an environment variable name.`, [], 'INVALID_ENV_NAME');
      args.push('--env', `${k}=${v}`);
    }
    const res = await this.run('docker exec', await this.dockerArgv(...args, target.id, ...argv), {
      check: false,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.onStdout ? { onStdout: opts.onStdout } : {}),
      ...(opts.onStderr ? { onStderr: opts.onStderr } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const kind = res.code !== 0 ? classify(res.stderr, res.code) : 'other';
    if (kind === 'daemon' || kind === 'permission') throw failure(res, await this.context('docker exec', res.display));
    return res;
  }
}

/** Where a set of services stands, from their containers (see waitReady). */
export function readiness(services: string[], containers: ComposeContainer[]): Readiness {
  const state: Readiness = { ready: [], pending: {}, failed: {}, containers };
  for (const s of services) {
    const mine = containers.filter((c) => c.service === s);
    if (!mine.length) {
      state.pending[s] = 'no container';
      continue;
    }
    let pending: string | undefined;
    let failed: string | undefined;
    for (const c of mine) {
      if (c.state === 'running') {
        if (c.health === 'unhealthy') failed ??= `unhealthy${c.healthLog ? `: ${c.healthLog.split('\n').pop()}` : ''}`;
        else if (c.health && c.health !== 'healthy') pending ??= `health: ${c.health}`;
      } else if (c.state === 'exited' || c.state === 'dead') {
        if (!(c.exitCode === 0 && c.restartPolicy === 'no')) failed ??= `${c.state} (exit ${c.exitCode})`;
      } else {
        pending ??= c.state === 'restarting' ? `restarting (last exit ${c.exitCode})` : c.state;
      }
    }
    if (failed) state.failed[s] = failed;
    else if (pending) state.pending[s] = pending;
    else state.ready.push(s);
  }
  return state;
}
