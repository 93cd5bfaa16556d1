import { describe, expect, it } from 'vitest';
import { DEFAULT_TAIL, checkService, parseGrep, parseTail, parseTimeBound, parseWindow } from '../src/logs/options.js';
import { formatLogLine } from '../src/logs/run.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const usage = (code: string) => expect.objectContaining({ exitCode: 2, code });

describe('--tail', () => {
  it('defaults to 200, or everything inside a --since/--until window', () => {
    expect(DEFAULT_TAIL).toBe(200);
    expect(parseTail(undefined, false)).toBe(200);
    expect(parseTail(undefined, true)).toBe('all');
  });
  it('a number (0 = no history, like docker), or all', () => {
    expect(parseTail('50', false)).toBe(50);
    expect(parseTail('0', false)).toBe(0);
    expect(parseTail('ALL', true)).toBe('all');
    expect(parseTail('10', true)).toBe(10);
  });
  it.each(['-1', '1.5', 'ten', ''])('%j exits 2', (v) => expect(() => parseTail(v, false)).toThrow(usage('INVALID_TAIL')));
});

describe('--since / --until', () => {
  it('Go durations pass through as docker reads them', () => {
    expect(parseTimeBound('--since', '10m', NOW)).toEqual({ value: '10m', at: NOW - 600_000 });
    expect(parseTimeBound('--since', '1h30m', NOW)).toEqual({ value: '1h30m', at: NOW - 5_400_000 });
    expect(parseTimeBound('--since', '1.5h', NOW).at).toBe(NOW - 5_400_000);
    expect(parseTimeBound('--since', '250ms', NOW).value).toBe('250ms');
  });
  it('days, which docker does not know, become hours', () => {
    expect(parseTimeBound('--since', '2d', NOW)).toEqual({ value: '48h', at: NOW - 2 * 86_400_000 });
    expect(parseTimeBound('--since', '1d12h', NOW).value).toBe('36h');
  });
  it('RFC 3339 (Z, offsets, fractions), a date alone, a Unix timestamp', () => {
    expect(parseTimeBound('--since', '2025-06-01T10:00:00Z', NOW)).toEqual({ value: '2025-06-01T10:00:00Z', at: Date.parse('2025-06-01T10:00:00Z') });
    expect(parseTimeBound('--until', '2025-06-01T10:00:00.123+02:00', NOW).at).toBe(Date.parse('2025-06-01T08:00:00.000Z'));
    expect(parseTimeBound('--since', '2025-06-01', NOW).at).toBe(Date.parse('2025-06-01T00:00:00Z'));
    expect(parseTimeBound('--since', '1748772000', NOW)).toEqual({ value: '1748772000', at: 1_748_772_000_000 });
  });
  it.each(['yesterday', '10', '10 m', '2025-13-01', '2025-06-01T25:00:00Z', '-5m', '5x', ''])('%j exits 2 before docker runs', (v) => {
    expect(() => parseTimeBound('--since', v, NOW)).toThrow(usage('INVALID_TIME'));
  });
  it('the error names the flag and gives examples', () => {
    expect(() => parseTimeBound('--until', 'later', NOW)).toThrow(/--until "later" is neither a time nor a duration/);
  });
  it('since must be before until', () => {
    expect(parseWindow('1h', '10m', NOW)).toMatchObject({ since: { value: '1h' }, until: { value: '10m' } });
    expect(() => parseWindow('10m', '1h', NOW)).toThrow(usage('EMPTY_WINDOW'));
    expect(() => parseWindow('2025-06-01T11:00:00Z', '2025-06-01T11:00:00Z', NOW)).toThrow(usage('EMPTY_WINDOW'));
    expect(parseWindow(undefined, undefined, NOW)).toEqual({});
  });
});

describe('--grep', () => {
  it('a regular expression, case-sensitive unless --ignore-case', () => {
    expect(parseGrep(undefined)).toBeUndefined();
    expect(parseGrep('mode=(draining|normal)')!.test('msg="x" mode=draining')).toBe(true);
    expect(parseGrep('ERROR')!.test('level=error')).toBe(false);
    expect(parseGrep('ERROR', true)!.test('level=error')).toBe(true);
  });
  it('an invalid pattern exits 2', () => {
    expect(() => parseGrep('mode=(')).toThrow(usage('INVALID_GREP'));
  });
});

describe('service validation', () => {
  const hint = (s: string) => `frameworks edge logs ${s} --dir /opt/edge`;
  it('a known service or none passes', () => {
    expect(() => checkService('helmsman', ['mistserver', 'helmsman', 'caddy'], hint)).not.toThrow();
    expect(() => checkService(undefined, ['caddy'], hint)).not.toThrow();
  });
  it('an unknown one exits 2 with the sorted list and runnable hints', () => {
    try {
      checkService('helmsmann', ['mistserver', 'helmsman', 'caddy'], hint);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ exitCode: 2, code: 'UNKNOWN_SERVICE', message: 'Unknown service "helmsmann": the stack has caddy, helmsman, mistserver.' });
      expect((err as { suggestions: string[] }).suggestions).toEqual([hint('caddy'), hint('helmsman'), hint('mistserver')]);
    }
  });
});

describe('formatLogLine', () => {
  it('service padded like compose, then " | "', () => {
    expect(formatLogLine({ service: 'caddy', line: 'hello' }, 10)).toBe('caddy      | hello');
    expect(formatLogLine({ service: 'helmsman', line: '' }, 8)).toBe('helmsman | ');
  });
  it('the host in a fleet, the timestamp when asked for', () => {
    expect(formatLogLine({ service: 'caddy', time: '2025-06-01T10:00:00.5Z', line: 'x' }, 5, { host: 'ops@edge-1', timestamps: true })).toBe('ops@edge-1 caddy | 2025-06-01T10:00:00.5Z x');
    expect(formatLogLine({ service: 'caddy', time: '2025-06-01T10:00:00.5Z', line: 'x' }, 5)).toBe('caddy | x');
  });
});
