import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Executor, RunOptions, RunResult } from '@frameworks/sdk';
import { describe, expect, it } from 'vitest';
import { judgeKey, parseSysctlApplyOutput, sysctlErrorFor, writeAndApply } from '../src/tune/apply.js';
import { desiredValue, describeThreshold, meets, normalizeValue } from '../src/tune/compare.js';
import { decideBbr, decideFq, detectCongestionSupport } from '../src/tune/kernel.js';
import { parseProcLimits, type LiveSysctl } from '../src/tune/live.js';
import { buildPlan, planKey, planLimit } from '../src/tune/plan.js';
import { isRoot, lineDiff, planTuning, previewTune, writeTune } from '../src/tune/run.js';
import { LIMIT_LINES, SYSCTL_TARGETS } from '../src/tune/targets.js';

// ---------------------------------------------------------------- a fake executor (kept in this file: test files are self-contained)
export type Reply = Partial<Omit<RunResult, 'display'>> | ((argv: string[], opts: RunOptions) => Partial<Omit<RunResult, 'display'>> | Promise<Partial<Omit<RunResult, 'display'>>>);

/**
 * An Executor with canned answers keyed by the command line ("cat /proc/sys/vm/swappiness").
 * Unknown commands answer like a missing program (127, "not found"), as a minimal host would.
 */
export class FakeExecutor implements Executor {
  readonly name: string;
  readonly calls: string[] = [];
  readonly inputs = new Map<string, string | undefined>();
  readonly files = new Map<string, string>();
  readonly modes = new Map<string, number>();
  private readonly replies: Array<[string | RegExp, Reply]> = [];

  constructor(name = 'fake') {
    this.name = name;
  }

  on(cmd: string | RegExp, reply: Reply): this {
    this.replies.unshift([cmd, reply]);
    return this;
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const line = argv.join(' ');
    this.calls.push(line);
    this.inputs.set(line, opts.input);
    const hit = this.replies.find(([k]) => (typeof k === 'string' ? k === line : k.test(line)));
    if (!hit) return { code: 127, stdout: '', stderr: `sh: 1: ${argv[0]}: not found\n`, display: line };
    const r = typeof hit[1] === 'function' ? await hit[1](argv, opts) : hit[1];
    return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '', display: line };
  }

  async readFile(path: string): Promise<string> {
    const v = this.files.get(path);
    if (v === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return v;
  }

  async writeFile(path: string, data: string, mode = 0o644): Promise<void> {
    this.files.set(path, data);
    this.modes.set(path, mode);
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }

  async close(): Promise<void> {}

  /**
   * Run the SDK writer's `sh -s` scripts for real, in a sandbox folder standing in for `/`: the
   * fake's files are copied in first and read back afterwards, so a test sees them in `files`/`modes`.
   */
  withDisk(): this {
    return this.on('sh -s', async (_argv, opts) => {
      const root = mkdtempSync(join(tmpdir(), 'fw-fake-disk-'));
      try {
        for (const [path, data] of this.files) {
          mkdirSync(join(root, dirname(path)), { recursive: true });
          writeFileSync(join(root, path), data, { mode: this.modes.get(path) ?? 0o644 });
        }
        for (const dir of ['etc/sysctl.d', 'etc/security/limits.d', 'tmp']) mkdirSync(join(root, dir), { recursive: true });
        const script = (opts.input ?? '').replace(/(^|[\s='])\/(etc|tmp)\//gm, `$1${root}/$2/`);
        const r = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
        const back = (text: string) => text.split(root).join('');
        this.files.clear();
        for (const rel of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
          const full = join(root, rel);
          if (!statSync(full).isFile()) continue;
          this.files.set(`/${rel}`, readFileSync(full, 'utf8'));
          this.modes.set(`/${rel}`, statSync(full).mode & 0o7777);
        }
        return { code: r.status ?? 1, stdout: back(r.stdout), stderr: back(r.stderr) };
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  /** Answer `cat /proc/sys/<key>` for each key. */
  sysctls(values: Record<string, string>): this {
    for (const [k, v] of Object.entries(values)) this.on(`cat /proc/sys/${k.replace(/\./g, '/')}`, { stdout: `${v}\n` });
    return this;
  }
}


const both = { bbr: { available: true, reason: 'bbr listed' }, fq: { available: true, reason: 'fq ok' } };
const noFq = { bbr: { available: true, reason: 'bbr listed' }, fq: { available: false, reason: 'the kernel has no fq qdisc (CONFIG_NET_SCH_FQ is not set in /proc/config.gz)' } };
const t = (key: string) => SYSCTL_TARGETS.find((x) => x.key === key)!;
const live = (key: string, value?: string): LiveSysctl => (value === undefined ? { key, error: 'No such file or directory' } : { key, value });

/** Debian defaults, roughly what this machine has. */
const DEFAULTS: Record<string, string> = {
  'fs.file-max': '2466183',
  'kernel.pid_max': '32768',
  'net.core.default_qdisc': 'pfifo_fast',
  'net.core.netdev_max_backlog': '1000',
  'net.core.rmem_max': '212992',
  'net.core.somaxconn': '4096',
  'net.core.wmem_max': '212992',
  'net.ipv4.ip_local_port_range': '32768\t60999',
  'net.ipv4.tcp_congestion_control': 'cubic',
  'net.ipv4.tcp_max_syn_backlog': '2048',
  'net.ipv4.tcp_notsent_lowat': '4294967295',
  'net.ipv4.udp_rmem_min': '4096',
  'net.ipv4.udp_wmem_min': '4096',
  'vm.swappiness': '60',
};

describe('compare', () => {
  it('floors, ceilings, ranges and exact words', () => {
    expect(normalizeValue('10000\t65535\n')).toBe('10000 65535');
    expect(meets('min', '16384', '16384')).toBe(true);
    expect(meets('min', '4096', '16384')).toBe(false);
    expect(meets('max', '1', '10')).toBe(true);
    expect(meets('max', '60', '10')).toBe(false);
    expect(meets('range', '1024 65535', '10000 65535')).toBe(true);
    expect(meets('range', '32768\t60999', '10000 65535')).toBe(false);
    expect(meets('exact', 'bbr', 'bbr')).toBe(true);
    expect(meets('min', 'garbage', '1')).toBe(false);
    expect(describeThreshold('range', '10000 65535')).toBe('covers 10000–65535');
  });
  it('never lowers: the better of live and target; a range keeps the wider bound of each side', () => {
    expect(desiredValue('min', '2466183', '2097152')).toBe('2466183');
    expect(desiredValue('min', '1000', '16384')).toBe('16384');
    expect(desiredValue('max', '1', '10')).toBe('1');
    expect(desiredValue('range', '5000 60999', '10000 65535')).toBe('5000 65535');
    expect(desiredValue('exact', 'cubic', 'bbr')).toBe('bbr');
    expect(desiredValue('min', undefined, '16384')).toBe('16384');
  });
});

describe('kernel support: fq and bbr', () => {
  it('bbr only when tcp_available_congestion_control lists it', () => {
    expect(decideBbr('reno bbr cubic').available).toBe(true);
    const no = decideBbr('reno cubic');
    expect(no.available).toBe(false);
    expect(no.reason).toContain('modprobe tcp_bbr');
  });
  it('fq from the live qdisc, the module lists, or the kernel config', () => {
    expect(decideFq({ defaultQdisc: 'fq' }).available).toBe(true);
    expect(decideFq({ inModules: true, modulesPath: '/lib/modules/6.1.0' }).available).toBe(true);
    expect(decideFq({ config: { source: '/proc/config.gz', text: 'CONFIG_NET_SCH_FQ=m\n' } })).toEqual({ available: true, reason: 'CONFIG_NET_SCH_FQ=m in /proc/config.gz' });
    expect(decideFq({ config: { source: '/proc/config.gz', text: '# CONFIG_NET_SCH_FQ is not set\nCONFIG_NET_SCH_FQ_CODEL=y\n' } })).toMatchObject({ available: false, reason: expect.stringContaining('CONFIG_NET_SCH_FQ is not set') });
    expect(decideFq({}).reason).toContain('could not confirm');
  });
  it('detects both through the executor', async () => {
    const x = new FakeExecutor()
      .sysctls({ 'net.ipv4.tcp_available_congestion_control': 'reno cubic', 'net.core.default_qdisc': 'fq_codel' })
      .on('uname -r', { stdout: '6.1.0-18-amd64\n' })
      .on(/^grep -qsE .* \/lib\/modules\/6\.1\.0-18-amd64\/modules\.builtin \/lib\/modules\/6\.1\.0-18-amd64\/modules\.dep$/, { code: 0 });
    const s = await detectCongestionSupport(x);
    expect(s.bbr.available).toBe(false);
    expect(s.fq).toEqual({ available: true, reason: 'sch_fq is listed in /lib/modules/6.1.0-18-amd64' });
  });
});

describe('plan', () => {
  const liveMap = (over: Record<string, string | undefined> = {}) => new Map(Object.entries({ ...DEFAULTS, ...over }).map(([k, v]) => [k, live(k, v)]));

  it('uses the HEAD node_tuning values, writes fq and bbr only when offered', () => {
    const plan = buildPlan(liveMap(), noFq, { nofileSoft: '1024', nofileHard: '524288', nprocSoft: '15000', nprocHard: '15000' });
    const file = plan.sysctlFile.content;
    for (const line of [
      'kernel.pid_max = 4194304',
      'net.core.netdev_max_backlog = 16384',
      'net.core.rmem_max = 67108864',
      'net.core.somaxconn = 16384',
      'net.core.wmem_max = 67108864',
      'net.ipv4.ip_local_port_range = 10000 65535',
      'net.ipv4.tcp_congestion_control = bbr',
      'net.ipv4.tcp_max_syn_backlog = 8192',
      'net.ipv4.tcp_notsent_lowat = 16384',
      'net.ipv4.udp_rmem_min = 16384',
      'net.ipv4.udp_wmem_min = 16384',
      'vm.swappiness = 10',
    ])
      expect(file).toContain(`\n${line}\n`);
    expect(file).not.toMatch(/^net\.core\.default_qdisc/m);
    expect(file).toContain('#   net.core.default_qdisc = fq: the kernel has no fq qdisc (CONFIG_NET_SCH_FQ is not set in /proc/config.gz)');
    // file-max scales with RAM: 2466183 is above the target and must not be lowered
    expect(file).not.toMatch(/^fs\.file-max/m);
    expect(plan.keys.find((k) => k.key === 'fs.file-max')).toMatchObject({ action: 'keep', value: null });
    expect(file.startsWith('# /etc/sysctl.d/90-frameworks-edge.conf')).toBe(true);
    expect(plan.limitsFile.content).toMatch(/^root\s+hard\s+nofile\s+1048576$/m);
    expect(plan.limitsFile.content).toMatch(/^\*\s+soft\s+nproc\s+65535$/m);
    expect(buildPlan(liveMap(), both).sysctlFile.content).toContain('\nnet.core.default_qdisc = fq\n');
  });
  it('classifies every key: set / ok / keep / omit', () => {
    expect(planKey(t('net.core.somaxconn'), live('net.core.somaxconn', '4096'), both)).toMatchObject({ action: 'set', value: '16384', live: '4096' });
    expect(planKey(t('net.core.somaxconn'), live('net.core.somaxconn', '16384'), both)).toMatchObject({ action: 'ok', value: '16384' });
    expect(planKey(t('net.core.somaxconn'), live('net.core.somaxconn', '65535'), both)).toMatchObject({ action: 'keep', value: null });
    expect(planKey(t('net.ipv4.udp_rmem_min'), live('net.ipv4.udp_rmem_min'), both)).toMatchObject({ action: 'omit', reason: expect.stringContaining('not present') });
    expect(planKey(t('net.ipv4.tcp_congestion_control'), live('net.ipv4.tcp_congestion_control', 'cubic'), noFq)).toMatchObject({ action: 'set', value: 'bbr' });
    expect(planKey(t('net.ipv4.ip_local_port_range'), live('net.ipv4.ip_local_port_range', '5000 60999'), both)).toMatchObject({ action: 'set', value: '5000 65535' });
  });
  it('is idempotent: once applied, the same file comes out and every key is "ok"', () => {
    const first = buildPlan(liveMap(), noFq);
    const applied = Object.fromEntries(first.keys.filter((k) => k.value !== null).map((k) => [k.key, k.value!]));
    const second = buildPlan(liveMap(applied), noFq);
    expect(second.sysctlFile.content).toBe(first.sysctlFile.content);
    expect(second.keys.filter((k) => k.action === 'set')).toEqual([]);
  });
  it('limits: never lowers a higher live limit (nproc scales with RAM)', () => {
    expect(planLimit(LIMIT_LINES[4], '96365')).toMatchObject({ action: 'keep' });
    expect(planLimit(LIMIT_LINES[0], '1024')).toMatchObject({ action: 'set' });
    expect(planLimit(LIMIT_LINES[0], 'unlimited')).toMatchObject({ action: 'keep' });
    const content = buildPlan(liveMap(), both, { nprocSoft: '96365', nprocHard: '96365' }).limitsFile.content;
    expect(content).not.toMatch(/^\*\s+soft\s+nproc/m);
    expect(content).toContain('#   *     soft nproc  65535 (live 96365)');
    expect(parseProcLimits('Max processes             96365                96365                processes\nMax open files            20000                20000                files\n')).toEqual({
      nofileSoft: '20000',
      nofileHard: '20000',
      nprocSoft: '96365',
      nprocHard: '96365',
    });
  });
  it('diffs a file on disk line by line', () => {
    expect(lineDiff('# c\na = 1\nb = 2\n', 'a = 1\nb = 3\n')).toEqual(['- b = 2', '+ b = 3']);
  });
});

describe('apply: parse sysctl output, judge each key', () => {
  const system = [
    '* Applying /usr/lib/sysctl.d/50-pid-max.conf ...',
    'kernel.pid_max = 4194304',
    '* Applying /etc/sysctl.d/90-frameworks-edge.conf ...',
    'net.core.somaxconn = 16384',
    'vm.swappiness = 10',
    '* Applying /etc/sysctl.d/99-sysctl.conf ...',
    'vm.swappiness = 60',
    '* Applying /etc/sysctl.conf ...',
  ].join('\n');
  const k = (key: string, value: string) => ({ ...planKey(t(key), live(key, '1'), both), key, value, compare: t(key).compare });

  it('parses `sysctl --system` with the file of every assignment', () => {
    expect(parseSysctlApplyOutput(system)).toEqual([
      { file: '/usr/lib/sysctl.d/50-pid-max.conf', key: 'kernel.pid_max', value: '4194304' },
      { file: '/etc/sysctl.d/90-frameworks-edge.conf', key: 'net.core.somaxconn', value: '16384' },
      { file: '/etc/sysctl.d/90-frameworks-edge.conf', key: 'vm.swappiness', value: '10' },
      { file: '/etc/sysctl.d/99-sysctl.conf', key: 'vm.swappiness', value: '60' },
    ]);
    expect(parseSysctlApplyOutput('net.ipv4.ip_local_port_range = 10000 65535\n')).toEqual([{ file: undefined, key: 'net.ipv4.ip_local_port_range', value: '10000 65535' }]);
  });
  it('finds the error line of a key', () => {
    const stderr = 'sysctl: cannot stat /proc/sys/net/core/netdev_max_backlog: No such file or directory\nsysctl: permission denied on key "net.ipv4.tcp_max_syn_backlog"\n';
    expect(sysctlErrorFor('net.core.netdev_max_backlog', stderr)).toBe('cannot stat /proc/sys/net/core/netdev_max_backlog: No such file or directory');
    expect(sysctlErrorFor('net.ipv4.tcp_max_syn_backlog', stderr)).toBe('permission denied on key "net.ipv4.tcp_max_syn_backlog"');
    expect(sysctlErrorFor('vm.swappiness', stderr)).toBeUndefined();
  });
  it('applied when the value reads back; otherwise the sysctl error, the overriding file, or the read-back', () => {
    const ours = '/etc/sysctl.d/90-frameworks-edge.conf';
    expect(judgeKey(k('net.core.somaxconn', '16384'), '16384', parseSysctlApplyOutput(system), '', ours)).toMatchObject({ status: 'applied', live_after: '16384' });
    expect(judgeKey(k('vm.swappiness', '10'), '60', parseSysctlApplyOutput(system), '', ours)).toMatchObject({
      status: 'not-applied',
      reason: 'overridden by /etc/sysctl.d/99-sysctl.conf (vm.swappiness = 60); remove or change that line',
    });
    const denied = judgeKey(k('net.ipv4.tcp_max_syn_backlog', '8192'), '2048', [], 'sysctl: permission denied on key "net.ipv4.tcp_max_syn_backlog"\n', ours);
    expect(denied.reason).toMatch(/^permission denied on key .* \(read-only here/);
    expect(judgeKey(k('net.core.somaxconn', '16384'), '4096', [], '', ours).reason).toBe('reads back 4096: the kernel did not take 16384');
    expect(judgeKey(k('net.core.somaxconn', '16384'), undefined, [], '', ours).reason).toBe('the key cannot be read back');
  });
});

describe('write and apply through an executor', () => {
  function host(uid = '0'): FakeExecutor {
    const values = { ...DEFAULTS };
    const x = new FakeExecutor('edge-1').withDisk();
    x.on('id -u', { stdout: `${uid}\n` })
      .on('uname -r', { stdout: '6.1.0\n' })
      .on('gzip -dc /proc/config.gz', { stdout: 'CONFIG_NET_SCH_FQ=y\n' })
      .on(/^mkdir -p /, { code: 0 })
      .on(/^rm -f /, (argv) => {
        x.files.delete(argv[2]);
        return { code: 0 };
      })
      .on('cat /proc/self/limits', { stdout: 'Max open files 1024 524288 files\nMax processes 15000 15000 processes\n' })
      .on('cat /proc/sys/net/ipv4/tcp_available_congestion_control', { stdout: 'reno cubic bbr\n' })
      .on(/^cat \/proc\/sys\//, (argv) => {
        const key = argv[1].slice('/proc/sys/'.length).replace(/\//g, '.');
        return key in values ? { stdout: `${values[key]}\n` } : { code: 1, stderr: `cat: ${argv[1]}: No such file or directory\n` };
      })
      // `sysctl --system`: our file is applied, then a 99- file sets swappiness back.
      .on('sysctl --system', () => {
        const file = x.files.get('/etc/sysctl.d/90-frameworks-edge.conf')!;
        const lines = file.split('\n').filter((l) => /^[a-z]/.test(l));
        for (const l of lines) {
          const [key, value] = l.split(' = ');
          values[key] = value;
        }
        values['vm.swappiness'] = '60';
        return { stdout: `* Applying /etc/sysctl.d/90-frameworks-edge.conf ...\n${lines.join('\n')}\n* Applying /etc/sysctl.d/99-sysctl.conf ...\nvm.swappiness = 60\n` };
      });
    return x;
  }

  it('previews without writing anything', async () => {
    const x = host('1000');
    const r = await previewTune(x, 'edge-1');
    expect(r.mode).toBe('preview');
    expect(r.files.map((f) => [f.path, f.on_disk])).toEqual([
      ['/etc/sysctl.d/90-frameworks-edge.conf', 'missing'],
      ['/etc/security/limits.d/90-frameworks-edge.conf', 'missing'],
    ]);
    expect(r.files[0].content).toContain('net.core.default_qdisc = fq');
    expect(x.files.size).toBe(0);
    expect(x.calls.some((c) => c.startsWith('sysctl'))).toBe(false);
    expect(await isRoot(x)).toBe(false);
  });

  it('writes atomically with 0644, removes the MVP files, applies with --system and reports what did not take', async () => {
    const x = host();
    x.files.set('/etc/sysctl.d/frameworks-edge.conf', 'net.core.somaxconn = 8192\n');
    const r = await writeTune(x, 'edge-1');
    expect(x.modes.get('/etc/sysctl.d/90-frameworks-edge.conf')).toBe(0o644);
    expect(x.files.get('/etc/security/limits.d/90-frameworks-edge.conf')).toMatch(/^\*\s+hard\s+nofile\s+1048576$/m);
    expect(x.files.has('/etc/sysctl.d/frameworks-edge.conf')).toBe(false);
    expect(r.applied!.removed_legacy).toEqual(['/etc/sysctl.d/frameworks-edge.conf']);
    expect(r.applied!.apply_command).toBe('sysctl --system');
    const byKey = Object.fromEntries(r.applied!.keys.map((k) => [k.key, k]));
    expect(byKey['net.core.somaxconn']).toMatchObject({ status: 'applied', live_after: '16384' });
    expect(byKey['vm.swappiness']).toMatchObject({ status: 'not-applied', reason: expect.stringContaining('overridden by /etc/sysctl.d/99-sysctl.conf') });
    expect(r.summary).toMatchObject({ not_applied: 1 });
    expect(r.applied!.limits.status).toBe('pending-login');
  });

  it('--root + --apply-keys (testing): writes under the root and applies only those keys with sysctl -p -', async () => {
    const x = host();
    x.on('sysctl -p -', { stdout: 'net.core.somaxconn = 16384\n' });
    const r = await writeAndApply(x, await planTuning(x, '/tmp/r'), { root: '/tmp/r', applyKeys: ['net.core.somaxconn'] });
    expect([...x.files.keys()].sort()).toEqual(['/tmp/r/etc/security/limits.d/90-frameworks-edge.conf', '/tmp/r/etc/sysctl.d/90-frameworks-edge.conf']);
    expect(x.inputs.get('sysctl -p -')).toBe('net.core.somaxconn = 16384\n');
    expect(x.calls).not.toContain('sysctl --system');
    expect(r.keys.find((k) => k.key === 'vm.swappiness')).toMatchObject({ status: 'excluded' });
    // --root alone applies nothing at all
    const y = host();
    const r2 = await writeAndApply(y, await planTuning(y, '/tmp/r'), { root: '/tmp/r' });
    expect(r2.apply_command).toBeNull();
    expect(y.calls.some((c) => c.startsWith('sysctl'))).toBe(false);
    expect(r2.keys.every((k) => k.status === 'excluded')).toBe(true);
  });
});
