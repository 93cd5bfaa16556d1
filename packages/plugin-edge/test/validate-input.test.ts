import { describe, expect, it } from 'vitest';
import { isFrameworksError } from '@frameworks/sdk';
import {
  defaultNodeName,
  isEnvSafe,
  validateBind,
  validateDomain,
  validateEmail,
  validateNodeName,
  validatePorts,
  validateProject,
  validateShmSize,
  validateToken,
} from '../src/lib/validate-input.js';

function rejects(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isFrameworksError(err), String(err)).toBe(true);
    if (!isFrameworksError(err)) return;
    expect(err.code).toBe(code);
    expect(err.exitCode).toBe(2);
    if (message) expect(err.message).toMatch(message);
    expect(err.suggestions.length).toBeGreaterThan(0);
    return;
  }
  throw new Error('expected a rejection');
}

describe('validateDomain', () => {
  it('accepts and lower-cases RFC 1123 names', () => {
    expect(validateDomain('edge-1.example.com', 'acme')).toEqual({ domain: 'edge-1.example.com', kind: 'dns', notes: [] });
    const r = validateDomain('Edge-1.Example.COM', 'acme');
    expect(r.domain).toBe('edge-1.example.com');
    expect(r.notes[0]).toMatch(/lower-cased/);
    expect(validateDomain('a.b', 'acme').domain).toBe('a.b');
    expect(validateDomain('xn--bcher-kva.example', 'internal').domain).toBe('xn--bcher-kva.example');
  });

  it('removes one trailing dot (the absolute form) with a note, rejects two', () => {
    const r = validateDomain('edge.example.com.', 'acme');
    expect(r.domain).toBe('edge.example.com');
    expect(r.notes.join()).toMatch(/trailing dot removed/);
    rejects(() => validateDomain('edge.example.com..', 'acme'), 'INVALID_DOMAIN', /empty label/);
  });

  it.each([
    ['edge .example.com', /a space/],
    [' edge.example.com', /a space/],
    ['edge.example.com\n', /a newline/],
    ['edge.example.com\nexample.org {', /a newline/],
    ['edge.example.com{', /"\{"/],
    ['edge}.example.com', /"\}"/],
    ['$(touch /tmp/pwned).example.com', /"\$"/],
    ['`id`.example.com', /a backtick/],
    ['edge.example.com;rm', /";"/],
    ['edge\t.example.com', /a tab/],
    ['edge/x.example.com', /"\/"/],
    ['edge"x".example.com', /a double quote/],
    ['edge.example.com:443', /":"/],
    ['edge\u0000.example.com', /control character/],
    ['-edge.example.com', /hyphen/],
    ['edge-.example.com', /hyphen/],
    ['.example.com', /empty label/],
    ['edge..example.com', /empty label/],
    ['', /empty/],
    ['999.1.1.1', /looks like an IP/],
  ])('rejects %j', (input, message) => {
    rejects(() => validateDomain(input, 'internal'), 'INVALID_DOMAIN', message);
  });

  it('rejects wildcards (DNS-01 is out of scope) and names that are too long', () => {
    rejects(() => validateDomain('*.example.com', 'acme'), 'INVALID_DOMAIN', /wildcard/);
    rejects(() => validateDomain(`${'a'.repeat(64)}.example.com`, 'acme'), 'INVALID_DOMAIN', /at most 63/);
    const long = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.');
    rejects(() => validateDomain(long, 'internal'), 'INVALID_DOMAIN', /at most 253/);
    expect(validateDomain(Array.from({ length: 4 }, () => 'a'.repeat(62)).join('.'), 'internal').domain.length).toBe(251);
  });

  it('rejects non-ASCII names and gives the punycode form', () => {
    try {
      validateDomain('bücher.example', 'internal');
      throw new Error('accepted');
    } catch (err) {
      expect(isFrameworksError(err) && err.suggestions[0]).toMatch(/xn--bcher-kva\.example/);
    }
  });

  it('IP addresses: rejected for ACME, accepted for --tls internal', () => {
    rejects(() => validateDomain('203.0.113.7', 'acme'), 'INVALID_DOMAIN', /IP address/);
    rejects(() => validateDomain('2001:db8::1', 'acme'), 'INVALID_DOMAIN', /IP address/);
    expect(validateDomain('203.0.113.7', 'internal')).toEqual({ domain: '203.0.113.7', kind: 'ipv4', notes: [] });
    expect(validateDomain('[2001:DB8::1]', 'internal')).toEqual({ domain: '2001:db8::1', kind: 'ipv6', notes: [] });
  });

  it('ACME needs a public name; internal accepts single labels and reserved TLDs', () => {
    rejects(() => validateDomain('edge', 'acme'), 'INVALID_DOMAIN', /single-label/);
    rejects(() => validateDomain('edge.test', 'acme'), 'INVALID_DOMAIN', /reserved "\.test"/);
    rejects(() => validateDomain('edge.local', 'acme'), 'INVALID_DOMAIN', /reserved/);
    rejects(() => validateDomain('edge.123', 'acme'), 'INVALID_DOMAIN', /numeric/);
    expect(validateDomain('edge', 'internal').domain).toBe('edge');
    expect(validateDomain('edge.test', 'internal').domain).toBe('edge.test');
  });

  it('never echoes a raw newline in the message', () => {
    try {
      validateDomain('a\nb', 'acme');
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
      expect((err as Error).message).toContain('"a\\nb"');
    }
  });
});

describe('validateEmail', () => {
  it('accepts sane addresses and lower-cases the domain', () => {
    expect(validateEmail('ops@example.com')).toBe('ops@example.com');
    expect(validateEmail('Ops.Team+edge@Example.COM')).toBe('Ops.Team+edge@example.com');
    expect(validateEmail('a_b-c%d@mail.example.co.uk')).toBe('a_b-c%d@mail.example.co.uk');
  });
  it.each([
    ['opsexample.com', /no @/],
    ['ops @example.com', /a space/],
    ['ops@example.com\n', /a newline/],
    ['ops@example.com\n}\nevil.com {', /a newline/],
    ['ops@exa{mple.com', /"\{"/],
    ['o}ps@example.com', /"\}"/],
    ['"ops"@example.com', /a double quote/],
    ["o'ps@example.com", /a single quote/],
    ['ops$x@example.com', /"\$"/],
    ['ops#x@example.com', /"#"/],
    ['ops@@example.com', /more than one @/],
    ['@example.com', /nothing before/],
    ['ops@', /nothing after/],
    ['.ops@example.com', /mailbox/],
    ['o..ps@example.com', /mailbox/],
    ['ops@localhost', /mail domain/],
    ['ops@-x.example.com', /mail domain/],
    ['', /empty/],
  ])('rejects %j', (input, message) => {
    rejects(() => validateEmail(input), 'INVALID_EMAIL', message);
  });
});

describe('validateToken', () => {
  it('accepts token shapes and empty', () => {
    expect(validateToken('')).toBe('');
    expect(validateToken('bt_0123456789abcdefABCDEF')).toBe('bt_0123456789abcdefABCDEF');
    expect(validateToken('eyJhbGciOiJIUzI1NiJ9.e30.sig-_=')).toBe('eyJhbGciOiJIUzI1NiJ9.e30.sig-_=');
  });
  it.each([['tok en'], ['token\n'], ['tok"en'], ['tok$en'], ['tok#en'], ['tok{en}']])('rejects %j without echoing it', (input) => {
    try {
      validateToken(input);
      throw new Error('accepted');
    } catch (err) {
      expect(isFrameworksError(err) && err.code).toBe('INVALID_TOKEN');
      expect((err as Error).message).not.toContain(input);
    }
  });
});

describe('other settings', () => {
  it('node name', () => {
    expect(validateNodeName('Edge-AMS-1')).toBe('edge-ams-1');
    rejects(() => validateNodeName('edge_1'), 'INVALID_NODE_NAME');
    rejects(() => validateNodeName('-edge'), 'INVALID_NODE_NAME');
    expect(defaultNodeName({ domain: 'edge-1.example.com', kind: 'dns', notes: [] })).toBe('edge-1');
    expect(defaultNodeName({ domain: '203.0.113.7', kind: 'ipv4', notes: [] })).toBe('edge-203-0-113-7');
    expect(defaultNodeName({ domain: '2001:db8::1', kind: 'ipv6', notes: [] })).toBe('edge-2001-db8-1');
  });
  it('shm size, project, bind, ports', () => {
    expect(validateShmSize('1G')).toBe('1g');
    expect(validateShmSize('536870912')).toBe('536870912');
    rejects(() => validateShmSize('1 g'), 'INVALID_SHM_SIZE');
    rejects(() => validateShmSize('0g'), 'INVALID_SHM_SIZE');
    expect(validateProject('frameworks-edge')).toBe('frameworks-edge');
    rejects(() => validateProject('Edge'), 'INVALID_PROJECT_NAME');
    expect(validateBind('127.0.0.1')).toBe('127.0.0.1');
    rejects(() => validateBind('::1'), 'INVALID_BIND');
    rejects(() => validateBind('localhost'), 'INVALID_BIND');
    rejects(() => validatePorts(8080, 8080), 'INVALID_PORT');
    expect(() => validatePorts(80, 443)).not.toThrow();
  });
  it('isEnvSafe', () => {
    expect(isEnvSafe('http://localhost:18008')).toBe(true);
    expect(isEnvSafe('')).toBe(true);
    for (const bad of ['a b', 'a\nb', 'a$b', 'a#b', 'a"b', "a'b", 'a`b', 'a\\b', 'a{b']) expect(isEnvSafe(bad)).toBe(false);
  });
});
