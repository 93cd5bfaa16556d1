import { Flags } from '@oclif/core';
import { FrameworksCommand, marks, renderTable } from '@frameworks/cli-kit';
import { ENDPOINTS, ExitCode, FrameworksError, SERVICE_KEYS, isServiceKey, parseDuration, usageError, type ServiceKey } from '@frameworks/sdk';

export default class ContextCheck extends FrameworksCommand<typeof ContextCheck> {
  static override summary = 'Probe every endpoint of the context at once (HTTP /health, gRPC health).';
  static override description =
    'Probe every endpoint of the context concurrently: HTTP GET /health, gRPC health for decklog. All probes run at once, so the whole check takes about one --timeout however many endpoints there are. TLS is verified unless --insecure. Exits 1 when any probe fails.';
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
        return { service, kind, url: r.url, ok: r.ok, status: r.status ?? null, health: r.health ?? null, latency_ms: r.latencyMs, error: r.error ?? null, error_code: r.errorCode ?? null };
      }),
    );
    const elapsedMs = Math.round(performance.now() - started);
    const failed = probes.filter((p) => !p.ok);
    this.out(
      renderTable(probes, [
        { header: ' ', get: (p) => (p.ok ? marks.ok() : marks.fail()) },
        { header: 'service', get: (p) => p.service },
        { header: 'url', get: (p) => p.url },
        { header: 'result', get: (p) => (p.ok ? `${p.health ?? 'ok'}${p.status ? ` (${p.status})` : ''}` : (p.error ?? 'failed')) },
        { header: 'latency', get: (p) => `${p.latency_ms} ms` },
      ]),
    );
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
