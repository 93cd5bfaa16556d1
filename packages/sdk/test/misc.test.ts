import { describe, expect, it } from 'vitest';
import { MAX_GO_DURATION_MS, MAX_WAIT_MS, formatDuration, parseDuration, parseTimeBound, toGoDuration } from '../src/duration.js';
import { assertEndpoint, endpointProblem } from '../src/config/endpoints.js';
import { quoteArg, quoteCommand } from '../src/exec/quote.js';
import { decodeCheckResponse, encodeCheckRequest } from '../src/clients/grpc-health.js';
import { LocalExecutor } from '../src/exec/local.js';
import { mapHttpError } from '../src/http/errors.js';

describe('durations', () => {
  it('parses units and bare seconds', () => {
    expect(parseDuration('2s')).toBe(2000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('20d')).toBe(20 * 86_400_000);
    expect(parseDuration('3')).toBe(3000);
  });
  it('rejects garbage with exit 2 naming the flag', () => {
    for (const bad of ['', 'abc', '5 s', '2x', '1h foo', '-5s', '-1']) {
      const usage = expect.objectContaining({ exitCode: 2, code: 'INVALID_DURATION', message: expect.stringContaining('--ttl') });
      expect(() => parseDuration(bad, '--ttl')).toThrow(usage);
    }
  });
  it('refuses 0 unless it means something, and what a timer cannot hold unless a larger max is given', () => {
    for (const zero of ['0', '0s', '0ms', '0.0001s']) expect(() => parseDuration(zero)).toThrow(/is zero/);
    expect(parseDuration('0', { flag: '--lock-wait', allowZero: true })).toBe(0);
    expect(parseDuration('24d')).toBe(MAX_WAIT_MS);
    expect(MAX_WAIT_MS).toBeLessThanOrEqual(2 ** 31 - 1);
    for (const long of ['30d', '24d1s', '2592000']) expect(() => parseDuration(long)).toThrow(/too long: at most 24d \(the longest wait a timer can hold\)/);
    expect(parseDuration('30d', { flag: '--ttl', max: MAX_GO_DURATION_MS })).toBe(30 * 86_400_000);
    expect(() => parseDuration('2h', { flag: '--x', max: 3_600_000 })).toThrow(/--x "2h" is too long: at most 1h\./);
  });
  it('sends hours for days (the server has no d unit)', () => {
    expect(toGoDuration(parseDuration('20d'))).toBe('480h');
    expect(toGoDuration(parseDuration('90m'))).toBe('90m');
  });
  it('formats durations back', () => {
    expect(formatDuration(MAX_WAIT_MS)).toBe('24d');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(250)).toBe('250ms');
  });
  it('parses log time bounds with the same grammar (d becomes hours for docker)', () => {
    const now = 1_750_000_000_000;
    expect(parseTimeBound('--since', '2d', now)).toEqual({ value: '48h', at: now - 2 * 86_400_000 });
    expect(parseTimeBound('--since', '1h30m', now)).toEqual({ value: '1h30m', at: now - 5_400_000 });
    expect(parseTimeBound('--since', '0s', now).at).toBe(now);
    expect(() => parseTimeBound('--since', 'yesterday', now)).toThrow(expect.objectContaining({ code: 'INVALID_TIME' }));
  });
});

describe('endpoints', () => {
  it('accepts the right scheme per kind', () => {
    expect(endpointProblem('gateway', 'https://api.example.com')).toBeUndefined();
    expect(endpointProblem('decklog-grpc', 'decklog:18006')).toBeUndefined();
    expect(endpointProblem('decklog-grpc', 'grpcs://decklog.example.com:443')).toBeUndefined();
    expect(endpointProblem('signalman-ws', 'wss://sig.example.com')).toBeUndefined();
  });
  it('rejects what is not an address', () => {
    expect(endpointProblem('gateway', 'localhost:18000')).toBeDefined();
    expect(endpointProblem('gateway', 'http://exa mple.com')).toBeDefined();
    expect(endpointProblem('decklog-grpc', 'decklog')).toMatch(/port/);
    expect(endpointProblem('gateway', 'https://user:pw@x.com')).toMatch(/credentials/);
    expect(() => assertEndpoint('gatway', 'http://x')).toThrow(/Unknown service "gatway"/);
  });
});

describe('shell quoting', () => {
  it('quotes every dangerous string so a shell sees one literal word', async () => {
    const evil = ['$(touch /tmp/pwned)', 'a; rm -rf ~', "it's", '`id`', 'x\ny', '', 'plain-word_1.2'];
    const sh = new LocalExecutor();
    for (const word of evil) {
      const res = await sh.run(['sh', '-c', `printf %s ${quoteArg(word)}`]);
      expect(res.stdout).toBe(word);
    }
    expect(quoteCommand(['docker', 'compose', '-f', 'a b.yml'])).toBe("docker compose -f 'a b.yml'");
  });
});

describe('grpc health codec', () => {
  it('encodes the request and decodes the response status', () => {
    expect(encodeCheckRequest('')).toHaveLength(0);
    expect([...encodeCheckRequest('svc')]).toEqual([0x0a, 3, 0x73, 0x76, 0x63]);
    expect(decodeCheckResponse(Buffer.from([0x08, 0x01])).status).toBe(1);
    expect(decodeCheckResponse(Buffer.from([0x08, 0x02])).status).toBe(2);
    expect(decodeCheckResponse(Buffer.alloc(0)).status).toBe(0);
  });
});

describe('HTTP error mapping', () => {
  const ctx = { service: 'Quartermaster', url: 'http://qm', context: 'prod' };
  const http = (statusCode: number, body: unknown) => ({ response: { statusCode, body } });
  it('maps status codes to exit codes with the server text', () => {
    expect(mapHttpError(http(401, { error: 'Invalid JWT token' }), ctx)).toMatchObject({ exitCode: 3, message: expect.stringContaining('Invalid JWT token') });
    expect(mapHttpError(http(403, { error: 'forbidden' }), ctx).exitCode).toBe(5);
    expect(mapHttpError(http(503, '{"error":"down"}'), ctx).exitCode).toBe(6);
    expect(mapHttpError(http(404, '404 page not found'), ctx)).toMatchObject({ exitCode: 1, code: 'NOT_FOUND' });
    expect(mapHttpError(http(500, { error: 'failed to list tokens' }), ctx).message).toContain('failed to list tokens');
  });
  it('maps network failures and timeouts to exit 6', () => {
    expect(mapHttpError({ code: 'ECONNREFUSED', name: 'RequestError', message: 'x' }, ctx).exitCode).toBe(6);
    expect(mapHttpError({ code: 'ETIMEDOUT', name: 'TimeoutError', message: 'x' }, ctx).code).toBe('TIMEOUT');
  });
});

describe('LocalExecutor timeouts', () => {
  it('kills a command that overruns and rejects with TIMEOUT, and a missing program fails at once', async () => {
    const sh = new LocalExecutor();
    const t0 = Date.now();
    await expect(sh.run(['sleep', '5'], { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT', exitCode: 6 });
    expect(Date.now() - t0).toBeLessThan(2000);
    const t1 = Date.now();
    await expect(sh.run(['definitely-not-a-program-xyz'], { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(Date.now() - t1).toBeLessThan(1000);
  });
});

describe('values sent to a server', () => {
  it('identifiers: no control characters, no whitespace, at most 128; names allow spaces', async () => {
    const { checkIdentifier, checkName } = await import('../src/input/server-text.js');
    expect(checkIdentifier('edge-ams-1', '--node-id')).toBe('edge-ams-1');
    expect(checkName('CI token for ams', '--name')).toBe('CI token for ams');
    const bad = { exitCode: 2, code: 'INVALID_INPUT' };
    for (const v of ['a\nb', 'a\rb', 'a\u001b[2J', 'a\u0000', 'a\u2028b', 'a\u202eb', 'a b', '', 'x'.repeat(129)]) {
      expect(() => checkIdentifier(v, '--cluster-id'), JSON.stringify(v)).toThrow(expect.objectContaining(bad));
    }
    for (const v of ['a\nb', '\t', '   ', 'x'.repeat(257)]) expect(() => checkName(v, '--name'), JSON.stringify(v)).toThrow(expect.objectContaining(bad));
  });
});

describe('stdin secrets', () => {
  it('first line without its ending; a terminal or empty stdin is exit 2; the value is redacted from then on', async () => {
    const { Readable } = await import('node:stream');
    const { readStdinSecret } = await import('../src/input/stdin.js');
    const { redact } = await import('../src/redact.js');
    const opts = { flag: '--token-stdin', what: 'token', example: 'printf %s "$T" | frameworks x --token-stdin' };
    expect(await readStdinSecret({ ...opts, input: Readable.from([Buffer.from('s3cr3t-value-xyz\r\nmore\n')]) })).toBe('s3cr3t-value-xyz');
    expect(redact('got s3cr3t-value-xyz')).not.toContain('s3cr3t-value-xyz');
    await expect(readStdinSecret({ ...opts, input: Readable.from([]) })).rejects.toMatchObject({ exitCode: 2, code: 'EMPTY_STDIN' });
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await expect(readStdinSecret({ ...opts, input: tty })).rejects.toMatchObject({ exitCode: 2, code: 'STDIN_IS_TTY' });
  });
});

describe('ajv errors → messages (one formatter)', () => {
  it('names the key path and what is wrong; drops wrapper and duplicate errors; takes a document wording', async () => {
    const { ajvMessages } = await import('../src/schema/ajv-messages.js');
    const errors = [
      { keyword: 'additionalProperties', instancePath: '/contexts/prod', params: { additionalProperty: 'extra' } },
      { keyword: 'required', instancePath: '/services/gateway/health', params: { missingProperty: 'path' } },
      { keyword: 'enum', instancePath: '/kind', params: { allowedValues: ['a', 'b'] } },
      { keyword: 'if', instancePath: '', params: {} },
      { keyword: 'pattern', instancePath: '/x', params: {}, propertyName: 'Bad' },
      { keyword: 'type', dataPath: '/n', params: {}, message: 'must be number' },
      { keyword: 'type', dataPath: '/n', params: {}, message: 'must be number' },
    ];
    expect(ajvMessages(errors)).toEqual([
      'contexts.prod.extra: unknown key',
      'services.gateway.health.path: is required',
      'kind: must be one of a, b',
      'n: must be number',
    ]);
    expect(ajvMessages(errors, { max: 1 })).toHaveLength(1);
    const wording = (_e: unknown, p: string) => (p === '/tag' ? 'tag: is not a tag' : undefined);
    expect(ajvMessages([{ keyword: 'pattern', instancePath: '/tag', params: {} }], { wording })).toEqual(['tag: is not a tag']);
  });
});

describe('timers from ~/.ssh/config', () => {
  it('a ConnectTimeout past what a timer holds is capped instead of firing at once', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { resolveSshHost } = await import('../src/exec/ssh-config.js');
    const { parseSshTarget } = await import('../src/exec/target.js');
    const home = mkdtempSync(join(tmpdir(), 'fw-sshcfg-'));
    const configFile = join(home, 'config');
    writeFileSync(configFile, 'Host slow\n  ConnectTimeout 3000000\n');
    const r = await resolveSshHost(parseSshTarget('slow'), { configFile, systemConfigFile: null, homeDir: home, localUser: 'me' });
    expect(r.connectTimeoutMs).toBe(MAX_WAIT_MS);
  });
});
