import { describe, expect, it } from 'vitest';
import { parseSshTarget, parseSshTargets } from '../src/exec/target.js';
import { runBounded } from '../src/exec/fleet.js';

describe('--ssh targets', () => {
  it('parses user@host[:port], bare hosts, aliases and [v6]:port', () => {
    expect(parseSshTarget('ops@edge-1.example.com:2222')).toEqual({ spec: 'ops@edge-1.example.com:2222', user: 'ops', host: 'edge-1.example.com', port: 2222 });
    expect(parseSshTarget('edge1')).toMatchObject({ host: 'edge1', user: undefined, port: undefined });
    expect(parseSshTarget('root@[::1]:22')).toMatchObject({ user: 'root', host: '::1', port: 22 });
    expect(parseSshTarget('10.0.0.5')).toMatchObject({ host: '10.0.0.5' });
  });

  it('rejects what could reach a shell or is not a host (exit 2)', () => {
    for (const bad of ['', 'a;b', '$(touch /tmp/x)', 'user@', 'h:99999', 'h:port', 'us er@h', '-oProxyCommand=x', 'h/x']) {
      expect(() => parseSshTarget(bad), bad).toThrow(expect.objectContaining({ exitCode: 2, code: 'INVALID_SSH_TARGET' }));
    }
  });

  it('is repeatable and comma-separated, and drops duplicates (one connection per host)', () => {
    const t = parseSshTargets(['a@h1,a@h2', 'a@h1', ' h3 ', 'a@h2']);
    expect(t.map((x) => x.spec)).toEqual(['a@h1', 'a@h2', 'h3']);
  });

  it('refuses a blank entry instead of skipping it (an unset $HOSTS must not mean this machine)', () => {
    for (const bad of [[''], [' '], [','], ['a@h1,'], ['a@h1', ''], ['a@h1, ,a@h2']]) {
      expect(() => parseSshTargets(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ exitCode: 2, code: 'EMPTY_SSH_TARGET' }));
    }
    expect(parseSshTargets(undefined)).toEqual([]);
  });
});

describe('runBounded', () => {
  it('never runs more than `parallel` at once and keeps every outcome in order', async () => {
    let running = 0;
    let peak = 0;
    const hosts = Array.from({ length: 12 }, (_, i) => i);
    const out = await runBounded(hosts, (h) => `h${h}`, async (h) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 + (h % 3) * 5));
      running--;
      if (h % 4 === 0) throw new Error(`boom ${h}`);
      return h * 2;
    }, 3);
    expect(peak).toBe(3);
    expect(out.map((o) => o.host)).toEqual(hosts.map((h) => `h${h}`));
    expect(out.filter((o) => !o.ok).map((o) => o.host)).toEqual(['h0', 'h4', 'h8']);
    expect(out[1]).toMatchObject({ ok: true, value: 2 });
  });
});
