/**
 * The pure parts of the Compose driver: output parsing and error classification, with the exact
 * wordings v1 and v2 print (collected from docker-compose 1.29.2 and the v2.26 plugin). The driver
 * itself runs against a real engine in test/e2e/compose-driver.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { classify, stderrTail } from '../src/compose/errors.js';
import { LineSplitter, parseComposeLogLine, serviceOfPrefix } from '../src/compose/logs.js';
import { digestFor, parsePsIds, repositoryOf } from '../src/compose/ps.js';
import { readiness } from '../src/compose/project.js';
import { ComposeProject } from '../src/compose/index.js';
import { versionAtLeast } from '../src/compose/detect.js';
import { LocalExecutor } from '../src/exec/local.js';
import type { ComposeContainer } from '../src/compose/types.js';

describe('compose logs parsing', () => {
  it('splits chunks into lines as they complete, keeping partial lines', () => {
    const got: string[] = [];
    const s = new LineSplitter((l) => got.push(l));
    s.push('a\nb');
    expect(got).toEqual(['a']);
    s.push('c\r\n\nd');
    expect(got).toEqual(['a', 'bc', '']);
    s.end();
    expect(got).toEqual(['a', 'bc', '', 'd']);
  });

  it('maps v2 (svc-1), v1 (svc_1, proj_svc_1) and container_name prefixes to services', () => {
    const known = new Map([['edge-proxy', 'caddy']]);
    expect(serviceOfPrefix('helmsman-1', 'p', known)).toBe('helmsman');
    expect(serviceOfPrefix('helmsman_1', 'p', known)).toBe('helmsman');
    expect(serviceOfPrefix('p_helmsman_1', 'p', known)).toBe('helmsman');
    expect(serviceOfPrefix('p-helmsman-2', 'p', known)).toBe('helmsman');
    expect(serviceOfPrefix('edge-proxy', 'p', known)).toBe('caddy');
    expect(serviceOfPrefix('Attaching', 'p', known)).toBeUndefined();
  });

  it('parses prefixed lines, keeps " | " inside the text, strips v2 escapes and splits timestamps', () => {
    const known = new Map<string, string>();
    expect(parseComposeLogLine('\x1b[2Khelmsman-1  | level=info msg="a | b"', 'p', known, false)).toEqual({ service: 'helmsman', container: 'helmsman-1', text: 'level=info msg="a | b"' });
    expect(parseComposeLogLine('mist_1  |', 'p', known, false)).toEqual({ service: 'mist', container: 'mist_1', text: '' });
    expect(parseComposeLogLine('Attaching to p_mist_1', 'p', known, false)).toBeUndefined();
    expect(parseComposeLogLine('mist-1  | 2026-11-26T02:27:48.123456789Z hello', 'p', known, true)).toEqual({
      service: 'mist',
      container: 'mist-1',
      text: 'hello',
      timestamp: '2026-11-26T02:27:48.123456789Z',
    });
    expect(parseComposeLogLine('WARN[0000] x | y', 'p', known, false, true)).toBeUndefined();
  });
});

describe('docker ps/inspect parsing', () => {
  it('reads IDs from NDJSON and ignores anything else', () => {
    expect(parsePsIds('{"ID":"abc","Names":"p-a-1"}\n\n{"ID":"def"}\nwarning\n')).toEqual(['abc', 'def']);
  });

  it('finds the digest of an image reference among RepoDigests', () => {
    expect(repositoryOf('127.0.0.1:5000/edge/helmsman:1')).toBe('127.0.0.1:5000/edge/helmsman');
    expect(repositoryOf('127.0.0.1:5000/edge/helmsman')).toBe('127.0.0.1:5000/edge/helmsman');
    expect(repositoryOf('caddy:2@sha256:aa')).toBe('caddy');
    const rd = ['127.0.0.1:5000/edge/helmsman@sha256:11', '127.0.0.1:5000/e2e/x@sha256:22', 'caddy@sha256:33'];
    expect(digestFor('127.0.0.1:5000/e2e/x:current', rd)).toBe('sha256:22');
    expect(digestFor('docker.io/library/caddy:2', rd)).toBe('sha256:33');
    expect(digestFor('local/helmsman:1', rd)).toBeUndefined();
    expect(digestFor('repo@sha256:44', rd)).toBe('sha256:44');
  });
});

describe('readiness (wait for v1 and v2 alike)', () => {
  const c = (service: string, o: Partial<ComposeContainer>): ComposeContainer => ({
    id: service, name: service, project: 'p', service, number: 1, state: 'running', exitCode: 0, restartCount: 0, startedAt: '', restartPolicy: 'no',
    image: 'x', imageId: 'sha256:x', repoDigests: [], ports: [], oneoff: false, labels: {}, ...o,
  });
  it('is ready when running and healthy (or without healthcheck); one-shots that exited 0 count as done', () => {
    const r = readiness(['a', 'b', 'once'], [c('a', { health: 'healthy' }), c('b', {}), c('once', { state: 'exited', exitCode: 0 })]);
    expect(r.ready).toEqual(['a', 'b', 'once']);
    expect(r.pending).toEqual({});
    expect(r.failed).toEqual({});
  });
  it('waits on starting health, restarting and missing containers; fails on unhealthy or a crash', () => {
    const r = readiness(
      ['a', 'b', 'c', 'd', 'e'],
      [
        c('a', { health: 'starting' }),
        c('b', { state: 'restarting', exitCode: 2 }),
        c('c', { health: 'unhealthy', healthLog: 'probe 1\nconnection refused' }),
        c('d', { state: 'exited', exitCode: 1, restartPolicy: 'unless-stopped' }),
      ],
    );
    expect(r.pending).toEqual({ a: 'health: starting', b: 'restarting (last exit 2)', e: 'no container' });
    expect(r.failed).toEqual({ c: 'unhealthy: connection refused', d: 'exited (exit 1)' });
  });
});

describe('failure classification', () => {
  it('recognises v2 and v1 wordings', () => {
    expect(classify('Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?', 1)).toBe('daemon');
    expect(classify("docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))", 1)).toBe('daemon');
    expect(classify('permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock', 1)).toBe('permission');
    expect(classify('validating /d/x.yml: services.web Additional property nope is not allowed', 15)).toBe('file-invalid');
    expect(classify("The Compose file '/d/x.yml' is invalid because:\nUnsupported config option for services.web: 'nope'", 1)).toBe('file-invalid');
    expect(classify("yaml: line 1: did not find expected ',' or ']'", 15)).toBe('file-invalid');
    expect(classify('open /d/x.yml: no such file or directory', 14, ['/d/x.yml'])).toBe('file-missing');
    expect(classify("FileNotFoundError: [Errno 2] No such file or directory: '/d/x.yml'", 1, ['/d/x.yml'])).toBe('file-missing');
    // a missing bind-mount source is not a missing compose file
    expect(classify('open /srv/data/cert.pem: no such file or directory', 1, ['/d/x.yml'])).toBe('other');
    expect(classify('couldn\'t find env file: /d/.edge.env', 1)).toBe('file-missing');
    expect(classify('Error response from daemon: manifest for r/x:1 not found: manifest unknown: manifest unknown', 18)).toBe('pull');
    expect(classify("docker: 'compose' is not a docker command.", 1)).toBe('not-installed');
    expect(classify('sh: 1: docker-compose: not found', 127)).toBe('not-installed');
  });

  it('keeps the message of a python traceback, drops progress noise and redacts', () => {
    const tb = 'Traceback (most recent call last):\n  File "a.py", line 1\n    x()\nrequests.exceptions.ConnectionError: boom\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File "b.py"\ndocker.errors.DockerException: Error while fetching server API version: boom\n';
    expect(stderrTail(tb)).toBe('requests.exceptions.ConnectionError: boom\ndocker.errors.DockerException: Error while fetching server API version: boom');
    expect(stderrTail(' web Pulling \n⠿ web Pulled\nError: token=abcdefghijklmnop')).toBe(' web Pulling\nError: token=abcd…mnop (16 chars)');
  });
});

describe('ComposeProject arguments', () => {
  it('rejects names compose would rewrite, and bad env names', () => {
    const executor = new LocalExecutor();
    expect(() => new ComposeProject({ executor, name: 'Edge Stack', workingDir: '/x' })).toThrow(/is not a Compose project name/);
    expect(() => new ComposeProject({ executor, name: 'edge', workingDir: '/x', env: { 'A B': '1' } })).toThrow(/not an environment variable name/);
    const p = new ComposeProject({ executor, name: 'edge', workingDir: '/opt/edge dir', files: ['docker-compose.edge.yml', '/etc/extra.yml'], envFile: '.edge.env' });
    expect(p.files).toEqual(['/opt/edge dir/docker-compose.edge.yml', '/etc/extra.yml']);
    expect(p.envFile).toBe('/opt/edge dir/.edge.env');
  });
  it('compares versions numerically', () => {
    expect(versionAtLeast('1.29.2', '1.28.0')).toBe(true);
    expect(versionAtLeast('1.27.4', '1.28.0')).toBe(false);
    expect(versionAtLeast('2.26.1-4', '2.1.1')).toBe(true);
  });
});
