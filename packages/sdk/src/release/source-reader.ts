import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, FrameworksError, isFrameworksError } from '../errors.js';
import { LocalExecutor } from '../exec/local.js';
import type { Executor } from '../exec/types.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { Dialer } from '../net/dialer.js';
import { tildify } from '../paths.js';
import { describeSource, type ParsedReleaseSource } from './source.js';

/**
 * Reads the files of a release source. Remote sources (HTTP, git) keep what they fetched under
 * `<frameworks home>/cache/releases/`; when the source cannot be reached, the cached copy is read
 * instead and `offline` says so (with when the copy was fetched).
 */
export interface SourceReader {
  readonly source: ParsedReleaseSource;
  /** The file's text, or undefined when the source has no such file. */
  read(rel: string): Promise<string | undefined>;
  /** File names in a folder of the source (channels, releases); undefined when the source cannot list (HTTP). */
  list(dir: string): Promise<string[] | undefined>;
  /** Where a file is, for messages: a path or a URL. */
  where(rel: string): string;
  /** Set once a read fell back to the cache: what could not be reached, and the cache's age. */
  offline?: { reason: string; cached_at?: string };
}

export interface ReaderOptions {
  /** The frameworks home (the cache lives in its cache/releases folder). */
  home: string;
  /** How to reach an HTTP source (a jump host); default direct. */
  dialer?: Dialer;
  /** Runs git (the user's git, this machine); default a LocalExecutor. */
  executor?: Executor;
  timeoutMs?: number;
}

export function releaseCacheDir(home: string, source: ParsedReleaseSource): string {
  const id = createHash('sha256').update(`${source.kind} ${source.location} ${source.ref ?? ''}`).digest('hex').slice(0, 16);
  return join(home, 'cache', 'releases', `${source.kind}-${id}`);
}

const mtime = async (path: string) => (await stat(path).catch(() => undefined))?.mtime.toISOString();

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}

async function listIfThere(path: string): Promise<string[]> {
  return (await readdir(path).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
}

function folderReader(source: ParsedReleaseSource, root: string, shown = `${describeSource(source)}/`): SourceReader {
  return {
    source,
    read: (rel) => readIfThere(join(root, rel)),
    list: (dir) => listIfThere(join(root, dir)),
    where: (rel) => `${shown}${rel}`,
  };
}

/** An unreachable source with nothing cached: exit 6 naming it. */
function unreachable(source: ParsedReleaseSource, why: string, cause?: unknown): FrameworksError {
  return new FrameworksError(`Release source ${describeSource(source)} cannot be reached and nothing of it is cached: ${why}`, {
    code: 'RELEASE_SOURCE_UNREACHABLE',
    exitCode: ExitCode.NETWORK,
    name: 'NetworkError',
    cause,
    suggestions: ['frameworks release list --release-source <folder|url|git repo>   # another source', 'frameworks context show   # which release.source is set'],
  });
}

function httpReader(source: ParsedReleaseSource, o: ReaderOptions): SourceReader {
  const cache = releaseCacheDir(o.home, source);
  let client: Promise<import('../http/client.js').HttpClient> | undefined;
  const reader: SourceReader = {
    source,
    where: (rel) => `${source.location}/${rel}`,
    list: async () => undefined,
    async read(rel) {
      const cached = join(cache, rel);
      if (reader.offline) return readIfThere(cached);
      client ??= import('../http/client.js').then(({ createHttpClient }) =>
        createHttpClient({ service: 'release source', baseUrl: source.location, timeoutMs: o.timeoutMs ?? 15_000, retries: 1, ...(o.dialer ? { dialer: o.dialer } : {}) }),
      );
      try {
        const res = await (await client).got(rel, { responseType: 'text', headers: { accept: '*/*' }, throwHttpErrors: false });
        const r = res as unknown as { statusCode: number; body: string };
        if (r.statusCode === 404 || r.statusCode === 410) return undefined;
        if (r.statusCode >= 200 && r.statusCode < 300) {
          await mkdir(dirname(cached), { recursive: true });
          await writeFileAtomic(cached, r.body, 0o644);
          return r.body;
        }
        if (r.statusCode < 500 && r.statusCode !== 429) {
          throw new FrameworksError(`Release source ${reader.where(rel)} answered HTTP ${r.statusCode}.`, {
            code: 'RELEASE_SOURCE_FAILED',
            exitCode: ExitCode.FAILED,
            suggestions: [`curl -fsSI ${reader.where(rel)}`],
          });
        }
        return await fallBack(rel, `HTTP ${r.statusCode}`);
      } catch (err) {
        if (isFrameworksError(err) && err.code === 'RELEASE_SOURCE_FAILED') throw err;
        if (isFrameworksError(err) && err.exitCode !== ExitCode.NETWORK) throw err;
        return fallBack(rel, (err as { code?: string; message: string }).code ?? (err as Error).message, err);
      }
    },
  };
  async function fallBack(rel: string, why: string, cause?: unknown): Promise<string | undefined> {
    const cached = join(cache, rel);
    const text = await readIfThere(cached);
    if (text === undefined) throw unreachable(source, `${reader.where(rel)}: ${why}`, cause);
    const at = await mtime(cached);
    reader.offline = { reason: `${source.location}: ${why}`, ...(at ? { cached_at: at } : {}) };
    return text;
  }
  return reader;
}

/**
 * A git source: a shallow clone kept in the cache, brought up to date once per run with a shallow
 * fetch. git runs as argv through the executor (never a shell string), with prompts off.
 */
async function gitReader(source: ParsedReleaseSource, o: ReaderOptions): Promise<SourceReader> {
  const exec = o.executor ?? new LocalExecutor();
  const clone = releaseCacheDir(o.home, source);
  const env = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', LC_ALL: 'C' };
  const timeoutMs = o.timeoutMs ?? 60_000;
  const git = (args: string[], cwd?: string) => exec.run(['git', ...args], { env, timeoutMs, ...(cwd ? { cwd } : {}) });
  const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).pop() ?? 'git failed';
  const reader = folderReader(source, clone);
  let haveClone = (await stat(join(clone, '.git')).catch(() => undefined)) !== undefined;
  let fetched: { code: number; stderr: string } | undefined;
  try {
    if (haveClone) {
      fetched = await git(['fetch', '--quiet', '--depth', '1', 'origin', source.ref ?? 'HEAD'], clone);
      if (fetched.code === 0) {
        const co = await git(['checkout', '--quiet', '--force', '--detach', 'FETCH_HEAD'], clone);
        if (co.code !== 0) fetched = co;
      }
    } else {
      const tmp = `${clone}.tmp-${process.pid}`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(dirname(clone), { recursive: true });
      const ref = source.ref ? ['--branch', source.ref] : [];
      fetched = await git(['clone', '--quiet', '--depth', '1', '--single-branch', ...ref, '--', source.location, tmp]);
      if (fetched.code === 0) {
        await rename(tmp, clone);
        haveClone = true;
      } else await rm(tmp, { recursive: true, force: true });
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FrameworksError(`Release source ${describeSource(source)} is a git repository, and git is not installed here.`, {
        code: 'GIT_NOT_FOUND',
        exitCode: ExitCode.FAILED,
        suggestions: ['sudo apt-get install git', 'frameworks release list --release-source <folder|https url>'],
      });
    }
    fetched = { code: -1, stderr: (err as Error).message };
  }
  if (fetched.code !== 0) {
    const why = lastLine(fetched.stderr);
    if (!haveClone) throw unreachable(source, why);
    const at = await mtime(join(clone, '.git', 'FETCH_HEAD')) ?? (await mtime(join(clone, '.git', 'HEAD')));
    reader.offline = { reason: `${source.location}: ${why}`, ...(at ? { cached_at: at } : {}) };
  }
  return reader;
}

/** The reader for a parsed source (built-in has none: the loader answers it from memory). */
export async function openSourceReader(source: ParsedReleaseSource, o: ReaderOptions): Promise<SourceReader> {
  switch (source.kind) {
    case 'folder':
      return folderReader(source, source.location);
    case 'file':
      return folderReader(source, dirname(source.location), `${tildify(dirname(source.location))}/`);
    case 'http':
      return httpReader(source, o);
    case 'git':
      return gitReader(source, o);
    default:
      throw new Error(`no reader for ${source.kind}`);
  }
}
