// Build step: parse the shipped .proto files once and write protobufjs JSON next to the compiled gRPC
// code, so a gRPC run hands it to proto-loader's fromJSON instead of parsing proto text at every start.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { PROTO_DIR, PROTO_FILES, prebuiltName } from '../dist/grpc/proto.js';

// One JSON per file (with its imports): proto-loader builds descriptors for every message it is given,
// so a Quartermaster run should be given Quartermaster's only.
for (const file of PROTO_FILES) {
  const root = new protobuf.Root();
  // Own files from proto/; google/protobuf/* come from protobufjs's stock copies (as proto-loader does).
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(PROTO_DIR, target));
  root.loadSync(file, { keepCase: true });
  writeFileSync(fileURLToPath(new URL(`../dist/grpc/${prebuiltName(file)}`, import.meta.url)), JSON.stringify(root.toJSON()));
}
