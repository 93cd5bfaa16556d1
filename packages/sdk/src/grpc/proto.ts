import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Options, PackageDefinition } from '@grpc/proto-loader';

/** The .proto files shipped with the SDK (packages/sdk/proto), written from grpc-wire.md §2. */
export const PROTO_DIR = fileURLToPath(new URL('../../proto', import.meta.url));
export const PROTO_FILES = ['quartermaster.proto', 'commodore.proto', 'foghorn.proto'] as const;
/** protobufjs JSON of one proto file and its imports, written by scripts/gen-protos.mjs at build time (dist only). */
export const prebuiltName = (file: string): string => `protos-${file.replace(/\.proto$/, '')}.json`;

/**
 * How messages become JS objects: wire field names (snake_case, as the REST era's JSON), enums as their
 * names, 64-bit integers as numbers (byte counts and Unix seconds fit), implicit-presence fields with
 * their zero value, `optional` fields only when sent. WKTs come from protobufjs's stock copies, whose
 * `google.protobuf.Value` members are camelCase (`stringValue`, …) whatever keepCase says.
 */
export const LOADER_OPTIONS: Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: false, includeDirs: [PROTO_DIR] };

const loaded = new Map<string, Promise<PackageDefinition>>();

/**
 * Parses the protos once per process, on the first gRPC call (proto-loader is loaded only then); with a
 * file name only that file and its imports (a Quartermaster run never parses Commodore's protos).
 */
export function loadProtos(files: readonly string[] = PROTO_FILES): Promise<PackageDefinition> {
  const key = files.join(',');
  let p = loaded.get(key);
  if (!p) {
    const prebuilt = files.length === 1 ? fileURLToPath(new URL(`./${prebuiltName(files[0])}`, import.meta.url)) : undefined;
    p = Promise.all([import('@grpc/proto-loader'), prebuilt ? readFile(prebuilt, 'utf8').catch(() => undefined) : undefined]).then(([pl, json]) =>
      // The build's JSON (every file, no parsing); the .proto text when running from source (tests).
      json ? pl.fromJSON(JSON.parse(json) as object, { ...LOADER_OPTIONS }) : pl.load([...files], { ...LOADER_OPTIONS }),
    );
    loaded.set(key, p);
  }
  return p;
}

/** `/quartermaster.NodeService/ListNodes` → `quartermaster.proto` (each package's services live in its own file). */
export function protoFileOf(path: string): string {
  return `${/^\/([a-z_]+)\./.exec(path)?.[1] ?? 'quartermaster'}.proto`;
}
