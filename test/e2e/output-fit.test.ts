/**
 * Output that fits and progress while waiting (issue 9), run as a user would: in a real pseudo-terminal
 * of 80 and 120 columns for what a person sees, through pipes for what a script reads. Against the
 * contract control plane, real gRPC servers and a black-holed endpoint (a TCP server that never answers).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { startGrpcHealthServer, startGrpcServerWithoutHealth, type GrpcTestServer } from '../support/grpc-health-server.js';
import { KEY, python, runInPty, screenLines } from '../support/pty.js';

const TENANT = '5b0c1e1e-2f57-4a43-9d1e-1f0f3c6b9a10';
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

let cp: ControlPlane;
let grpc: GrpcTestServer[] = [];
let hole: Server;
const held: Socket[] = [];
let holeUrl = '';
const sb = new CliSandbox('fw-e2e-output-');
const work = mkdtempSync(join(tmpdir(), 'fw-output-'));

const env = (extra: Record<string, string | undefined> = {}) => ({ ...sb.baseEnv, FRAMEWORKS_SERVICE_TOKEN: cp.serviceToken, ...extra });
const run = (args: string[], extra: Record<string, string | undefined> = {}) => sb.run(args, { env: env(extra) });
const visible = (line: string) => Array.from(line).length;
/** The lines of the table that starts with the header `first` (up to the first blank or unindented non-row line). */
function tableLines(lines: string[], header: RegExp, end: RegExp): string[] {
  const from = lines.findIndex((l) => header.test(l));
  expect(from, lines.join('\n')).toBeGreaterThanOrEqual(0);
  const to = lines.findIndex((l, i) => i > from && end.test(l));
  return lines.slice(from, to < 0 ? undefined : to);
}

beforeAll(async () => {
  cp = await startControlPlane();
  const decklog = await startGrpcHealthServer();
  const foghorn = await startGrpcServerWithoutHealth(0);
  grpc = [decklog, foghorn];
  hole = createServer((s) => held.push(s));
  await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
  holeUrl = `http://127.0.0.1:${(hole.address() as { port: number }).port}`;
  const sets = Object.entries(cp.urls).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const a = await run(['context', 'create', 'cp', '--use', ...sets, '--set', `decklog-grpc=${decklog.address}`, '--set', `foghorn-grpc=${foghorn.address}`]);
  expect(a.code, a.stderr).toBe(0);
  const b = await run(['context', 'create', 'slow', '--from', 'cp', '--set', `periscope-query=${holeUrl}`]);
  expect(b.code, b.stderr).toBe(0);
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => hole?.close(r));
  await Promise.all(grpc.map((g) => g.close()));
  await cp?.close();
  sb.cleanup();
});

describe.skipIf(!python)('tables fit the terminal; off a terminal the full table', () => {
  it('edge preflight: at 80 and 120 columns every table line fits and hints sit on their own lines; a pipe gets every column in full', async () => {
    const args = ['edge', 'preflight', '--domain', 'edge.example.com', '--dir', work];
    const extra = { FRAMEWORKS_GATEWAY_URL: cp.urls.gateway };
    for (const cols of [80, 120]) {
      const r = await runInPty(args, { env: env(extra), cols });
      expect(r.failed_step, r.error ?? '').toBeNull();
      const table = tableLines(screenLines(r.output), /^CHECK\s+STATUS\s+VALUE SEEN/, /^Summary:/);
      expect(table.length).toBeGreaterThan(10);
      for (const line of table) expect(visible(line), `${cols} columns: ${line}`).toBeLessThanOrEqual(cols);
      expect(table[0]).not.toContain('HINT');
      // example.com does not resolve here: the DNS row's value wraps rather than being cut (a failed
      // check), and its hint is on its own lines under it, whole.
      const dns = table.findIndex((l) => /^dns\s+✗/.test(l));
      const hint = table.findIndex((l, i) => i > dns && /^ {2}→ /.test(l));
      expect(table.slice(dns, hint).join(' ').replace(/\s+/g, ' ')).toMatch(/^dns ✗ edge\.example\.com does not resolve/);
      expect(table[hint]).toMatch(/^ {2}→ Create an A \(and AAAA\) record/);
      // At 80 columns the threshold column is left out; a failed check still shows it, under the row.
      if (cols === 80) expect(table.slice(dns, hint)).toContain('  threshold: A/AAAA resolve to this host');
      else expect(table[0]).toMatch(/THRESHOLD$/);
      expect(table.slice(hint).join(' ')).toContain('ACME HTTP-01');
    }
    const piped = await run(args, extra);
    const header = piped.stdout.split('\n')[0];
    expect(header).toMatch(/^CHECK\s+STATUS\s+VALUE SEEN\s+THRESHOLD\s+HINT$/);
    expect(piped.stdout).toMatch(/^dns\s+✗\s+.*Create an A \(and AAAA\) record.*ACME HTTP-01\.$/m);
    expect(piped.stdout).not.toContain('…');
  });

  it('admin bootstrap-tokens list: fits 80 and 120 columns with expiry humanized; -o wide is the full table; RFC 3339 in --json; -o yaml the same envelope', async () => {
    for (const ttl of ['30h', '60d']) {
      const c = await run(['admin', 'bootstrap-tokens', 'create', '--tenant-id', TENANT, '--cluster-id', 'central-1', '--ttl', ttl]);
      expect(c.code, c.stderr).toBe(0);
    }
    const ids = cp.bootstrapTokens.map((t) => t.id as string);
    for (const cols of [80, 120]) {
      const r = await runInPty(['admin', 'bootstrap-tokens', 'list'], { env: env(), cols });
      const table = tableLines(screenLines(r.output), /^ID\s+KIND\s+STATUS/, /^$/);
      expect(table).toHaveLength(3);
      for (const line of table) expect(visible(line), `${cols} columns: ${line}`).toBeLessThanOrEqual(cols);
      for (const id of ids) expect(table.join('\n')).toContain(id); // the id is never shortened
      expect(table.join('\n')).toMatch(/\sin (29|30) h$/m);
      expect(table.join('\n')).toMatch(/\s\d{4}-\d\d-\d\d$/m); // 60 days away: the date
    }
    const wide = await runInPty(['admin', 'bootstrap-tokens', 'list', '-o', 'wide'], { env: env(), cols: 80 });
    const wideTable = tableLines(screenLines(wide.output), /^ID\s+KIND/, /^$/);
    expect(wideTable[0]).toMatch(/^ID\s+KIND\s+STATUS\s+TENANT\s+CLUSTER\s+TOKEN\s+EXPIRES$/);
    expect(wideTable.join('\n')).toContain(TENANT);
    expect(wideTable.join('\n')).toMatch(/in (29|30) h \(\d{4}-\d\d-\d\d \d\d:\d\d \S+\)/);

    const json = await run(['admin', 'bootstrap-tokens', 'list', '--json']);
    const tokens = (json.json!.result as { tokens: Array<{ id: string; expires_at: string }> }).tokens;
    for (const t of tokens) expect(t.expires_at).toMatch(RFC3339);
    const asOption = await run(['admin', 'bootstrap-tokens', 'list', '-o', 'json']);
    expect(asOption.json).toEqual(json.json);
    const yaml = await run(['admin', 'bootstrap-tokens', 'list', '-o', 'yaml']);
    expect(yaml.code, yaml.stderr).toBe(0);
    const { load } = await import('js-yaml');
    expect(load(yaml.stdout)).toEqual(json.json);
    expect(yaml.stderr).toBe('');
  });

  it('context check: fits 80 and 120 columns; one status vocabulary (ok/down) with the raw answer as detail, kept in --json', async () => {
    for (const cols of [80, 120]) {
      const r = await runInPty(['context', 'check', '--context', 'cp'], { env: env(), cols });
      expect(r.code, r.text).toBe(0);
      const table = tableLines(screenLines(r.output), /^SERVICE\s+STATUS\s+LATENCY/, /^✓/);
      expect(table).toHaveLength(11);
      for (const line of table) expect(visible(line), `${cols} columns: ${line}`).toBeLessThanOrEqual(cols);
      expect(table.join('\n')).toMatch(/^decklog-grpc\s+✓ ok\s+\d+ ms\s+.*SERVING$/m);
      expect(table.join('\n')).toMatch(/^foghorn-grpc\s+✓ ok\s+\d+ ms\s+.*no gRPC health service\)$/m);
      expect(table.join('\n')).toMatch(/^gateway\s+✓ ok\s+\d+ ms\s+.*HTTP 200 healthy$/m);
    }
    const json = await run(['context', 'check', '--context', 'slow', '--timeout', '1s', '--only', 'decklog-grpc,periscope-query', '--json']);
    expect(json.code).toBe(1);
    const probes = (json.json!.result as { probes: Array<Record<string, unknown>> }).probes;
    expect(probes.find((p) => p.service === 'decklog-grpc')).toMatchObject({ ok: true, health: 'SERVING', condition: 'ok', detail: 'SERVING' });
    expect(probes.find((p) => p.service === 'periscope-query')).toMatchObject({ ok: false, error_code: 'TIMEOUT', condition: 'down' });
  });

  it('services health: fits 80 and 120 columns, ok/down with the raw status as detail, last check humanized', async () => {
    cp.addCluster({ cluster_id: 'central-1' });
    cp.addServiceInstance({ service_id: 'foghorn', instance_id: 'inst-fog-1', cluster_id: 'central-1', host: '10.0.0.5', port: 18008, protocol: 'http', last_health_check_age_s: 120 });
    cp.addServiceInstance({ service_id: 'periscope_ingest', instance_id: 'inst-pi-1', cluster_id: 'central-1', host: '10.0.0.6', port: 18005, health_status: 'unhealthy' });
    for (const cols of [80, 120]) {
      const r = await runInPty(['services', 'health'], { env: env(), cols });
      const table = tableLines(screenLines(r.output), /^SERVICE\s+INSTANCE/, /^$/);
      expect(table).toHaveLength(3);
      for (const line of table) expect(visible(line), `${cols} columns: ${line}`).toBeLessThanOrEqual(cols);
      expect(table.join('\n')).toMatch(/inst-fog-1\s.*✓ ok\s+healthy\s+2 min ago$/m);
      expect(table.join('\n')).toMatch(/inst-pi-1\s.*✗ down\s+unhealthy\s/m);
    }
    const json = await run(['services', 'health', '--json']);
    const rows = (json.json!.result as { instances: Array<Record<string, unknown>> }).instances;
    expect(rows.find((i) => i.instance_id === 'inst-fog-1')).toMatchObject({ status: 'healthy', condition: 'ok' });
    expect(rows.find((i) => i.instance_id === 'inst-fog-1')!.last_health_check).toMatch(RFC3339);
    cp.clearData();
  });
});

describe('-q, -o and --no-color on every command', () => {
  it('-q prints only the ids of a list (the id column per command), and nothing for a mutating command', async () => {
    const names = await run(['context', 'list', '-q']);
    expect(names.stdout.trim().split('\n')).toEqual(expect.arrayContaining(['cp', 'slow']));
    expect(names.stdout).toMatch(/^[\w-]+(\n[\w-]+)*\n$/); // names only: no header, no marks
    const created = await run(['context', 'create', 'quiet-one', '-q']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout + created.stderr).toBe('');
    const c = await run(['admin', 'bootstrap-tokens', 'create', '--kind', 'service']);
    expect(c.code, c.stderr).toBe(0);
    const ids = await run(['admin', 'bootstrap-tokens', 'list', '--quiet']);
    expect(ids.stdout.trim().split('\n').sort()).toEqual(cp.bootstrapTokens.map((t) => t.id as string).sort());
    const check = await run(['context', 'check', '--context', 'cp', '--only', 'gateway', '-q']);
    expect(check.code).toBe(0);
    expect(check.stdout + check.stderr).toBe('');
  });

  it('--no-color wins over FORCE_COLOR; FORCE_COLOR alone colours a pipe', async () => {
    const coloured = await run(['context', 'check', '--context', 'cp', '--only', 'gateway'], { NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\u001b[32m✓ ok');
    const plain = await run(['context', 'check', '--context', 'cp', '--only', 'gateway', '--no-color'], { NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(plain.code).toBe(0);
    expect(plain.stdout + plain.stderr).not.toContain('\u001b[');
  });
});

describe.skipIf(!python)('progress while waiting', () => {
  it('context check: the rows of the fast endpoints are on the terminal while the black-holed one is still awaited, with its time left', async () => {
    const r = await runInPty(['context', 'check', '--context', 'slow', '--timeout', '120s', '--only', 'gateway,quartermaster,control,periscope-query'], {
      env: env(),
      cols: 100,
      steps: [
        { expect_re: 'gateway\\s+✓ ok', timeout: 60 },
        { expect_re: 'control\\s+✓ ok', timeout: 60 },
        { expect_re: 'Waiting for periscope-query \\(\\d+ (s|min \\d+ s) left\\)', timeout: 60 },
        // Still running (its bound is 120 s away): Ctrl-C is what ends it.
        { send: KEY.ctrlC },
      ],
    });
    expect(r.failed_step, `${r.error}\n${r.text}`).toBeNull();
    expect(r.code).toBe(130);
    expect(r.text).not.toMatch(/periscope-query\s+✗/);
  });

  it('--json: the document alone on stdout; progress on stderr when it is a terminal, nothing when it is not', async () => {
    const args = ['context', 'check', '--context', 'slow', '--timeout', '3s', '--only', 'gateway,periscope-query', '--json'];
    const file = join(work, 'check.json');
    const r = await runInPty(args, { env: env(), cols: 100, stdoutFile: file, steps: [{ expect_re: 'Waiting for periscope-query \\(\\d s left\\)', timeout: 30 }] });
    expect(r.failed_step, `${r.error}\n${r.text}`).toBeNull();
    expect(r.code).toBe(1);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { status: number; code: string };
    expect(doc).toMatchObject({ status: 1, code: 'CHECK_FAILED' });
    const piped = await run(args);
    expect(piped.code).toBe(1);
    expect(piped.json).toMatchObject({ status: 1, code: 'CHECK_FAILED' });
    expect(piped.stderr).toBe('');
  });

  it('edge status --ssh to a host that never answers names what it waits for and the time left to the connect bound', async () => {
    const target = `root@${holeUrl.replace('http://', '')}`;
    const r = await runInPty(['edge', 'status', '--ssh', target, '--accept-new-host-key', '--dir', work], {
      env: env(),
      cols: 100,
      steps: [{ expect_re: `Connecting over SSH to ${target.replace(/\./g, '\\.')} \\(\\d+ s left\\)`, timeout: 30 }, { send: KEY.ctrlC }],
    });
    expect(r.failed_step, `${r.error}\n${r.text}`).toBeNull();
    expect(r.code).toBe(130);
  });
});
