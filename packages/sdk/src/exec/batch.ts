import { randomBytes } from 'node:crypto';
import { quoteCommand } from './quote.js';
import type { Executor, RunOptions, RunResult } from './types.js';

/**
 * Many read-only commands in one round trip: one POSIX sh script runs them all at once (each with
 * stdin from /dev/null, its output in a temp folder), then prints every exit status, stdout and
 * stderr between random boundaries. Over SSH a host's facts then cost one session instead of dozens;
 * every argument is quoted as for a single command (quoteCommand), so nothing is interpreted twice.
 */
export function batchScript(commands: string[][], boundary: string): string {
  // One `cat` prints every result at the end (a cat per file would cost a process each): each command writes its own
  // header ("<boundary> <i> <exit status>", 255 until it has finished), the separators are files too.
  const files = commands.map((_, i) => `"$d/${i}.h" "$d/${i}.o" "$d/s" "$d/${i}.e" "$d/n"`).join(' ');
  const lines = [
    'd=$(mktemp -d 2>/dev/null) || { d="${TMPDIR:-/tmp}/fw-batch.$$"; mkdir -m 700 "$d" || exit 70; }',
    `trap 'rm -rf "$d"' EXIT`,
    `printf '\\n%s e\\n' ${boundary} >"$d/s"; printf '\\n' >"$d/n"`,
    ...commands.map((_, i) => `printf '%s %s 255\\n' ${boundary} ${i} >"$d/${i}.h"; : >"$d/${i}.o"; : >"$d/${i}.e"`),
    ...commands.map((argv, i) => `{ ${quoteCommand(argv)} </dev/null >"$d/${i}.o" 2>"$d/${i}.e"; printf '%s %s %s\\n' ${boundary} ${i} "$?" >"$d/${i}.h"; } &`),
    'wait',
    `cat ${files} 2>/dev/null`,
    `printf '%s end\\n' ${boundary}`,
  ];
  return lines.join('\n');
}

/** Split the script's output back into one result per command; undefined when it is not the script's output. */
export function parseBatch(stdout: string, commands: string[][], boundary: string): RunResult[] | undefined {
  if (!stdout.includes(`${boundary} end\n`)) return undefined;
  const out: RunResult[] = [];
  for (let i = 0; i < commands.length; i++) {
    const head = new RegExp(`(?:^|\\n)${boundary} ${i} (\\d+)\\n`).exec(stdout);
    if (!head) return undefined;
    const from = head.index + head[0].length;
    const mid = stdout.indexOf(`\n${boundary} e\n`, from);
    const next = stdout.indexOf(`\n${boundary} `, mid + 1 + boundary.length + 3);
    if (mid < 0 || next < 0) return undefined;
    out.push({ code: Number(head[1]), stdout: stdout.slice(from, mid), stderr: stdout.slice(mid + boundary.length + 4, next), display: quoteCommand(commands[i]) });
  }
  return out;
}

/**
 * Run `commands` through `executor` as one script. Undefined when the host could not run it (no sh,
 * or an executor that is not a shell at all): the caller then runs the commands one by one.
 */
export async function runBatch(executor: Executor, commands: string[][], opts: Pick<RunOptions, 'timeoutMs' | 'signal'> = {}): Promise<RunResult[] | undefined> {
  if (!commands.length) return [];
  const boundary = `fwb${randomBytes(8).toString('hex')}`;
  try {
    const r = await executor.run(['sh', '-c', batchScript(commands, boundary)], opts);
    return parseBatch(r.stdout, commands, boundary);
  } catch {
    return undefined;
  }
}

const key = (argv: string[]) => quoteCommand(argv);

/**
 * An executor whose answers to some commands were gathered ahead, in one batch (`prefetch`): a
 * check that later runs one of them gets the batch's result; anything else, or a command with its
 * own cwd, env, stdin or streaming, runs as usual. Files are prefetched as `cat -- path`.
 */
export class PrefetchExecutor implements Executor {
  readonly name: string;
  private readonly answers = new Map<string, Promise<RunResult | undefined>>();
  /** Later rounds being planned from earlier answers, and which commands each may hold. */
  private readonly plans: Array<{ done: Promise<void>; mayHold: (argv: string[]) => boolean }> = [];

  constructor(readonly inner: Executor) {
    this.name = inner.name;
  }

  /** Set once a batch could not run (no sh, or not a shell at all): later rounds are not planned, commands run one by one. */
  broken = false;

  /** Gather these commands' results in one round trip (commands already gathered are left out). */
  prefetch(commands: string[][], opts: Pick<RunOptions, 'timeoutMs'> = {}): Promise<void> {
    const fresh = [...new Map(commands.map((c) => [key(c), c])).values()].filter((c) => !this.answers.has(key(c)));
    if (!fresh.length || this.broken) return Promise.resolve();
    const batch = runBatch(this.inner, fresh, opts).then((all) => {
      if (!all) this.broken = true;
      return all;
    });
    fresh.forEach((c, i) => this.answers.set(key(c), batch.then((all) => all?.[i])));
    return batch.then(() => undefined);
  }

  /** An answer known without asking the host (derived from another one): `argv` then costs nothing. */
  provide(argv: string[], result: Omit<RunResult, 'display'>): void {
    if (!this.answers.has(key(argv))) this.answers.set(key(argv), Promise.resolve({ ...result, display: key(argv) }));
  }

  /** Prefetch files (read and existence) in the same way. */
  prefetchFiles(paths: string[], opts: Pick<RunOptions, 'timeoutMs'> = {}): Promise<void> {
    return this.prefetch(paths.map(catOf), opts);
  }

  /** Both at once: one round trip. */
  gather(commands: string[][], files: string[], opts: Pick<RunOptions, 'timeoutMs'> = {}): Promise<void> {
    return this.prefetch([...commands, ...files.map(catOf)], opts);
  }

  /**
   * A next round whose commands depend on earlier answers (a path from `uname -r`, a pid): `plan`
   * returns them once it knows. Commands that `mayHold` says could be in it wait for the plan.
   */
  prefetchAfter(plan: () => Promise<string[][]>, mayHold: (argv: string[]) => boolean, opts: Pick<RunOptions, 'timeoutMs'> = {}): Promise<void> {
    let gathered: Promise<void> = Promise.resolve();
    const done = plan().then(
      (commands) => void (gathered = this.prefetch(commands, opts)),
      () => undefined,
    );
    this.plans.push({ done, mayHold });
    // Resolves once this round's answers are in (the next round may plan from them).
    return done.then(() => gathered);
  }

  private async answer(argv: string[]): Promise<RunResult | undefined> {
    for (const p of this.plans) if (!this.answers.has(key(argv)) && p.mayHold(argv)) await p.done;
    return this.answers.get(key(argv));
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const plain = opts.cwd === undefined && opts.env === undefined && opts.input === undefined && !opts.onStdout && !opts.onStderr;
    const hit = plain ? await this.answer(argv) : undefined;
    return hit ?? this.inner.run(argv, opts);
  }

  async readFile(path: string): Promise<string> {
    const hit = await this.answer(catOf(path));
    if (hit?.code === 0) return hit.stdout;
    return this.inner.readFile(path);
  }

  async exists(path: string): Promise<boolean> {
    const hit = await this.answer(catOf(path));
    if (hit?.code === 0) return true;
    if (hit && /No such file or directory/i.test(hit.stderr)) return false;
    return this.inner.exists(path);
  }

  writeFile(path: string, data: string, mode?: number): Promise<void> {
    return this.inner.writeFile(path, data, mode);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function catOf(path: string): string[] {
  return ['cat', '--', path];
}

