/**
 * Real gRPC servers for the CLI's gRPC health probes (contract §7).
 *
 * - startGrpcHealthServer: the stock `grpc.health.v1.Health` service as Decklog registers it: the empty
 *   service name "" has a status (SERVING unless told otherwise), any named service is NOT_FOUND.
 * - startGrpcServerWithoutHealth: a gRPC server with no services, like Foghorn's MVP control port;
 *   a health Check there fails with UNIMPLEMENTED.
 */
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, service as healthService, type ServingStatus } from 'grpc-health-check';

export type GrpcServingStatus = Extract<ServingStatus, 'SERVING' | 'NOT_SERVING'>;

export interface GrpcHealthServerOptions {
  status?: GrpcServingStatus;
  /** Delay every Check answer, so client deadlines can be exercised. */
  delayMs?: number;
  /** Fixed port (the demo control plane listens on the contract's defaults); 0 = any free port. */
  port?: number;
}

export interface GrpcTestServer {
  /** `127.0.0.1:PORT`, the form the CLI's gRPC endpoints take. */
  address: string;
  port: number;
  close(): Promise<void>;
}

export interface GrpcHealthServer extends GrpcTestServer {
  /** Status of the empty service name (the overall server health), or of a named service. */
  setStatus(status: GrpcServingStatus, service?: string): void;
}

type UnaryHandler = (call: unknown, callback: unknown) => void;

export async function startGrpcHealthServer(opts: GrpcHealthServerOptions = {}): Promise<GrpcHealthServer> {
  const server = new grpc.Server();
  const health = new HealthImplementation({ '': opts.status ?? 'SERVING' });
  const timers = new Set<NodeJS.Timeout>();
  // HealthImplementation registers itself through addService; intercept that to slow Check down.
  health.addToServer({
    addService: (definition, implementation) => {
      const impl = { ...implementation };
      if (opts.delayMs) impl.check = delayed(impl.check as UnaryHandler, opts.delayMs, timers);
      server.addService(definition as unknown as grpc.ServiceDefinition, impl as grpc.UntypedServiceImplementation);
    },
  });
  const port = await bind(server, opts.port);
  return {
    address: `127.0.0.1:${port}`,
    port,
    setStatus: (status, service = '') => health.setStatus(service, status),
    close: () => shutdown(server, timers),
  };
}

export async function startGrpcServerWithoutHealth(fixedPort = 0): Promise<GrpcTestServer> {
  const server = new grpc.Server();
  const port = await bind(server, fixedPort);
  return { address: `127.0.0.1:${port}`, port, close: () => shutdown(server, new Set()) };
}

/** The proto definition the health service was built from, for tests that want their own client. */
export const healthServiceDefinition = healthService;

function delayed(handler: UnaryHandler, ms: number, timers: Set<NodeJS.Timeout>): UnaryHandler {
  return (call, callback) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      handler(call, callback);
    }, ms);
    timers.add(timer);
  };
}

function bind(server: grpc.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/** forceShutdown cancels in-flight (e.g. delayed) calls, so the test process is not held open. */
async function shutdown(server: grpc.Server, timers: Set<NodeJS.Timeout>): Promise<void> {
  for (const t of timers) clearTimeout(t);
  timers.clear();
  server.forceShutdown();
}
