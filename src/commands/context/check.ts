import { Flags } from '@oclif/core';
import { FrameworksCommand, conditionCell, layoutTable, outputMode, renderTable, tableWidth, viaFlags, type Column, type Condition } from '@frameworks/cli-kit';
import { ENDPOINTS, ExitCode, FrameworksError, SERVICE_KEYS, isServiceKey, parseDuration, redact, usageError, type Dialer, type ServiceKey } from '@frameworks/sdk';

/** Today's gRPC API endpoints and the seed-era REST endpoints of the same services (issue 8). */
const GRPC_API_KEYS = new Set<ServiceKey>(['quartermaster-grpc', 'control-grpc', 'foghorn-grpc']);
const REST_API_KEYS = new Set<ServiceKey>(['quartermaster', 'control', 'foghorn-http']);
/** Endpoints only today's API has: not probed for an `api: rest` context unless named in --only. */
const GRPC_ONLY_KEYS = new Set<ServiceKey>(['quartermaster-grpc', 'control-grpc']);

export default class ContextCheck extends FrameworksCommand<typeof ContextCheck> {
  static override summary = 'Probe every endpoint of the context at once (HTTP /health, gRPC health).';
  static override description =
    'Probe every endpoint of the context concurrently: HTTP GET /health, gRPC health for decklog. Control-plane endpoints show which API era answers (REST, gRPC); quartermaster-grpc and control-grpc are probed when the context has api: grpc or auto (or with --only). All probes run at once, so the whole check takes about one --timeout however many endpoints there are. TLS is verified unless --insecure. Exits 1 when any probe fails.';
  static override examples = [
    { description: 'Probe every endpoint of the current context', command: '<%= config.bin %> context check' },
    {
      description: 'Probe only Gateway and Quartermaster, 5 seconds each',
      command: '<%= config.bin %> context check --timeout 5s --only gateway,quartermaster',
    },
    { description: 'Check the prod context from a script', command: '<%= config.bin %> context check --context prod --json' },
  ];
  static override flags = {
    timeout: Flags.string({ description: 'Per-probe timeout (500ms, 2s, …).', default: '2s' }),
    insecure: Flags.boolean({ description: 'Do not verify TLS certificates.' }),
    only: Flags.string({ description: 'Comma-separated services to probe.' }),
    ssh: Flags.string({ description: 'Probe every endpoint from this host (user@host[:port]): the probes go through an SSH connection to it, names resolved there.', exclusive: ['via'] }),
    ...viaFlags,
  };

  protected override viaSpec(): { value: string; from: string } | undefined {
    return this.flags?.ssh !== undefined ? { value: this.flags.ssh, from: '--ssh' } : super.viaSpec();
  }

  async run() {
    const timeoutMs = parseDuration(this.flags.timeout);
    if (timeoutMs <= 0) throw usageError('--timeout must be greater than zero.', ['e.g. --timeout 2s'], 'INVALID_DURATION');
    const only = this.flags.only?.split(',').map((s) => s.trim()).filter(Boolean);
    for (const s of only ?? []) {
      if (!isServiceKey(s)) throw usageError(`Unknown service "${s}" in --only.`, [`Valid services: ${SERVICE_KEYS.join(', ')}`], 'UNKNOWN_SERVICE');
    }
    const ctx = await this.context();
    const api = ctx.config.api ?? 'rest';
    // Today's gRPC API endpoints are probed when the context may speak gRPC (api grpc|auto) or when named.
    const keys = (only ?? SERVICE_KEYS.filter((k) => api !== 'rest' || !GRPC_ONLY_KEYS.has(k))) as ServiceKey[];
    // gRPC is loaded only when a gRPC endpoint is probed; HTTP probes share one got import.
    const needsGrpc = keys.some((k) => ENDPOINTS[k].kind === 'grpc');
    const [{ probeHttpHealth }, grpc] = await Promise.all([
      import('@frameworks/sdk/http'),
      needsGrpc ? import('@frameworks/sdk/grpc-health') : Promise.resolve(undefined),
    ]);
    const dialer = await this.dialer();
    // Where the probes run from: this machine, or the jump host they go through.
    const from = dialer.tunnelled ? dialer.describe.replace(/^via /, '') : 'this machine';
    this.out(`Probes from ${from}:`);
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
        const probe = await this.probe(service, url, kind, { api, timeoutMs, dialer, probeHttpHealth, grpc });
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
    const result = {
      context: ctx.name, probed_from: from, via: dialer.tunnelled ? from : null, api, timeout_ms: timeoutMs, elapsed_ms: elapsedMs, ok: failed.length === 0, passed: probes.length - failed.length, failed: failed.length, probes,
    };
    if (failed.length) {
      throw new FrameworksError(`${failed.length} of ${probes.length} endpoints failed: ${failed.map((f) => f.service).join(', ')}.`, {
        code: 'CHECK_FAILED',
        exitCode: ExitCode.FAILED,
        result,
        suggestions: [`frameworks context set-url <service> <url>${this.flags.context ? ` --context ${this.flags.context}` : ''}`, 'frameworks context show   # where each URL comes from'],
      });
    }
    this.success(`${probes.length === 1 ? 'The endpoint' : `All ${probes.length} endpoints`} of "${ctx.name}" answered from ${from} (${elapsedMs} ms).`);
    return result;
  }

  /** One endpoint: today's gRPC API endpoints as the API clients connect (TLS unless plaintext), others by health. */
  private async probe(
    service: ServiceKey, url: string, kind: string,
    o: { api: string; timeoutMs: number; dialer: Dialer; probeHttpHealth: HttpProbe; grpc: GrpcHealth | undefined },
  ): Promise<Probe> {
    const ctx = await this.context();
    if (GRPC_API_KEYS.has(service) && (o.api !== 'rest' || service !== 'foghorn-grpc')) {
      const { GrpcChannel, probeGrpcApi } = await import('@frameworks/sdk');
      const ch = new GrpcChannel(service, service, { endpoint: url, context: ctx.name, dialer: o.dialer, ...(ctx.config.grpc ? { tls: ctx.config.grpc } : {}) }, o.timeoutMs);
      const g = await probeGrpcApi(ch, o.timeoutMs).finally(() => ch.close());
      return {
        service, kind, url: `${ch.target.tls ? 'grpcs' : 'grpc'}://${ch.address}`, ok: g.ok || g.grpc, status: null, health: g.health ?? (g.grpc ? 'gRPC' : null),
        latency_ms: g.latencyMs, error: g.grpc ? null : (g.error ?? 'no answer'), error_code: g.grpc ? null : (g.code ?? null), era: g.grpc ? 'grpc' : null,
      };
    }
    // Foghorn's MVP gRPC port serves the Helmsman stream without a health service (contract §2):
    // UNIMPLEMENTED there still proves a gRPC server answers.
    const r = kind === 'grpc'
      ? await o.grpc!.probeGrpcHealth(url, o.timeoutMs, this.flags.insecure, { acceptUnimplemented: service === 'foghorn-grpc', dialer: o.dialer })
      : await o.probeHttpHealth(url, o.timeoutMs, this.flags.insecure, o.dialer);
    const era = r.ok && REST_API_KEYS.has(service) ? 'rest' : null;
    return { service, kind, url: r.url, ok: r.ok, status: r.status ?? null, health: r.health ?? null, latency_ms: r.latencyMs, error: r.error ?? null, error_code: r.errorCode ?? null, era };
  }
}

type HttpProbe = (typeof import('@frameworks/sdk/http'))['probeHttpHealth'];
type GrpcHealth = typeof import('@frameworks/sdk/grpc-health');
interface Probe {
  service: ServiceKey;
  kind: string;
  url: string;
  ok: boolean;
  status: number | null;
  health: string | null;
  latency_ms: number;
  error: string | null;
  error_code: string | null;
  era: 'rest' | 'grpc' | null;
}

interface ProbeRow {
  service: string;
  url: string;
  ok: boolean;
  status: number | null;
  health: string | null;
  latency_ms: number;
  error: string | null;
  era: 'rest' | 'grpc' | null;
  condition: Condition;
  detail: string;
}

const COLUMNS: Column<ProbeRow>[] = [
  { header: 'service', get: (p) => p.service, keep: true },
  { header: 'status', get: (p) => conditionCell(p.condition), keep: true },
  { header: 'latency', get: (p) => `${p.latency_ms} ms`, keep: true },
  { header: 'api', get: (p) => (p.era === 'grpc' ? 'gRPC' : p.era === 'rest' ? 'REST' : '-'), keep: true },
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
  return { service, url: shown, ok: false, status: null, health: null, latency_ms: timeoutMs + 99, error: null, era: 'rest', condition: 'degraded', detail: `no answer within ${timeoutMs} ms` };
}
