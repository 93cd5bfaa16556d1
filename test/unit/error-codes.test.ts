// One catalogue of error codes (issue 7 §7): every code the sources emit is listed in
// @frameworks/sdk's ERROR_CODES with its exit status and meaning, and nothing listed is unused.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../packages/sdk/src/error-codes.js';
import { ExitCode } from '../../packages/sdk/src/errors.js';
import { derivedCodes, scanCodes } from './scan-codes.js';

const found = scanCodes();
const used = new Set([...found.map((f) => f.code), ...derivedCodes()]);

describe('error code catalogue', () => {
  it('the scan sees the sources (usage errors, code: properties, warnings)', () => {
    expect(found.length).toBeGreaterThan(200);
    expect(used).toContain('EMPTY_SSH_TARGET'); // usageError(…, 'CODE')
    expect(used).toContain('PARTIAL_FAILURE'); // code: cond ? 'A' : 'B'
    expect(used).toContain('JWT_EXPIRED_FALLBACK'); // this.warning(…, 'CODE')
    expect(used).not.toContain('SIGKILL'); // compared against, not emitted
  });

  it('lists every code the sources emit', () => {
    const missing = found.filter((f) => !Object.hasOwn(ERROR_CODES, f.code)).map((f) => `${f.code} (${f.kind}, ${f.where})`);
    expect(missing, 'add these to packages/sdk/src/error-codes.ts').toEqual([]);
  });

  it('lists no code that nothing emits', () => {
    const unused = Object.keys(ERROR_CODES).filter((c) => !used.has(c));
    expect(unused, 'remove these from packages/sdk/src/error-codes.ts').toEqual([]);
  });

  it('gives each code a documented exit status (null: a warning or finding) and a one-line meaning', () => {
    const exits = new Set<number>(Object.values(ExitCode));
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/);
      if (info.exit !== null) expect(exits.has(info.exit), `${code}: exit ${info.exit}`).toBe(true);
      expect(info.meaning, code).toMatch(/^[^\n]{10,140}$/);
    }
  });

  it('has one code per meaning where two had drifted (INVALID_PROJECT is INVALID_PROJECT_NAME)', () => {
    expect(ERROR_CODES).not.toHaveProperty('INVALID_PROJECT');
    expect(ERROR_CODES).not.toHaveProperty('NO_STDIN');
    expect(ERROR_CODES).toHaveProperty('INVALID_PROJECT_NAME');
  });
});
