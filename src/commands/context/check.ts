import { Flags } from '@oclif/core';
import { FrameworksCommand, conditionCell, layoutTable, outputMode, renderTable, tableWidth, type Column, type Condition } from '@frameworks/cli-kit';
import { ENDPOINTS, ExitCode, FrameworksError, SERVICE_KEYS, isServiceKey, parseDuration, redact, usageError, type ServiceKey } from '@frameworks/sdk';

export default class ContextCheck extends FrameworksCommand<typeof ContextCheck> {
  static override summary = 'Probe every endpoint of the context concurrently: HTTP GET /health, gRPC health for decklog.';
  static override description =
    'All probes run at once, so the whole check takes about one --timeout however many endpoints there are. TLS is verified unless --insecure. Exits 1 when any probe fails.';
  static override examples = [
    '<%= config.bin %> context check',
    '<%= config.bin %> context check --timeout 5s --only gateway,quartermaster',
    '<%= config.bin %> context check --context prod --json',
  ];
  static override flags = {
    timeout: Flags.string({ description: 'Per-probe timeout (500ms, 2s, …).', default: '2s' }),
    insecure: Flags.boolean({ description: 'Do not verify TLS certificates.' }),
    only: Flags.string({ description: 'Comma-separated services to probe.' }),
  };

  async run() {
    const timeoutMs = parseDuration(this.flags.timeout);
    if (timeoutMs <= 0) throw usageError('--timeout must be greater than zero.', ['e.g. --timeout 2s'], 'INVALID_DURATION');
    const only = this.flags.only?.split(',').map((s) => s.trim()).filter(Boolean);
    for (const s of only ?? []) {
      if (!isServiceKey(s)) throw usageError(`Unknown service "${s}" in --only.`, [`Valid services: ${SERVICE_KEYS.join(', ')}`], 'UNKNOWN_SERVICE');
    }
    const ctx = await this.context();
    const keys = (only ?? SERVICE_KEYS) as ServiceKey[];
    // gRPC is loaded only when a gRPC endpoint is probed; HTTP probes share one got import.
    const needsGrpc = keys.some((k) => ENDPOINTS[k].kind === 'grpc');
    const [{ probeHttpHealth }, grpc] = await Promise.all([
      import('@frameworks/sdk/http'),
      needsGrpc ? import('@frameworks/sdk/grpc-health') : Promise.resolve(undefined),
    ]);
    const started = performance.now();
    // On a terminal, rows appear as their probe finishes, under a spinner naming the ones awaited.
    const live = tableWidth() !== undefined && !this.jsonEnabled() && !outputMode().quiet;
    const layout = live ? layoutTable(keys.map((k) => widestRow(k, ctx.endpoints[k].value, timeoutMs)), COLUMNS) : undefined;
    const progress = this.progress();
    const awaited = new Set(keys);
    const waiting = () => progress.wait(`Waiting for ${[...awaited].join(', ')}`, Date.now() + timeoutMs - (performance.now() - started));
    if (layout) this.out(layout.header);
    waiting();
    const probes = await Promise.all(
      keys.map(async (service) => {
        const url = ctx.endpoints[service].value;
        const kind = ENDPOINTS[service].kind;
        // Foghorn's MVP gRPC port serves the Helmsman stream without a health service (contract §2):
        // UNIMPLEMENTED there still proves a gRPC server answers.
        const r =
          kind === 'grpc'
            ? await grpc!.probeGrpcHealth(url, timeoutMs, this.flags.insecure, { acceptUnimplemented: service === 'foghorn-grpc' })
            : await probeHttpHealth(url, timeoutMs, this.flags.insecure);
        const probe = { service, kind, url: r.url, ok: r.ok, status: r.status ?? null, health: r.health ?? null, latency_ms: r.latencyMs, error: r.error ?? null, error_code: r.errorCode ?? null };
        const row = { ...probe, condition: conditionOfProbe(probe), detail: detailOf(probe) };
        awaited.delete(service);
        if (layout) progress.print(redact(layout.row(row)));
        if (awaited.size) waiting();
        else progress.stop();
        return row;
      }),
    );
    const elapsedMs = Math.round(performance.now() - started);
    const failed = probes.filter((p) => !p.ok);
    if (!layout) this.out(renderTable(probes, COLUMNS));
    const result = { context: ctx.name, timeout_ms: timeoutMs, elapsed_ms: elapsedMs, ok: failed.length === 0, passed: probes.length - failed.length, failed: failed.length, probes };
    if (failed.length) {
      throw new FrameworksError(`${failed.length} of ${probes.length} endpoints failed: ${failed.map((f) => f.service).join(', ')}.`, {
        code: 'CHECK_FAILED',
        exitCode: ExitCode.FAILED,
        result,
        suggestions: [`frameworks context set-url <service> <url>${this.flags.context ? ` --context ${this.flags.context}` : ''}`, 'frameworks context show   # where each URL comes from'],
      });
    }
    this.success(`${probes.length === 1 ? 'The endpoint' : `All ${probes.length} endpoints`} of "${ctx.name}" answered (${elapsedMs} ms).`);
    return result;
  }
}

interface ProbeRow {
  service: string;
  url: string;
  ok: boolean;
  status: number | null;
  health: string | null;
  latency_ms: number;
  error: string | null;
  condition: Condition;
  detail: string;
}

const COLUMNS: Column<ProbeRow>[] = [
  { header: 'service', get: (p) => p.service, keep: true },
  { header: 'status', get: (p) => conditionCell(p.condition), keep: true },
  { header: 'latency', get: (p) => `${p.latency_ms} ms`, keep: true },
  { header: 'url', get: (p) => p.url, optional: true, min: 30 },
  { header: 'detail', get: (p) => p.detail, min: 24 },
];

/** ok: answers and healthy (a gRPC server without a health service answers too); degraded: answers, says degraded; down: anything else. */
function conditionOfProbe(p: { ok: boolean; health: string | null }): Condition {
  if (!p.ok) return 'down';
  return p.health && /^degraded$/i.test(p.health) ? 'degraded' : 'ok';
}

/** What the endpoint said, in words: `HTTP 200 healthy`, `SERVING`, `no health service`, or why it failed. */
function detailOf(p: { ok: boolean; status: number | null; health: string | null; error: string | null }): string {
  if (!p.ok) return p.error ?? 'failed';
  if (p.health?.startsWith('REACHABLE')) return 'answers (no gRPC health service)';
  return [p.status ? `HTTP ${p.status}` : '', p.health ?? ''].filter(Boolean).join(' ') || 'answers';
}

/** A row as wide as the widest this probe can give, to lay the live table out before any answers. */
function widestRow(service: string, url: string, timeoutMs: number): ProbeRow {
  const shown = ENDPOINTS[service as ServiceKey].kind === 'grpc' ? `grpcs://${url}` : `${url}/health`;
  return { service, url: shown, ok: false, status: null, health: null, latency_ms: timeoutMs + 99, error: null, condition: 'degraded', detail: `no answer within ${timeoutMs} ms` };
}
