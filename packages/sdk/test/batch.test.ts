import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor, PrefetchExecutor, runBatch, type Executor, type RunOptions, type RunResult } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fw-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Counts what reaches the host. */
class Counting implements Executor {
  readonly name = 'counting';
  readonly calls: string[][] = [];
  private readonly inner = new LocalExecutor();
  run(argv: string[], opts?: RunOptions): Promise<RunResult> {
    this.calls.push(argv);
    return this.inner.run(argv, opts);
  }
  readFile(p: string) {
    this.calls.push(['readFile', p]);
    return this.inner.readFile(p);
  }
  writeFile(p: string, d: string) {
    return this.inner.writeFile(p, d);
  }
  exists(p: string) {
    this.calls.push(['exists', p]);
    return this.inner.exists(p);
  }
  close() {
    return Promise.resolve();
  }
}

describe('runBatch: many commands, one sh script', () => {
  it('gives each command its own exit status, stdout and stderr, byte for byte, with every value quoted', async () => {
    const nasty = ["it's", 'a b', '$(touch pwned)', '`id`', 'line1\nline2', '', '*', '; exit 3'];
    const commands = [
      ['printf', '%s|', ...nasty],
      ['sh', '-c', 'echo out; echo err >&2; exit 7'],
      ['printf', 'no newline at the end'],
      ['no-such-program-frameworks'],
      ['cat', join(dir, 'missing')],
    ];
    const r = (await runBatch(new LocalExecutor(), commands))!;
    expect(r).toHaveLength(5);
    expect(r[0]).toMatchObject({ code: 0, stdout: `${nasty.join('|')}|`, stderr: '' });
    expect(r[1]).toMatchObject({ code: 7, stdout: 'out\n', stderr: 'err\n' });
    expect(r[2].stdout).toBe('no newline at the end');
    expect(r[3].code).toBe(127);
    expect(r[3].stderr).toMatch(/no-such-program-frameworks: (command )?not found/);
    expect(r[4].code).not.toBe(0);
    expect(r[4].stderr).toMatch(/No such file/);
  });

  it('PrefetchExecutor: gathered commands and files cost no further run; others run as usual', async () => {
    const file = join(dir, 'env');
    writeFileSync(file, 'A=1\n');
    const host = new Counting();
    const x = new PrefetchExecutor(host);
    await x.gather([['echo', 'hi']], [file, join(dir, 'absent')]);
    expect(host.calls).toHaveLength(1);
    expect((await x.run(['echo', 'hi'])).stdout).toBe('hi\n');
    expect(await x.readFile(file)).toBe('A=1\n');
    expect(await x.exists(file)).toBe(true);
    expect(await x.exists(join(dir, 'absent'))).toBe(false);
    expect(host.calls).toHaveLength(1);
    // A command with its own stdin is never served from the batch.
    expect((await x.run(['cat'], { input: 'typed' })).stdout).toBe('typed');
    expect(host.calls).toHaveLength(2);
  });

  it('a second round planned from the first one’s answers: commands it may hold wait for it', async () => {
    const host = new Counting();
    const x = new PrefetchExecutor(host);
    const first = x.gather([['echo', 'second']], []);
    void x.prefetchAfter(async () => {
      await first;
      return [['echo', (await x.run(['echo', 'second'])).stdout.trim(), 'round']];
    }, (argv) => argv[0] === 'echo' && argv[2] === 'round');
    expect((await x.run(['echo', 'second', 'round'])).stdout).toBe('second round\n');
    expect(host.calls).toHaveLength(2);
  });

  it('a host that cannot run the script: undefined, and the prefetcher falls back to one command at a time', async () => {
    const noShell = new (class extends Counting {
      override run(argv: string[]): Promise<RunResult> {
        return Promise.resolve({ code: 127, stdout: '', stderr: `${argv[0]}: not found`, display: argv.join(' ') });
      }
    })();
    expect(await runBatch(noShell, [['true']])).toBeUndefined();
    const x = new PrefetchExecutor(noShell);
    await x.gather([['true']], []);
    expect(x.broken).toBe(true);
    expect((await x.run(['true'])).code).toBe(127);
  });
});
