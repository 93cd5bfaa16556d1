import { Args, Flags } from '@oclif/core';
import { FrameworksCommand, viaFlags } from '@frameworks/cli-kit';
import { parseDuration } from '@frameworks/sdk';
import { changeNodeMode, foghornFor, readDrainStatus, waitIdle, type NodeModeRoute } from '../../drain/drain.js';

export default class EdgeDrain extends FrameworksCommand<typeof EdgeDrain> {
  static override summary = 'Put an edge node in draining mode; optionally wait until it is idle.';
  static override description = `Put an edge node in draining mode: Foghorn routes new viewers elsewhere; optionally wait until it is idle.

PUT /nodes/{node-id}/mode {"mode":"draining"} on Foghorn's HTTP port (the context's foghorn-http URL). Existing sessions continue; new viewers go elsewhere. The node must be known to Foghorn (drain-status answers), otherwise exit 1 and nothing is changed.

--wait polls drain-status until active_viewers is 0 (progress on stderr), at most --idle-timeout; on timeout exit 1 (DRAIN_TIMEOUT) and the node stays draining.

These Foghorn routes have no authentication: no credential is sent. Undo with: frameworks edge undrain <node-id>. In a gateway-only context (or with the Gateway fallback when the direct endpoint is unreachable) it goes through the Gateway's GraphQL (setNodeMode, with the JWT or the service token; not with --wait or --dry-run, which read the drain status).`;

  static override examples = [
    { description: 'Send new viewers of edge-ams-1 elsewhere', command: '<%= config.bin %> edge drain edge-ams-1' },
    {
      description: 'Drain edge-ams-1 and wait up to 30 minutes for its viewers to leave',
      command: '<%= config.bin %> edge drain edge-ams-1 --wait --idle-timeout 30m',
    },
    { description: 'Show the mode and viewers of edge-ams-1; change nothing', command: '<%= config.bin %> edge drain edge-ams-1 --dry-run' },
  ];

  static override args = { 'node-id': Args.string({ required: true, description: 'Node id as Foghorn knows it (edge-…; `frameworks edge status` shows it).' }) };
  static completionValues = { 'node-id': 'nodes' };

  static override flags = {
    wait: Flags.boolean({ description: 'Wait until the node has no viewers left.' }),
    'idle-timeout': Flags.string({ default: '10m', description: 'With --wait: give up after this long (exit 1, the node stays draining).' }),
    'poll-interval': Flags.string({ default: '5s', hidden: true, description: 'Time between drain-status polls.' }),
    'dry-run': Flags.boolean({ description: 'Show the node\'s mode and viewers; change nothing.' }),
    ...viaFlags,
  };

  static override mutating = true;

  async run() {
    const f = this.flags;
    const nodeId = this.args['node-id'];
    const idleTimeoutMs = parseDuration(f['idle-timeout'], '--idle-timeout');
    const intervalMs = parseDuration(f['poll-interval'], '--poll-interval');
    this.auditTargets = [nodeId];
    const ctx = await this.context();
    const route: NodeModeRoute = { ctx, credential: () => this.credential('jwt-or-service'), dialer: await this.dialer() };
    if (f['dry-run']) {
      const { url: foghorn, ...before } = await readDrainStatus(route, 'edge drain --dry-run', nodeId);
      this.info(`Dry run: ${nodeId} is ${before.operational_mode} with ${before.active_viewers} viewer(s); would set draining${f.wait ? ' and wait until idle' : ''}. Nothing changed.`);
      return { node_id: nodeId, foghorn, dry_run: true, mode_before: before.operational_mode, active_viewers: before.active_viewers, would_set: 'draining' };
    }
    // Direct: drain-status then PUT on Foghorn; gateway-only or fallback: setNodeMode (not with --wait).
    const waitNeeds = f.wait ? '--wait polls the drain status, which no Gateway field reads' : undefined;
    const change = await changeNodeMode(route, 'edge drain', nodeId, 'draining', waitNeeds);
    const { set, url: foghorn } = change;
    const was = change.before === null ? '' : ` (was ${change.before})`;
    this.success(`${nodeId} is draining${was}; ${set.active_viewers} viewer(s) on it`);
    let idleAfterMs: number | null = null;
    let status = set;
    if (f.wait) {
      const started = Date.now();
      const { client } = await foghornFor(ctx, route.credential, route.dialer);
      status = await waitIdle(client, nodeId, { idleTimeoutMs, intervalMs, progress: (t) => this.info(`  ${t}`) });
      idleAfterMs = Date.now() - started;
      this.success(`${nodeId} is idle (0 viewers) after ${(idleAfterMs / 1000).toFixed(1)}s`);
    }
    this.next(`frameworks edge undrain ${nodeId}`, `frameworks edge drain-status ${nodeId}`);
    return { node_id: nodeId, foghorn, mode_before: change.before, operational_mode: status.operational_mode, active_viewers: status.active_viewers, waited: Boolean(f.wait), idle_after_ms: idleAfterMs };
  }
}
