import { describe, expect, it } from 'vitest';
import { truncate, visibleLength, wrap } from '../src/output/fit.js';
import { conditionOf } from '../src/output/health.js';
import { renderTable } from '../src/output/table.js';
import { localDate, relativeTime } from '../src/output/time.js';
import { timeLeft } from '../src/output/progress.js';

describe('fitting text to a width', () => {
  it('cuts at a word boundary when that keeps most of the text, else at a character; never inside a colour code', () => {
    expect(truncate('free, or held by this edge stack', 16)).toBe('free, or held…');
    expect(truncate('5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10', 10)).toBe('5b0c1e1e-…');
    const red = '\u001b[31m✗ unreachable endpoint\u001b[39m';
    const cut = truncate(red, 8);
    expect(visibleLength(cut)).toBe(8);
    expect(cut.startsWith('\u001b[31m✗')).toBe(true);
    expect(cut.endsWith('…\u001b[0m')).toBe(true); // the open colour is closed, no half escape
    expect(truncate('short', 10)).toBe('short');
  });

  it('wraps at spaces, cutting only a word longer than the line', () => {
    expect(wrap('Create an A record for edge.example.com pointing here', 20)).toEqual(['Create an A record', 'for edge.example.com', 'pointing here']);
    expect(wrap('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });
});

describe('renderTable at a width', () => {
  const rows = [
    { id: 'b03c5a15-6bcb-407f-b4f0-38635059ac13', tenant: '5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10', note: 'a long note that will not fit in a narrow terminal at all', hint: 'run this' },
  ];
  const cols = [
    { header: 'id', get: (r: (typeof rows)[0]) => r.id, id: true },
    { header: 'tenant', get: (r: (typeof rows)[0]) => r.tenant, optional: true },
    { header: 'note', get: (r: (typeof rows)[0]) => r.note },
    { header: 'hint', get: (r: (typeof rows)[0]) => r.hint, below: true },
  ];

  it('fits: ids whole, optional columns dropped when even shortened cells would not fit, hints under the row', () => {
    const out = renderTable(rows, cols, { width: 50 }).split('\n');
    for (const l of out) expect(visibleLength(l)).toBeLessThanOrEqual(50);
    expect(out[0]).toMatch(/^ID\s+NOTE$/);
    expect(out[1]).toContain(rows[0].id);
    expect(out[1]).toMatch(/…$/);
    expect(out[2]).toBe('  → run this');
  });

  it('the full table (off a terminal, -o wide) has every column, whole', () => {
    const out = renderTable(rows, cols, { width: null }).split('\n');
    expect(out[0]).toMatch(/^ID\s+TENANT\s+NOTE\s+HINT$/);
    expect(out[1]).toContain(rows[0].note);
  });
});

describe('times and the status vocabulary', () => {
  it('relative times read as people say them, both ways', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(relativeTime(now + 23 * 3600_000, now)).toBe('in 23 h');
    expect(relativeTime(now - 2 * 86_400_000, now)).toBe('2 d ago');
    expect(relativeTime(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(relativeTime(now + 10_000, now)).toBe('just now');
    expect(relativeTime(undefined, now)).toBe('-');
    expect(localDate('2026-12-03T12:00:00Z')).toMatch(/^2026-12-0[34] \d\d:\d\d \S+$/);
    expect(timeLeft(8_000)).toBe('8 s');
    expect(timeLeft(125_000)).toBe('2 min 05 s');
  });

  it('raw health words map to ok / degraded / down / unknown', () => {
    expect(['healthy', 'SERVING', 'ok'].map(conditionOf)).toEqual(['ok', 'ok', 'ok']);
    expect(['starting', 'degraded'].map(conditionOf)).toEqual(['degraded', 'degraded']);
    expect(['unhealthy', 'NOT_SERVING', 'exited'].map(conditionOf)).toEqual(['down', 'down', 'down']);
    expect(['none', '', undefined].map(conditionOf)).toEqual(['unknown', 'unknown', 'unknown']);
  });
});
