import { ExitCode, FrameworksError } from '../errors.js';
import type { RunResult } from '../exec/types.js';
import { redact } from '../redact.js';

/** What a failed docker/compose call tells us, from its stderr (v1 and v2 wordings). */
export type FailureKind = 'daemon' | 'permission' | 'file-missing' | 'file-invalid' | 'pull' | 'not-installed' | 'other';

const DAEMON = /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|Couldn't connect to Docker daemon|Error while fetching server API version|dial unix [^:]*: connect: (?:no such file|connection refused)/i;
const PERMISSION = /permission denied while trying to connect to the Docker daemon|dial unix [^:]*: connect: permission denied/i;
/** Always about the project's files; "no such file" wordings count only when they name one of them. */
const FILE_MISSING = /no configuration file provided|Can't find a suitable configuration file|couldn't find env file/i;
const NO_SUCH_FILE = /(?:open (\S+): no such file or directory|No such file or directory: '([^']+)')/gi;
const FILE_INVALID = /validating [^\n]*:|yaml: |is invalid because|Unsupported config option|Invalid top-level property|additional propert(?:y|ies) [^\n]* not allowed|mapping values are not allowed|while (?:parsing|scanning)|found character that cannot start|invalid interpolation format|(?:refers to|depends on) undefined|services\.\S+ must be|ERROR: yaml\.|could not find expected|Top-level object must be a mapping|Version in "[^"]*" is unsupported/i;
const PULL = /pull access denied|manifest unknown|manifest for \S+ not found|not found: manifest|failed to resolve reference|error pulling image|Error response from daemon: Get "?https?:|no such host|repository does not exist|requested access to the resource is denied|toomanyrequests/i;
const NOT_INSTALLED = /is not a docker command|command not found|No such file or directory \(os error 2\)|docker-compose: not found|docker: not found/i;

/** `ownFiles`: the compose and env files of the call (a missing bind-mount source is not a missing compose file). */
export function classify(stderr: string, code: number, ownFiles: string[] = []): FailureKind {
  if (PERMISSION.test(stderr)) return 'permission';
  if (DAEMON.test(stderr)) return 'daemon';
  if (FILE_INVALID.test(stderr)) return 'file-invalid';
  if (FILE_MISSING.test(stderr)) return 'file-missing';
  for (const m of stderr.matchAll(NO_SUCH_FILE)) {
    const path = m[1] ?? m[2];
    if (ownFiles.some((f) => f === path || f.endsWith(`/${path.replace(/^\.\//, '')}`) || path.endsWith(`/${f.split('/').pop()}`))) return 'file-missing';
  }
  if (PULL.test(stderr)) return 'pull';
  if (code === 127 || NOT_INSTALLED.test(stderr)) return 'not-installed';
  return 'other';
}

export { reasonOf, stderrTail, withReason } from '../tool-output.js';
import { stderrTail, withReason } from '../tool-output.js';

/** Where the engine was looked for: the address docker itself names, else DOCKER_HOST, else the default socket. */
export function engineAddress(stderr: string, dockerHost?: string): string {
  const m = /Cannot connect to the Docker daemon at (\S+?)\.?\s+Is the docker daemon running/i.exec(stderr) ?? /dial unix ([^:\s]+): connect/i.exec(stderr);
  return m?.[1] ?? dockerHost ?? 'unix:///var/run/docker.sock';
}

/** The one line every verb says when the engine is down. */
export function engineUnreachable(address: string, where = 'local'): string {
  return `Docker engine unreachable at ${address}${where === 'local' ? '' : ` on ${where}`}`;
}

export const ENGINE_FIX = 'systemctl start docker   # or point DOCKER_HOST at the engine you mean';

export interface FailureContext {
  /** What was attempted, for the message: "docker compose up". */
  what: string;
  project?: string;
  workingDir?: string;
  files?: string[];
  envFile?: string;
  /** Executor name: "local" or user@host. */
  where: string;
  /** The quoted command as run. */
  display: string;
  /** docker argv prefix, for the `docker info` hint. */
  dockerArgv?: string[];
  /** compose argv prefix, for the `config` hint. */
  composeArgv?: string[];
  /** DOCKER_HOST of the call, when set: named in "daemon not reachable". */
  dockerHost?: string;
  timeoutMs?: number;
  elapsedMs?: number;
}

function on(ctx: FailureContext): string {
  return ctx.where === 'local' ? '' : ` on ${ctx.where}`;
}

/** A FrameworksError for a failed docker/compose call: stable code, stderr tail (redacted), runnable hints. */
export function failure(res: Pick<RunResult, 'code' | 'stderr' | 'stdout'>, ctx: FailureContext): FrameworksError {
  const tail = stderrTail(res.stderr || res.stdout);
  const kind = classify(res.stderr || res.stdout, res.code, [...(ctx.files ?? []), ...(ctx.envFile ? [ctx.envFile] : [])]);
  const docker = (ctx.dockerArgv ?? ['docker']).join(' ');
  const subject = ctx.project ? ` (project "${ctx.project}"${ctx.workingDir ? ` in ${ctx.workingDir}` : ''}${on(ctx)})` : on(ctx);
  const files = ctx.files?.length ? ctx.files.join(', ') : 'the compose file';
  // The reason goes on the first line: callers that keep only that line still say why.
  const detail = withReason(tail, res.code);
  const result = { command: redact(ctx.display), exit_code: res.code, stderr: tail };
  const withDetail = tail ? { detail: tail } : {};
  const timedOut = ctx.timeoutMs !== undefined && ctx.elapsedMs !== undefined && ctx.elapsedMs >= ctx.timeoutMs - 50;
  if (timedOut) {
    return new FrameworksError(`${ctx.what} timed out after ${Math.round(ctx.timeoutMs! / 1000)}s${subject}${detail}`, {
      code: 'COMPOSE_TIMEOUT',
      exitCode: ExitCode.FAILED,
      suggestions: [`${docker} info${on(ctx)}   # is the daemon responsive?`],
      result,
      ...withDetail,
    });
  }
  switch (kind) {
    case 'daemon':
      return new FrameworksError(`${engineUnreachable(engineAddress(res.stderr, ctx.dockerHost), ctx.where)}: ${ctx.what} failed${detail}`, {
        code: 'DOCKER_UNAVAILABLE',
        exitCode: ExitCode.FAILED,
        suggestions: [`${docker} info${on(ctx)}   # is dockerd running, and is DOCKER_HOST right?`, ENGINE_FIX],
        result,
        ...withDetail,
      });
    case 'permission':
      return new FrameworksError(`Permission denied on the Docker socket${on(ctx)}: ${ctx.what} failed${detail}`, {
        code: 'DOCKER_PERMISSION_DENIED',
        exitCode: ExitCode.FORBIDDEN,
        suggestions: [`${docker} info${on(ctx)}`, 'Add the user to the "docker" group (then log in again), or run docker through sudo'],
        result,
        ...withDetail,
      });
    case 'file-missing':
      return new FrameworksError(`${ctx.what}: ${files}${ctx.envFile ? ` (env file ${ctx.envFile})` : ''} not found${subject}${detail}`, {
        code: 'COMPOSE_FILE_NOT_FOUND',
        exitCode: ExitCode.CONFIG_INVALID,
        suggestions: [`Check --dir: the compose files are looked up in ${ctx.workingDir ?? 'the working directory'}${on(ctx)}`],
        result,
        ...withDetail,
      });
    case 'file-invalid':
      return new FrameworksError(`Compose file ${files} is invalid${subject}${detail}`, {
        code: 'COMPOSE_FILE_INVALID',
        exitCode: ExitCode.CONFIG_INVALID,
        suggestions: [[...(ctx.composeArgv ?? ['docker', 'compose']), ...(ctx.files ?? []).flatMap((f) => ['-f', f]), 'config'].join(' ') + '   # shows the problem'],
        result,
        ...withDetail,
      });
    case 'pull':
      return new FrameworksError(`${ctx.what} could not pull an image${subject}${detail}`, {
        code: 'COMPOSE_PULL_FAILED',
        exitCode: ExitCode.FAILED,
        suggestions: [`Check that the registry is reachable${on(ctx)} and the image reference exists`, `${docker} login <registry>   # when the registry is private`],
        result,
        ...withDetail,
      });
    case 'not-installed':
      return new FrameworksError(`${ctx.what}: docker or docker compose is not installed${on(ctx)}${detail}`, {
        code: 'COMPOSE_NOT_FOUND',
        exitCode: ExitCode.FAILED,
        suggestions: ['Install Docker Engine with the Compose plugin: https://docs.docker.com/engine/install/'],
        result,
        ...withDetail,
      });
    default:
      return new FrameworksError(`${ctx.what} failed (exit ${res.code})${subject}${detail}`, {
        code: 'COMPOSE_FAILED',
        exitCode: ExitCode.FAILED,
        suggestions: [`${docker} info${on(ctx)}   # is the daemon healthy?`, `Re-run with --verbose to see the exact command`],
        result,
        ...withDetail,
      });
  }
}
