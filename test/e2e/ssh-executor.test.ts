/**
 * SshExecutor against a real OpenSSH server on 127.0.0.1 (test/support/sshd.ts). The server and
 * this process share the filesystem, so what the remote side did is checked with plain fs calls.
 * Every path (HOME, known_hosts, ssh config) is a temp one: the real ~/.ssh is never read or written.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFrameworksError, type FrameworksError } from '../../packages/sdk/src/errors.js';
import { checkHostKey, fingerprint, hashHostName, hostMatches, knownHostName, parseKnownHosts } from '../../packages/sdk/src/exec/known-hosts.js';
import { setTraceSink } from '../../packages/sdk/src/log.js';
import { resolveSshHost } from '../../packages/sdk/src/exec/ssh-config.js';
import { closeAllSsh, connectSsh, remoteCommand, type SshExecutor, type SshOptions } from '../../packages/sdk/src/exec/ssh.js';
import { parseSshTarget, type SshTarget } from '../../packages/sdk/src/exec/target.js';
import { freePort, startSshd, type Sshd } from '../support/sshd.js';

const run = promisify(execFile);

let sshd: Sshd;
let tmp: string;
let n = 0;

/** A fresh temp HOME with an empty ~/.ssh; nothing from the developer's environment. */
async function sandbox(): Promise<{ home: string; knownHosts: string; config: string }> {
  const home = join(tmp, `home-${++n}`);
  await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  return { home, knownHosts: join(home, '.ssh', 'known_hosts'), config: join(home, '.ssh', 'config') };
}

function options(box: { home: string; knownHosts: string; config: string }, extra: SshOptions = {}): SshOptions {
  return {
    homeDir: box.home,
    knownHostsFile: box.knownHosts,
    sshConfigFile: box.config,
    systemSshConfigFile: null,
    globalKnownHostsFiles: [],
    env: {},
    identityFile: sshd.clientKey,
    connectTimeoutMs: 5000,
    ...extra,
  };
}

const target = (): SshTarget => parseSshTarget(`${sshd.user}@127.0.0.1:${sshd.port}`);

async function failure(p: Promise<unknown>): Promise<FrameworksError> {
  try {
    await p;
  } catch (err) {
    if (isFrameworksError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

/** OpenSSH's own fingerprint of a public key line, to check ours against. */
async function sshKeygenFingerprint(publicKey: string): Promise<string> {
  const f = join(tmp, `fp-${++n}.pub`);
  await writeFile(f, `${publicKey}\n`);
  const { stdout } = await run('ssh-keygen', ['-lf', f]);
  return stdout.split(/\s+/)[1];
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'fw-ssh-exec-'));
  sshd = await startSshd();
});

afterAll(async () => {
  await closeAllSsh();
  await sshd?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('pure parts', () => {
  it('builds one quoted remote command line: cd, env, exec', () => {
    expect(remoteCommand(['docker', 'compose', 'up', '-d'], { cwd: '/opt/edge dir', env: { A: 'x y' } })).toBe("cd -- '/opt/edge dir' && exec env 'A=x y' docker compose up -d");
    expect(remoteCommand(['echo', '$(id)', ''])).toBe("exec echo '$(id)' ''");
    expect(remoteCommand(['env'], { env: { SERVICE_TOKEN: 'abcdefgh' } }, true)).toBe("env 'SERVICE_TOKEN=****' env");
    expect(() => remoteCommand(['true'], { env: { 'A B': '1' } })).toThrow(/not an environment variable name/);
  });

  it('matches known_hosts host fields: lists, wildcards, negation, [host]:port, hashed', () => {
    expect(knownHostName('Edge.Example.COM')).toBe('edge.example.com');
    expect(knownHostName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(hostMatches('a.example.com,b.example.com', 'b.example.com')).toBe(true);
    expect(hostMatches('*.example.com,!bad.example.com', 'bad.example.com')).toBe(false);
    expect(hostMatches('*.example.com', 'x.example.com')).toBe(true);
    expect(hostMatches('[127.0.0.1]:2222', '127.0.0.1')).toBe(false);
    expect(hostMatches(hashHostName('[10.0.0.1]:2222'), '[10.0.0.1]:2222')).toBe(true);
    expect(hostMatches(hashHostName('[10.0.0.1]:2222'), '10.0.0.1')).toBe(false);
  });

  it('parses markers, skips malformed lines and compares keys by type and blob', () => {
    const [type, b64] = sshd.hostPublicKey.split(' ');
    const [, other] = sshd.alternateHostPublicKey.split(' ');
    const entries = parseKnownHosts(
      ['# comment', '', `h1 ${type} ${b64} comment`, `@cert-authority * ${type} ${other}`, 'garbage', `h2 ssh-rsa ${b64}`, `@revoked h3 ${type} ${b64}`].join('\n'),
    );
    expect(entries.map((e) => [e.hosts, e.marker])).toEqual([
      ['h1', undefined],
      ['*', 'cert-authority'],
      ['h3', 'revoked'],
    ]);
    const key = Buffer.from(b64, 'base64');
    expect(checkHostKey(entries, 'h1', key).status).toBe('match');
    expect(checkHostKey(entries, 'h1', Buffer.from(other, 'base64')).status).toBe('changed');
    expect(checkHostKey(entries, 'h9', Buffer.from(other, 'base64')).status).toBe('unknown'); // a CA line is no host key
    expect(checkHostKey(entries, 'h3', key).status).toBe('revoked');
  });

  it('prints fingerprints exactly as ssh-keygen does', async () => {
    const key = Buffer.from(sshd.hostPublicKey.split(' ')[1], 'base64');
    expect(fingerprint(key)).toBe(await sshKeygenFingerprint(sshd.hostPublicKey));
  });

  it('resolves ssh config: typed user@ and :port win over the config, tokens and ~ expand', async () => {
    const box = await sandbox();
    await writeFile(box.config, ['Host edge*', '  HostName %h.example.net', '  User ops', '  Port 2200', '  IdentityFile ~/.ssh/id_%r_%h', '  UserKnownHostsFile %d/kh', '  StrictHostKeyChecking accept-new', '  ConnectTimeout 3', ''].join('\n'));
    const r = await resolveSshHost(parseSshTarget('edge7'), { configFile: box.config, systemConfigFile: null, homeDir: box.home, localUser: 'me' });
    expect(r).toMatchObject({ hostName: 'edge7.example.net', user: 'ops', port: 2200, identityFiles: [join(box.home, '.ssh', 'id_ops_edge7.example.net')], userKnownHostsFiles: [join(box.home, 'kh')], strictHostKeyChecking: 'accept-new', connectTimeoutMs: 3000 });
    const typed = await resolveSshHost(parseSshTarget('root@edge7:2201'), { configFile: box.config, systemConfigFile: null, homeDir: box.home, localUser: 'me' });
    expect(typed).toMatchObject({ user: 'root', port: 2201 });
    const plain = await resolveSshHost(parseSshTarget('other.host'), { configFile: box.config, systemConfigFile: null, homeDir: box.home, localUser: 'me' });
    expect(plain).toMatchObject({ hostName: 'other.host', user: 'me', port: 22, identityFiles: [], strictHostKeyChecking: 'ask' });
  });

  it('follows Include (relative to ~/.ssh, with wildcards); reads ProxyJump chains (and none); refuses ProxyCommand', async () => {
    const box = await sandbox();
    await mkdir(join(box.home, '.ssh', 'conf.d'));
    await writeFile(join(box.home, '.ssh', 'conf.d', 'a.conf'), 'Host inc\n  HostName 10.1.2.3\n  Port 2022\n');
    await writeFile(
      box.config,
      'Include conf.d/*.conf\nHost jumpy\n  ProxyJump ops@bastion:2222,ssh://inner\nHost nojump\n  ProxyJump none\nHost cmd\n  ProxyCommand nc %h %p\n',
    );
    const o = { configFile: box.config, systemConfigFile: null, homeDir: box.home, localUser: 'me' };
    expect(await resolveSshHost(parseSshTarget('inc'), o)).toMatchObject({ hostName: '10.1.2.3', port: 2022 });
    const jumpy = await resolveSshHost(parseSshTarget('jumpy'), o);
    expect(jumpy.proxyJump?.map((h) => [h.user, h.host, h.port])).toEqual([['ops', 'bastion', 2222], [undefined, 'inner', undefined]]);
    expect((await resolveSshHost(parseSshTarget('nojump'), o)).proxyJump).toBeUndefined();
    expect(await failure(resolveSshHost(parseSshTarget('cmd'), o))).toMatchObject({ code: 'SSH_CONFIG_UNSUPPORTED', exitCode: 4 });
  });
});

describe('running commands', () => {
  let ex: SshExecutor;
  let box: Awaited<ReturnType<typeof sandbox>>;

  beforeAll(async () => {
    box = await sandbox();
    await writeFile(box.knownHosts, `${sshd.knownHostsLine()}\n`);
    ex = await connectSsh(target(), options(box));
  });
  afterAll(async () => {
    await ex?.close();
  });

  it('runs argv and returns exit codes, stdout, stderr and the display form', async () => {
    expect(ex.name).toBe(`${sshd.user}@127.0.0.1:${sshd.port}`);
    const r = await ex.run(['printf', '%s|', 'a b', '', 'c']);
    expect(r).toEqual({ code: 0, stdout: 'a b||c|', stderr: '', display: "printf '%s|' 'a b' '' c" });
    expect((await ex.run(['sh', '-c', 'echo oops >&2; exit 3'])).code).toBe(3);
    expect((await ex.run(['sh', '-c', 'echo oops >&2; exit 3'])).stderr).toBe('oops\n');
    expect((await ex.run(['false'])).code).toBe(1);
    expect((await ex.run(['no-such-command-xyz'])).code).toBe(127);
    expect((await ex.run(['cat'], { input: 'from stdin\nline 2' })).stdout).toBe('from stdin\nline 2');
  });

  it('streams stdout and stderr chunks as they arrive', async () => {
    const events: Array<{ at: number; stream: string; text: string }> = [];
    const r = await ex.run(['sh', '-c', 'echo a; echo x >&2; sleep 1; echo b'], {
      onStdout: (c) => events.push({ at: performance.now(), stream: 'out', text: c }),
      onStderr: (c) => events.push({ at: performance.now(), stream: 'err', text: c }),
    });
    expect(r.stdout).toBe('a\nb\n');
    expect(r.stderr).toBe('x\n');
    const a = events.find((e) => e.text.includes('a'))!;
    const b = events.find((e) => e.text.includes('b'))!;
    expect(a).not.toBe(b); // two chunks: `a` was delivered on its own, before `b` existed
    expect(a.at).toBeLessThan(b.at);
    expect(events.filter((e) => e.stream === 'err').map((e) => e.text).join('')).toBe('x\n');
  });

  it('honours cwd and env', async () => {
    const dir = await mkdtemp(join(tmp, 'cwd '));
    expect((await ex.run(['pwd'], { cwd: dir })).stdout).toBe(`${dir}\n`);
    const r = await ex.run(['sh', '-c', 'printf "%s|%s" "$ONE" "$TWO"'], { env: { ONE: 'x y $(id)', TWO: "it's" } });
    expect(r.stdout).toBe("x y $(id)|it's");
    const missing = await ex.run(['pwd'], { cwd: join(tmp, 'does-not-exist') });
    expect(missing.code).not.toBe(0);
  });

  it('never executes a user value: argv, env, cwd and file paths round-trip exactly', async () => {
    const id = randomBytes(4).toString('hex');
    const markers = [`/tmp/pwned-${id}-1`, `/tmp/pwned-${id}-2`];
    const canary = join(sshd.home, 'canary');
    await writeFile(canary, 'still here');
    const values = [`$(touch ${markers[0]})`, 'a; rm -rf ~', '`id`', `'; touch ${markers[1]}; '`, 'line1\nline2', '"; exit 9; "', '*', '-n'];
    const base = await mkdtemp(join(tmp, 'inject-'));
    for (const v of values) {
      expect((await ex.run(['printf', '%s', v])).stdout).toBe(v);
      expect((await ex.run(['sh', '-c', 'printf %s "$V"'], { env: { V: v } })).stdout).toBe(v);
      const dir = join(base, v);
      expect((await ex.run(['mkdir', '-p', '--', dir])).code).toBe(0);
      expect((await ex.run(['pwd'], { cwd: dir })).stdout).toBe(`${dir}\n`);
      for (const file of [join(dir, 'file'), join(base, `f${v.replace(/\//g, '_')}`)]) {
        await ex.writeFile(file, v, 0o600);
        expect(readFileSync(file, 'utf8')).toBe(v);
        expect(await ex.readFile(file)).toBe(v);
        expect(await ex.exists(file)).toBe(true);
      }
    }
    for (const m of markers) expect(existsSync(m), `${m} must not exist`).toBe(false);
    expect(readFileSync(canary, 'utf8')).toBe('still here');
  });

  it('writes files atomically with the mode asked for, reads them back, checks paths', async () => {
    const dir = await mkdtemp(join(tmp, 'files-'));
    const file = join(dir, 'secret.env');
    await ex.writeFile(file, 'TOKEN=1\n', 0o600);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await ex.readFile(file)).toBe('TOKEN=1\n');
    // A hard link keeps the old inode: after an atomic replace it still holds the old content.
    await link(file, join(dir, 'old-link'));
    const before = statSync(file).ino;
    const big = 'ünïcødé ✓ '.repeat(30_000); // multi-byte characters across many SSH chunks
    await ex.writeFile(file, big, 0o640);
    expect(statSync(file).ino).not.toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(dir, 'old-link'), 'utf8')).toBe('TOKEN=1\n');
    expect(await ex.readFile(file)).toBe(big);
    expect(readdirSync(dir).sort()).toEqual(['old-link', 'secret.env']); // no temp file left behind
    expect(await ex.exists(file)).toBe(true);
    expect(await ex.exists(join(dir, 'nope'))).toBe(false);
    expect((await failure(ex.readFile(join(dir, 'nope')))).code).toBe('FILE_NOT_FOUND');
    const err = await failure(ex.writeFile(join(dir, 'no-dir', 'x'), 'x'));
    expect(err.code).toBe('WRITE_FAILED');
    expect(readdirSync(dir).sort()).toEqual(['old-link', 'secret.env']);
  });

  it('kills a command at its timeout (TIMEOUT, exit 6) and on abort (ABORTED, exit 130)', async () => {
    const tag = `${Math.floor(Math.random() * 1e6) + 100}.5`; // a unique sleep length to find the process by
    const started = performance.now();
    const err = await failure(ex.run(['sleep', tag], { timeoutMs: 300 }));
    expect(err).toMatchObject({ code: 'TIMEOUT', exitCode: 6 });
    expect(performance.now() - started).toBeLessThan(3000);
    // `exec` made sleep the session's process: the KILL reached it.
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      alive = (await run('ps', ['-eo', 'args'])).stdout.includes(`sleep ${tag}`);
      if (alive) await new Promise((r) => setTimeout(r, 50));
    }
    expect(alive, `sleep ${tag} must be killed`).toBe(false);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    expect(await failure(ex.run(['sleep', '5'], { signal: ac.signal }))).toMatchObject({ code: 'ABORTED', exitCode: 130 });
    expect((await ex.run(['echo', 'still usable'])).stdout).toBe('still usable\n');
  });

  it('traces commands for --verbose, with secret env values masked', async () => {
    const lines: string[] = [];
    setTraceSink((l) => lines.push(l));
    try {
      await ex.run(['true'], { env: { SERVICE_TOKEN: 'very-secret-value' }, cwd: '/' });
    } finally {
      setTraceSink(undefined);
    }
    expect(lines).toContain(`$ ssh ${ex.name}: cd -- / && env 'SERVICE_TOKEN=****' true`);
    expect(lines.join('\n')).not.toContain('very-secret-value');
  });
});

describe('one connection per host', () => {
  it('20 commands (concurrent, over the sshd session limit) and a second executor share one TCP connection', async () => {
    const box = await sandbox();
    await writeFile(box.knownHosts, `${sshd.knownHostsLine()}\n`);
    const conns = await sshd.logCount(/Connection from 127\.0\.0\.1/);
    const logins = await sshd.logCount(/Accepted publickey/);
    const [a, b] = await Promise.all([connectSsh(target(), options(box)), connectSsh(target(), options(box))]);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).run(['sh', '-c', `sleep 0.2; echo ${i}`])));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
    expect(await sshd.logCount(/Connection from 127\.0\.0\.1/)).toBe(conns + 1);
    expect(await sshd.logCount(/Accepted publickey/)).toBe(logins + 1);
    await a.close();
    expect((await b.run(['true'])).code).toBe(0); // the connection lives while an executor holds it
    await b.close();
    expect((await failure(b.run(['true']))).code).toBe('EXECUTOR_CLOSED');
    // Released: the next executor opens a new connection.
    const c = await connectSsh(target(), options(box));
    await c.close();
    expect(await sshd.logCount(/Connection from 127\.0\.0\.1/)).toBe(conns + 2);
  });
});

describe('host keys', () => {
  it('refuses an unknown host key with its fingerprint and leaves known_hosts untouched', async () => {
    const box = await sandbox();
    const err = await failure(connectSsh(target(), options(box)));
    expect(err).toMatchObject({ code: 'HOST_KEY_UNKNOWN', exitCode: 6 });
    expect(err.message).toContain(await sshKeygenFingerprint(sshd.hostPublicKey));
    expect(err.suggestions.join('\n')).toContain('--accept-new-host-key');
    expect(err.suggestions.join('\n')).toContain(`ssh-keyscan -p ${sshd.port} -t ed25519 127.0.0.1`);
    expect(existsSync(box.knownHosts)).toBe(false);
  });

  it('records a new key with --accept-new-host-key (0600 file, 0700 folder), then trusts it without the flag', async () => {
    const box = await sandbox();
    const knownHosts = join(box.home, 'fresh', '.ssh', 'known_hosts');
    const opts = options(box, { knownHostsFile: knownHosts });
    const ex = await connectSsh(target(), { ...opts, acceptNewHostKey: true });
    await ex.close();
    expect(readFileSync(knownHosts, 'utf8')).toBe(`${sshd.knownHostsLine()}\n`);
    expect(statSync(knownHosts).mode & 0o777).toBe(0o600);
    expect(statSync(join(box.home, 'fresh', '.ssh')).mode & 0o777).toBe(0o700);
    const again = await connectSsh(target(), opts);
    expect((await again.run(['echo', 'ok'])).stdout).toBe('ok\n');
    await again.close();
    // OpenSSH itself accepts the line we wrote.
    const ssh = await run('ssh', ['-F', 'none', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-i', sshd.clientKey, '-p', String(sshd.port), `${sshd.user}@127.0.0.1`, 'echo', 'openssh-ok']);
    expect(ssh.stdout).toBe('openssh-ok\n');
  });

  it('refuses a CHANGED key even with --accept-new-host-key, naming both fingerprints and the ssh-keygen -R fix', async () => {
    const box = await sandbox();
    await writeFile(box.knownHosts, `${sshd.knownHostsLine()}\n`);
    const before = await readFile(box.knownHosts, 'utf8');
    await sshd.restart({ hostKey: 'alternate' });
    try {
      const err = await failure(connectSsh(target(), options(box, { acceptNewHostKey: true })));
      expect(err).toMatchObject({ code: 'HOST_KEY_CHANGED', exitCode: 6 });
      expect(err.message).toContain(await sshKeygenFingerprint(sshd.alternateHostPublicKey));
      expect(err.message).toContain(await sshKeygenFingerprint(before.trim().split(' ').slice(1).join(' ')));
      expect(err.suggestions.join('\n')).toContain(`ssh-keygen -R '[127.0.0.1]:${sshd.port}'`);
      expect(await readFile(box.knownHosts, 'utf8')).toBe(before);
    } finally {
      await sshd.restart({ hostKey: 'first' });
    }
  });

  it('verifies hashed entries (written by ssh-keygen -H) and refuses a changed key against them', async () => {
    const box = await sandbox();
    await writeFile(box.knownHosts, `other.example ${sshd.alternateHostPublicKey}\n${sshd.knownHostsLine()}\n`);
    await run('ssh-keygen', ['-H', '-f', box.knownHosts]);
    expect(await readFile(box.knownHosts, 'utf8')).not.toContain('127.0.0.1');
    const ex = await connectSsh(target(), options(box));
    await ex.close();
    const box2 = await sandbox();
    await writeFile(box2.knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.alternateHostPublicKey}\n`);
    await run('ssh-keygen', ['-H', '-f', box2.knownHosts]);
    expect((await failure(connectSsh(target(), options(box2, { acceptNewHostKey: true })))).code).toBe('HOST_KEY_CHANGED');
  });

  it('refuses a @revoked key', async () => {
    const box = await sandbox();
    await writeFile(box.knownHosts, `@revoked * ${sshd.hostPublicKey}\n${sshd.knownHostsLine()}\n`);
    expect((await failure(connectSsh(target(), options(box, { acceptNewHostKey: true })))).code).toBe('HOST_KEY_REVOKED');
  });

  it('treats StrictHostKeyChecking accept-new in the ssh config as the opt-in, and HashKnownHosts as hashing', async () => {
    const box = await sandbox();
    await writeFile(box.config, 'Host *\n  StrictHostKeyChecking accept-new\n  HashKnownHosts yes\n');
    const ex = await connectSsh(target(), options(box));
    await ex.close();
    const line = (await readFile(box.knownHosts, 'utf8')).trim();
    expect(line).toMatch(/^\|1\|[^ ]+ ssh-ed25519 /);
    expect(hostMatches(line.split(' ')[0], `[127.0.0.1]:${sshd.port}`)).toBe(true);
  });
});

describe('authentication and reachability', () => {
  it('uses a ~/.ssh/config alias: HostName, Port, User, IdentityFile', async () => {
    const box = await sandbox();
    await copyFile(sshd.clientKey, join(box.home, '.ssh', 'id_edge'));
    await chmod(join(box.home, '.ssh', 'id_edge'), 0o600);
    await writeFile(box.config, `Host edge1\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ~/.ssh/id_edge\n`);
    await writeFile(box.knownHosts, `${sshd.knownHostsLine()}\n`);
    const ex = await connectSsh(parseSshTarget('edge1'), options(box, { identityFile: undefined }));
    try {
      expect(ex.name).toBe(`${sshd.user}@edge1:${sshd.port}`);
      expect((await ex.run(['id', '-un'])).stdout).toBe(`${sshd.user}\n`);
    } finally {
      await ex.close();
    }
  });

  it('authenticates through the ssh-agent (SSH_AUTH_SOCK) when no key file is given', async () => {
    const box = await sandbox();
    await writeFile(box.knownHosts, `${sshd.knownHostsLine()}\n`);
    const sock = join(tmp, `agent-${++n}.sock`);
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
      await run('ssh-add', [sshd.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      // No agent and no key: refused. Same with the agent: accepted.
      expect((await failure(connectSsh(target(), options(box, { identityFile: undefined })))).code).toBe('SSH_AUTH_FAILED');
      const ex = await connectSsh(target(), options(box, { identityFile: undefined, env: { SSH_AUTH_SOCK: sock } }));
      expect((await ex.run(['echo', 'via agent'])).stdout).toBe('via agent\n');
      await ex.close();
    } finally {
      agent.kill();
    }
  });

  it('fails authentication with a wrong key: SSH_AUTH_FAILED, exit 3, naming the key', async () => {
    const box = await sandbox();
    await writeFile(box.knownHosts, `${sshd.knownHostsLine()}\n`);
    const err = await failure(connectSsh(target(), options(box, { identityFile: sshd.otherKey })));
    expect(err).toMatchObject({ code: 'SSH_AUTH_FAILED', exitCode: 3 });
    expect(err.message).toContain(sshd.otherKey);
    expect(err.suggestions.join('\n')).toContain('--ssh-key');
    expect((await failure(connectSsh(target(), options(box, { identityFile: join(tmp, 'missing-key') })))).code).toBe('SSH_KEY_UNREADABLE');
  });

  it('reports a refused connection fast: SSH_UNREACHABLE, exit 6', async () => {
    const box = await sandbox();
    const port = await freePort();
    const started = performance.now();
    const err = await failure(connectSsh(parseSshTarget(`u@127.0.0.1:${port}`), options(box)));
    expect(err).toMatchObject({ code: 'SSH_UNREACHABLE', exitCode: 6 });
    expect(err.message).toContain('refused');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('times out on a server that never speaks SSH: SSH_UNREACHABLE, exit 6, within the connect timeout', async () => {
    const box = await sandbox();
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    try {
      const started = performance.now();
      const err = await failure(connectSsh(parseSshTarget(`u@127.0.0.1:${port}`), options(box, { connectTimeoutMs: 500 })));
      expect(err).toMatchObject({ code: 'SSH_UNREACHABLE', exitCode: 6 });
      expect(performance.now() - started).toBeLessThan(2500);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
