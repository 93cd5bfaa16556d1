import { describe, expect, it } from 'vitest';
import { buildBootstrapTokenBody } from '../src/clients/quartermaster.js';
import { buildDeveloperTokenBody } from '../src/clients/commodore.js';
import { normaliseMode } from '../src/clients/foghorn.js';
import { listOf, parseRfc3339, withDates } from '../src/clients/rest-util.js';

describe('parseRfc3339', () => {
  it('accepts Go RFC3339Nano with Z or an offset, truncating below milliseconds', () => {
    expect(parseRfc3339('2025-09-08T18:00:00.123456789Z')!.toISOString()).toBe('2025-09-08T18:00:00.123Z');
    expect(parseRfc3339('2025-09-08T20:00:00+02:00')!.toISOString()).toBe('2025-09-08T18:00:00.000Z');
    expect(parseRfc3339('0001-01-01T00:00:00Z')!.getUTCFullYear()).toBe(1);
  });
  it('rejects what is not RFC3339', () => {
    for (const bad of ['2025-09-08', '2025-09-08 18:00:00Z', '2025-09-08T18:00:00', '2025-02-30T00:00:00Z', 'yesterday', '1725818400']) {
      expect(parseRfc3339(bad), bad).toBeUndefined();
    }
  });
});

describe('withDates / listOf', () => {
  it('adds a non-enumerable dates companion and skips null', () => {
    const o = withDates('X', { a: '2025-09-08T18:00:00Z', b: null as string | null }, ['a', 'b'] as const);
    expect(o.dates.a).toBeInstanceOf(Date);
    expect(o.dates.b).toBeUndefined();
    expect(Object.keys(o)).toEqual(['a', 'b']);
    expect(() => withDates('X', { a: 'nope' }, ['a'] as const)).toThrow(/not an RFC3339/);
  });
  it('null → [], a non-array → BAD_RESPONSE', () => {
    expect(listOf('X', { items: null }, 'items')).toEqual([]);
    expect(listOf('X', { items: [1] }, 'items')).toEqual([1]);
    expect(() => listOf('X', { items: 'x' }, 'items')).toThrow(/unexpected reply/);
    expect(() => listOf('X', 'text', 'items')).toThrow(/unexpected reply/);
  });
});

describe('request bodies', () => {
  it('bootstrap ttl: days become hours, minutes stay minutes, default 24h', () => {
    expect(buildBootstrapTokenBody({ kind: 'service', ttl: '30d' }).ttl).toBe('720h');
    expect(buildBootstrapTokenBody({ kind: 'service', ttl: '90m' }).ttl).toBe('90m');
    expect(buildBootstrapTokenBody({ kind: 'service' })).toEqual({ kind: 'service', ttl: '24h' });
    expect(buildBootstrapTokenBody({ kind: 'service', metadata: {} })).not.toHaveProperty('metadata');
  });
  it('developer token expiry is absolute RFC3339 from now', () => {
    const now = new Date('2025-09-08T18:00:00Z');
    expect(buildDeveloperTokenBody({ name: 'ci', expiresIn: '30d' }, now)).toEqual({ token_name: 'ci', expires_at: '2025-10-08T18:00:00.000Z' });
    expect(() => buildDeveloperTokenBody({ name: 'ci', expiresAt: '2020-01-01T00:00:00Z' }, now)).toThrow(/in the past/);
  });
  it('modes are case-insensitive and validated', () => {
    expect(normaliseMode(' Draining ')).toBe('draining');
    expect(() => normaliseMode('drain')).toThrow(/not an operational mode/);
  });
});
