/**
 * The shipped .proto files against bytes computed by hand from grpc-wire.md §2 (tag = field << 3 | wire
 * type): a wrong field number, type or presence in packages/sdk/proto changes the bytes and fails here.
 */
import { describe, expect, it } from 'vitest';
import type { MethodDefinition } from '@grpc/proto-loader';
import { loadProtos } from '../../packages/sdk/src/grpc/proto.js';
import { plain, timestampToRfc3339 } from '../../packages/sdk/src/grpc/convert.js';

async function method(service: string, name: string): Promise<MethodDefinition<object, object>> {
  const defs = await loadProtos();
  return (defs[service] as Record<string, MethodDefinition<object, object>>)[name];
}
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('protos (grpc-wire.md §2) on the wire', () => {
  it('ListNodesRequest: cluster_id #1, pagination #4 { first #1 = 500 }', async () => {
    const m = await method('quartermaster.NodeService', 'ListNodes');
    expect(m.requestSerialize({ cluster_id: 'c1', pagination: { first: 500 } })).toEqual(hex('0a 02 6331  22 03 08 f403'));
  });

  it('CreateBootstrapTokenRequest: optional usage_limit #7 is sent even as 0 (explicit presence)', async () => {
    const m = await method('quartermaster.BootstrapService', 'CreateBootstrapToken');
    expect(m.requestSerialize({ name: 'a', kind: 'service', usage_limit: 0 })).toEqual(hex('0a 01 61  12 07 73657276696365  38 00'));
  });

  it('CreateAPITokenRequest: token_name #1, permissions #2 repeated, expires_at #3 Timestamp', async () => {
    const m = await method('commodore.DeveloperService', 'CreateAPIToken');
    expect(m.requestSerialize({ token_name: 'x', permissions: ['read'], expires_at: { seconds: 2 } })).toEqual(hex('0a 01 78  12 04 72656164  1a 02 08 02'));
  });

  it('NodeResponse → InfrastructureNode: node_id #2, last_heartbeat #15, latitude #20 double, status #25, owner_tenant_id #27', async () => {
    const m = await method('quartermaster.NodeService', 'GetNode');
    const node = '12 01 6e  7a 02 08 01  a101 000000000000f83f  ca01 02 7570  da01 01 74';
    const bytes = hex(`0a ${(hex(node).length).toString(16).padStart(2, '0')} ${node}`);
    const reply = m.responseDeserialize(bytes) as { node: Record<string, unknown> };
    expect(reply.node).toMatchObject({ node_id: 'n', last_heartbeat: { seconds: 1, nanos: 0 }, latitude: 1.5, status: 'up', owner_tenant_id: 't' });
    expect(reply.node).not.toHaveProperty('region'); // optional and absent: no key, not ""
    expect(plain<Record<string, unknown>>(reply.node, ['last_heartbeat', 'created_at'])).toMatchObject({ last_heartbeat: '1970-01-01T00:00:01.000Z' });
  });

  it('ServiceInstance.metadata #22 map<string,string>; GetNodeHealthResponse active_streams #5, disk_total_bytes #15 uint64', async () => {
    const d = await method('quartermaster.BootstrapService', 'DiscoverServices');
    const inst = 'b201 06 0a016b 120176';
    const reply = d.responseDeserialize(hex(`0a ${hex(inst).length.toString(16).padStart(2, '0')} ${inst}`)) as { instances: Array<{ metadata: Record<string, string> }> };
    expect(reply.instances[0].metadata).toEqual({ k: 'v' });
    const h = await method('foghorn.NodeControlService', 'GetNodeHealth');
    expect(h.responseDeserialize(hex('28 03  78 0a'))).toMatchObject({ active_streams: 3, disk_total_bytes: 10, operational_mode: '' });
  });

  it('SetNodeModeResponse.status #4 enum by name; ClusterVisibility #20', async () => {
    const s = await method('foghorn.NodeControlService', 'SetNodeOperationalMode');
    expect(s.responseSerialize({ node_id: 'n', mode: 'draining', status: 'SET_NODE_MODE_STATUS_SUCCESS' })).toEqual(hex('0a 01 6e  12 08 647261696e696e67  20 01'));
    const c = await method('quartermaster.ClusterService', 'GetCluster');
    expect(c.responseDeserialize(hex('0a 03 a001 03'))).toMatchObject({ cluster: { visibility: 'CLUSTER_VISIBILITY_PRIVATE' } });
  });

  it('Timestamp → RFC 3339 with milliseconds', () => {
    expect(timestampToRfc3339({ seconds: 1767225600, nanos: 123_456_789 })).toBe('2026-01-01T00:00:00.123Z');
    expect(timestampToRfc3339(null)).toBeUndefined();
  });
});
