import { fileURLToPath } from 'node:url';
import type { Options, PackageDefinition } from '@grpc/proto-loader';

/** The .proto files shipped with the SDK (packages/sdk/proto), written from grpc-wire.md §2. */
export const PROTO_DIR = fileURLToPath(new URL('../../proto', import.meta.url));
export const PROTO_FILES = ['quartermaster.proto', 'commodore.proto', 'foghorn.proto'] as const;

/**
 * How messages become JS objects: wire field names (snake_case, as the REST era's JSON), enums as their
 * names, 64-bit integers as numbers (byte counts and Unix seconds fit), implicit-presence fields with
 * their zero value, `optional` fields only when sent. WKTs come from protobufjs's stock copies, whose
 * `google.protobuf.Value` members are camelCase (`stringValue`, …) whatever keepCase says.
 */
export const LOADER_OPTIONS: Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: false, includeDirs: [PROTO_DIR] };

let loaded: Promise<PackageDefinition> | undefined;

/** Parses the protos once per process, on the first gRPC call (proto-loader is loaded only then). */
export function loadProtos(): Promise<PackageDefinition> {
  return (loaded ??= import('@grpc/proto-loader').then((pl) => pl.load([...PROTO_FILES], { ...LOADER_OPTIONS })));
}
