import { describe, expect, it } from 'vitest';
import { Pipeline, type Stage } from '../src/pipeline/stages.js';

const stage = (name: string, run: Stage['run'], interruptible = false): Stage => ({ name, title: `Stage ${name}`, hints: [`frameworks edge status   # ${name}`], run, interruptible });

describe('Pipeline and Ctrl-C', () => {
  it('lets the stage in flight finish, starts no new one, and fails INTERRUPTED (exit 130) before the next', async () => {
    const ctl = new AbortController();
    const ran: string[] = [];
    const p = new Pipeline(
      [
        stage('a', async () => {
          ctl.abort();
          await new Promise((r) => setTimeout(r, 30));
          ran.push('a');
          return { detail: 'done' };
        }),
        stage('b', async () => (ran.push('b'), { detail: 'never' })),
      ],
      { timeoutMs: 5_000, what: 'edge update', codePrefix: 'UPDATE', interrupt: ctl.signal, graceMs: 1_000 },
    );
    const err = await p.runAll().catch((e: unknown) => e);
    expect(ran).toEqual(['a']);
    expect(p.reports.map((r) => r.status)).toEqual(['ok', 'not-run']);
    expect(p.interrupted).toBe(true);
    const e = p.error(err, { partial: true });
    expect(e).toMatchObject({ code: 'INTERRUPTED', exitCode: 130, result: { partial: true } });
    expect(e.message).toBe('edge update was interrupted before stage "b" (Stage b)');
  });

  it('stops a wait at once, and cuts off any other stage after the grace', async () => {
    const ctl = new AbortController();
    const wait = new Pipeline([stage('healthy', (run) => new Promise((r) => run.signal.addEventListener('abort', () => r({ detail: 'x' }))), true)], {
      timeoutMs: 60_000, what: 'edge update', codePrefix: 'UPDATE', interrupt: ctl.signal, graceMs: 60_000,
    });
    setTimeout(() => ctl.abort(), 20);
    await expect(wait.runAll()).rejects.toThrow(/interrupted while stage healthy/);
    expect(wait.reports[0].status).toBe('interrupted');

    const ctl2 = new AbortController();
    const stuck = new Pipeline([stage('up', () => new Promise(() => undefined))], { timeoutMs: 60_000, what: 'edge update', codePrefix: 'UPDATE', interrupt: ctl2.signal, graceMs: 50 });
    setTimeout(() => ctl2.abort(), 20);
    await expect(stuck.runAll()).rejects.toThrow('did not finish within 0.1s of the interrupt');
    expect(stuck.error(new Error('x'), null)).toMatchObject({ code: 'INTERRUPTED', exitCode: 130 });
  });
});
