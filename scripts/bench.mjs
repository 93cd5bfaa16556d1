#!/usr/bin/env node
// Startup benchmark for the built CLI: `npm run bench [-- --runs N] [--json] [--strict] [--filter TEXT]`.
//
// Every row is spawned with the node running this script (process.execPath), from a throw-away
// HOME / FRAMEWORKS_HOME / XDG_* sandbox with CI=1 and NO_COLOR=1, warmed up once (bin/run.js
// enables the V8 compile cache), then run N times, rows interleaved so drift hits them all alike.
// Reports median and p90 wall time, the ratio to bare `node -e 0`, and peak RSS per run.
//
// To add a row, append to ROWS: { name, args, env?, setup?, teardown?, node?, when?, expectExit? }
//   args   arguments after `node bin/run.js` (or after `node` when `node: true`); or a function
//          returning them, called after setup (for paths that setup creates)
//   expectExit  exit codes that count as a successful run (default [0])
//   teardown    async () => void, run once at the end
//   measure     (startedAtEpochMs) => number | undefined, a per-run figure besides wall time (median reported)
//   env    extra environment for this row; a value of undefined removes the variable
//   setup  async (sandbox) => void, run once before the warm-up (e.g. `sandbox.cli(['context', 'init'])`)
//   when   () => boolean; the row is skipped when it returns false
//   remoteHosts  number of --ssh hosts: the row is run once more with --verbose and the remote commands
//          it traced (`$ ssh host: …` lines) are reported per host
// Targets (TARGETS) are checked against the rows by name and printed PASS/FAIL; missing a target
// exits 0 unless --strict.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EDGE_ROWS, EDGE_TARGETS } from './bench-edge.mjs';
import { SERVICE_ROWS, SERVICE_TARGETS } from './bench-services.mjs';
import { VIA_ROWS, VIA_TARGETS } from './bench-via.mjs';
import { GRPC_ROWS, GRPC_TARGETS } from './bench-grpc.mjs';
import { COMPLETE_ROWS, COMPLETE_TARGETS } from './bench-complete.mjs';
import { RELEASE_ROWS, RELEASE_TARGETS } from './bench-release.mjs';
import { BUNDLE_ROWS, BUNDLE_TARGETS } from './bench-bundle.mjs';
import { WORKSPACE_ROWS, WORKSPACE_TARGETS } from './bench-workspace.mjs';
import { WEBDEV_ROWS, WEBDEV_TARGETS } from './bench-webdev.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'run.js');
const NODE = process.execPath;
const BASELINE = 'node -e 0';

/** @typedef {{ home: string, env: Record<string, string>, cli: (args: string[]) => void }} Sandbox */
/** @typedef {{ name: string, args: string[], node?: boolean, env?: Record<string, string | undefined>, setup?: (s: Sandbox) => void | Promise<void>, when?: () => boolean }} Row */

/** @type {Row[]} */
const ROWS = [
  { name: BASELINE, node: true, args: ['-e', '0'] },
  {
    name: 'node -e 0 (NODE_EXTRA_CA_CERTS unset)',
    node: true,
    args: ['-e', '0'],
    env: { NODE_EXTRA_CA_CERTS: undefined },
    when: () => Boolean(process.env.NODE_EXTRA_CA_CERTS),
  },
  { name: 'frameworks --version', args: ['--version'] },
  { name: 'frameworks --help', args: ['--help'] },
  { name: 'frameworks context --help', args: ['context', '--help'] },
  { name: 'frameworks context list --json', args: ['context', 'list', '--json'], setup: (s) => s.cli(['context', 'init']) },
  ...EDGE_ROWS,
  ...SERVICE_ROWS,
  ...VIA_ROWS,
  ...GRPC_ROWS,
  ...COMPLETE_ROWS,
  ...RELEASE_ROWS,
  ...BUNDLE_ROWS,
  ...WORKSPACE_ROWS,
  ...WEBDEV_ROWS,
];

const MIB = 1024 * 1024;
/** Rows of the core CLI's own startup (the RSS target); edge/services rows carry their own targets. */
const CORE_ROWS = new Set(['frameworks --version', 'frameworks --help', 'frameworks context --help', 'frameworks context list --json']);
/** @type {{ name: string, row?: string, check: (r: Record<string, RowResult>) => { pass: boolean, detail: string } | undefined }[]} */
const TARGETS = [
  ...EDGE_TARGETS,
  ...SERVICE_TARGETS,
  ...VIA_TARGETS,
  ...GRPC_TARGETS,
  ...COMPLETE_TARGETS,
  ...RELEASE_TARGETS,
  ...BUNDLE_TARGETS,
  ...WORKSPACE_TARGETS,
  ...WEBDEV_TARGETS,
  {
    name: '`frameworks --version` ≤ 1.5× bare node (median)',
    check: (r) => {
      const v = r['frameworks --version'];
      const b = r[BASELINE];
      if (!v || !b) return undefined;
      const ratio = v.median / b.median;
      return { pass: ratio <= 1.5, detail: `${ratio.toFixed(2)}×` };
    },
  },
  {
    name: '`frameworks context --help` < 0.2 s (median)',
    check: (r) => {
      const v = r['frameworks context --help'];
      if (!v) return undefined;
      return { pass: v.median < 0.2, detail: `${v.median.toFixed(3)} s` };
    },
  },
  {
    name: 'peak RSS < 60 MiB for the core startup rows (max over runs)',
    check: (r) => {
      const cli = Object.values(r).filter((x) => CORE_ROWS.has(x.name));
      if (!cli.length || cli.some((x) => x.rssMaxMiB === null)) return undefined;
      const over = cli.filter((x) => x.rssMaxMiB >= 60);
      const worst = cli.reduce((a, b) => (b.rssMaxMiB > a.rssMaxMiB ? b : a));
      const detail = over.length
        ? `over: ${over.map((x) => `${x.name} ${x.rssMaxMiB.toFixed(1)} MiB`).join(', ')}`
        : `max ${worst.rssMaxMiB.toFixed(1)} MiB (${worst.name})`;
      return { pass: over.length === 0, detail };
    },
  },
];

/** @typedef {{ name: string, node: boolean, args: string[], runs: number, median: number, p90: number, min: number, ratio: number | null, rssMedianMiB: number | null, rssMaxMiB: number | null, remotePerHost: number | null, cpuMedian: number | null, measureMedian: number | null }} RowResult */

// ------------------------------------------------------------------------------------ arguments

function parseArgs(argv) {
  const opts = { runs: 15, json: false, strict: false, filter: /** @type {string | null} */ (null), rss: 'auto' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--json') opts.json = true;
    else if (a === '--strict') opts.strict = true;
    else if (a === '--runs' || a.startsWith('--runs=')) {
      opts.runs = Number(value());
      if (!Number.isInteger(opts.runs) || opts.runs < 1) usage('--runs takes a positive integer (≥ 10 for stable medians)');
    } else if (a === '--filter' || a.startsWith('--filter=')) opts.filter = value();
    else if (a === '--rss' || a.startsWith('--rss=')) {
      opts.rss = value();
      if (!['auto', 'time', 'preload'].includes(opts.rss)) usage('--rss takes auto, time or preload');
    } else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  return opts;
}

function usage(error) {
  const text =
    'usage: node scripts/bench.mjs [--runs N (default 15)] [--json] [--strict] [--filter TEXT] [--rss auto|time|preload]\n' +
    '  --json     results as JSON on stdout instead of the table\n' +
    '  --strict   exit 1 when a target is missed (default: report only, exit 0)\n' +
    '  --filter   only rows whose name contains TEXT (plus the bare-node baseline)\n' +
    '  --rss      peak-RSS method: /usr/bin/time (Debian package `time`), a maxRSS preload, or auto (time if it works)\n';
  if (error) {
    process.stderr.write(`bench: ${error}\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

// ------------------------------------------------------------------------------------ measuring

/** Peak-RSS method: GNU time (`/usr/bin/time -f %M`, from the Debian `time` package) when it works,
 *  else a preload that reports process.resourceUsage().maxRSS of the child on fd 3 at exit. */
function pickRssMethod(tmp, wanted) {
  const out = join(tmp, 'time.out');
  if (wanted !== 'preload' && existsSync('/usr/bin/time')) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', out, NODE, '-e', '0'], { stdio: 'ignore' });
    if (r.status === 0 && /^\d+\s*$/.test(safeRead(out))) return { kind: 'gnu-time', out };
  }
  if (wanted === 'time') throw new Error('--rss time: /usr/bin/time is missing or not GNU time (apt-get install -y time)');
  return { kind: 'preload', out };
}

const PRELOAD =
  'data:text/javascript,' +
  encodeURIComponent("import{writeSync}from'node:fs';process.on('exit',()=>{try{writeSync(3,String(process.resourceUsage().maxRSS))}catch{}});");

function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function envFor(base, extra = {}) {
  const env = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** One run: wall seconds, peak RSS in KiB (or null), exit status and stderr for diagnostics. */
function runOnce(row, sandbox, rss) {
  const rowArgs = typeof row.args === 'function' ? row.args() : row.args;
  const cmd = row.node ? rowArgs : [BIN, ...rowArgs];
  const env = envFor(sandbox.env, row.env);
  const gnu = rss.kind === 'gnu-time';
  const file = gnu ? '/usr/bin/time' : NODE;
  // %U %S: CPU of the CLI process itself (over SSH the remote work runs in sshd's children, not here).
  const args = gnu ? ['-f', '%M %U %S', '-o', rss.out, NODE, ...cmd] : ['--import', PRELOAD, ...cmd];
  /** @type {import('node:child_process').StdioOptions} */
  const stdio = gnu ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', 'pipe'];
  const started = performance.now();
  const startedAtMs = Date.now();
  const r = spawnSync(file, args, { cwd: sandbox.home, env, stdio, maxBuffer: 64 * MIB });
  const measured = row.measure ? row.measure(startedAtMs) : undefined;
  const seconds = (performance.now() - started) / 1000;
  const raw = gnu ? safeRead(rss.out) : String(r.output?.[3] ?? '');
  const [k, user, sys] = (raw.trim().split('\n').pop() ?? '').split(/\s+/);
  const kib = Number.parseInt(k ?? '', 10);
  const cpu = gnu ? Number(user) + Number(sys) : NaN;
  return { seconds, kib: Number.isFinite(kib) ? kib : null, cpu: Number.isFinite(cpu) ? cpu : null, measured, status: r.status, signal: r.signal, stderr: String(r.stderr ?? ''), error: r.error };
}

function quantile(sorted, q) {
  // nearest-rank
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx];
}

function median(sorted) {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

// ------------------------------------------------------------------------------------ main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const f of ['oclif.manifest.json', 'dist/commands/context/init.js', 'packages/sdk/dist/index.js']) {
    if (!existsSync(join(ROOT, f))) {
      process.stderr.write(`bench: ${f} is missing: run \`npm run build\` first.\n`);
      process.exit(1);
    }
  }

  const home = mkdtempSync(join(tmpdir(), 'fw-bench-'));
  try {
    /** @type {Sandbox} */
    const sandbox = {
      home,
      env: envFor(process.env, {
        HOME: home,
        FRAMEWORKS_HOME: join(home, '.frameworks'),
        XDG_CACHE_HOME: join(home, '.cache'),
        XDG_DATA_HOME: join(home, '.local', 'share'),
        XDG_CONFIG_HOME: join(home, '.config'),
        CI: '1',
        NO_COLOR: '1',
        FRAMEWORKS_CONTEXT: undefined,
        FRAMEWORKS_JWT: undefined,
        FRAMEWORKS_SERVICE_TOKEN: undefined,
        SERVICE_TOKEN: undefined,
        DEBUG: undefined,
      }),
      cli(args) {
        const r = spawnSync(NODE, [BIN, ...args], { cwd: home, env: this.env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`setup \`frameworks ${args.join(' ')}\` exited ${r.status}: ${r.stderr}`);
      },
    };
    const rss = pickRssMethod(home, opts.rss);
    const rows = ROWS.filter((r) => (r.when ? r.when() : true)).filter(
      (r) => !opts.filter || r.name === BASELINE || r.name.includes(opts.filter),
    );
    for (const row of rows) await row.setup?.(sandbox);

    const samples = new Map(rows.map((r) => [r.name, { seconds: /** @type {number[]} */ ([]), kib: /** @type {number[]} */ ([]), cpu: /** @type {number[]} */ ([]), measured: /** @type {number[]} */ ([]) }]));
    const check = (row, r) => {
      if (r.error || !(row.expectExit ?? [0]).includes(r.status)) {
        const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
        throw new Error(`\`${row.name}\` failed (${why}):\n${r.stderr.trim()}`);
      }
    };
    for (const row of rows) check(row, runOnce(row, sandbox, rss)); // warm-up (fills the compile cache)
    for (let i = 0; i < opts.runs; i++) {
      for (const row of rows) {
        const r = runOnce(row, sandbox, rss);
        check(row, r);
        const s = samples.get(row.name);
        s.seconds.push(r.seconds);
        if (r.kib !== null) s.kib.push(r.kib);
        if (r.cpu !== null) s.cpu.push(r.cpu);
        if (typeof r.measured === 'number') s.measured.push(r.measured);
      }
    }

    // Remote commands per host: one extra run with --verbose, counting the traced `$ ssh host: …` lines.
    const remote = new Map();
    for (const row of rows.filter((r) => r.remoteHosts)) {
      const r = runOnce({ ...row, args: () => [...(typeof row.args === 'function' ? row.args() : row.args), '--verbose'] }, sandbox, rss);
      const n = r.stderr.split('\n').filter((l) => /^\s*\$ ssh \S+: /.test(l)).length;
      remote.set(row.name, Math.round((n / row.remoteHosts) * 10) / 10);
    }

    /** @type {Record<string, RowResult>} */
    const results = {};
    for (const row of rows) {
      const s = samples.get(row.name);
      const secs = [...s.seconds].sort((a, b) => a - b);
      const kib = [...s.kib].sort((a, b) => a - b);
      results[row.name] = {
        name: row.name,
        node: Boolean(row.node),
        args: (row.node ? ['node'] : ['node', 'bin/run.js']).concat(typeof row.args === 'function' ? row.args() : row.args),
        runs: secs.length,
        median: median(secs),
        p90: quantile(secs, 0.9),
        min: secs[0],
        ratio: null,
        rssMedianMiB: kib.length === secs.length ? median(kib) / 1024 : null,
        cpuMedian: s.cpu.length === secs.length ? median([...s.cpu].sort((a, b) => a - b)) : null,
        measureMedian: s.measured.length ? median([...s.measured].sort((a, b) => a - b)) : null,
        rssMaxMiB: kib.length === secs.length ? kib[kib.length - 1] / 1024 : null,
        remotePerHost: remote.get(row.name) ?? null,
      };
    }
    const base = results[BASELINE];
    for (const r of Object.values(results)) r.ratio = base ? r.median / base.median : null;

    const targets = TARGETS.map((t) => {
      const v = t.check(results);
      return { name: t.name, pass: v ? v.pass : null, detail: v ? v.detail : 'not measured' };
    });
    const failed = targets.filter((t) => t.pass === false);

    const meta = {
      node: process.version,
      execPath: NODE,
      platform: `${process.platform}-${process.arch}`,
      runs: opts.runs,
      rssMethod: rss.kind === 'gnu-time' ? '/usr/bin/time -f %M' : 'preload: process.resourceUsage().maxRSS',
      nodeExtraCaCerts: process.env.NODE_EXTRA_CA_CERTS ?? null,
      nodeOptions: process.env.NODE_OPTIONS ?? null,
      compileCache: 'enabled by bin/run.js (node:module enableCompileCache)',
    };

    if (opts.json) {
      process.stdout.write(JSON.stringify({ meta, rows: Object.values(results), targets, ok: failed.length === 0 }, null, 2) + '\n');
    } else {
      printTable(meta, Object.values(results), targets, opts);
    }
    if (opts.strict && failed.length) process.exitCode = 1;
  } finally {
    for (const row of ROWS) await row.teardown?.();
    rmSync(home, { recursive: true, force: true });
  }
}

function printTable(meta, rows, targets, opts) {
  const out = [];
  out.push(`frameworks startup bench — node ${meta.node} (${meta.execPath}), ${meta.platform}, ${meta.runs} runs per row after 1 warm-up`);
  out.push(`peak RSS via ${meta.rssMethod}`);
  if (meta.nodeExtraCaCerts) {
    const unset = rows.find((r) => r.name.includes('NODE_EXTRA_CA_CERTS unset'));
    const base = rows.find((r) => r.name === BASELINE);
    const delta =
      unset && base ? ` (bare node here: ${(base.median * 1000).toFixed(1)} ms with it, ${(unset.median * 1000).toFixed(1)} ms without)` : '';
    out.push(`note: this machine sets NODE_EXTRA_CA_CERTS=${meta.nodeExtraCaCerts}; every row inherits it and it can add startup time${delta}.`);
  } else {
    out.push('note: NODE_EXTRA_CA_CERTS is not set.');
  }
  if (meta.nodeOptions) out.push(`note: NODE_OPTIONS is set (${meta.nodeOptions}).`);
  if (opts.runs < 10) out.push(`warning: only ${opts.runs} runs; medians are noisy below 10.`);
  out.push('');
  const header = ['command', 'median s', '× node', 'p90 s', 'CLI CPU s', 'RSS med MiB', 'RSS max MiB', 'remote cmds/host'];
  const body = rows.map((r) => [
    r.name,
    r.median.toFixed(3),
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    r.p90.toFixed(3),
    r.cpuMedian === null ? '-' : r.cpuMedian.toFixed(2),
    r.rssMedianMiB === null ? '-' : r.rssMedianMiB.toFixed(1),
    r.rssMaxMiB === null ? '-' : r.rssMaxMiB.toFixed(1),
    r.remotePerHost === null ? '-' : String(r.remotePerHost),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  out.push(line(header));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) out.push(line(b));
  out.push('');
  out.push('targets:');
  for (const t of targets) out.push(`  ${t.pass === null ? 'SKIP' : t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.detail}`);
  const failed = targets.filter((t) => t.pass === false).length;
  out.push('');
  out.push(failed ? `${failed} target(s) missed${opts.strict ? ' (--strict: exit 1)' : ' (reported only; use --strict to fail)'}.` : 'all targets met.');
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
