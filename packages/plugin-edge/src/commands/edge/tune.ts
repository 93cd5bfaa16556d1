import { Flags } from '@oclif/core';
import { lockFlags, paint } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError, isFrameworksError, usageError, type HostOutcome } from '@frameworks/sdk';
import { EdgeCommand, type HostContext } from '../../lib/edge-command.js';
import type { TuneReport } from '../../tune/run.js';
import { LIMITS_FILE, SYSCTL_FILE, SYSCTL_TARGETS } from '../../tune/targets.js';

export default class EdgeTune extends EdgeCommand<typeof EdgeTune> {
  static override summary = 'Show, or with --write apply, the recommended sysctls and limits.';
  static override description = `Show, or with --write apply, the recommended sysctl and limits files for an edge host.

Without --write: prints ${SYSCTL_FILE} and ${LIMITS_FILE} as they would be written, and every key against the live kernel (what would change). Nothing is touched.

With --write (root only): writes both files atomically, removes the MVP's unprefixed frameworks-edge.conf files (they would override these), applies with \`sysctl --system\` and reads every key back, reporting applied or not applied with the reason. Exits 1 when a key did not take, 5 when not run as root.

Values: the node_tuning role's (64 MiB socket buffer ceilings, somaxconn 16384, ports 10000–65535, …) plus udp_{r,w}mem_min and swappiness. Tuning never lowers a value the host already has above the target. fq and bbr are written only when the kernel offers them; otherwise the output says why they are omitted.

Containers do not read limits.d: their open-files limit comes from dockerd (see the nofile check of edge preflight).

Testing only (hidden flags): --root <dir> writes under <dir> and applies nothing; add --apply-keys a,b to apply just those keys with \`sysctl -p -\`. Run it inside a network namespace the test made (ip netns exec <ns> frameworks edge tune --write --root <tmp> --apply-keys net.core.somaxconn,…) with namespaced keys only, so the host's kernel is never changed.`;
  static override examples = [
    { description: 'Show the recommended sysctls and limits against the live kernel', command: '<%= config.bin %> edge tune' },
    { description: 'Apply them on this host', command: 'sudo <%= config.bin %> edge tune --write' },
    { description: 'Apply them on a remote host over SSH', command: '<%= config.bin %> edge tune --write --ssh root@edge-1.example.com' },
    { description: 'Show what --write would change, as JSON; change nothing', command: '<%= config.bin %> edge tune --write --dry-run --json' },
  ];
  static override mutating = true;
  static override graceful = true;
  static override flags = {
    write: Flags.boolean({ description: 'Write the files, apply them with sysctl --system and read the values back (root only).' }),
    ...lockFlags,
    'dry-run': Flags.boolean({ description: 'Show what --write would write and change, without writing (the same as leaving out --write).' }),
    root: Flags.string({ hidden: true, description: 'For testing: write every file under this folder instead of /; nothing is applied unless --apply-keys.' }),
    'apply-keys': Flags.string({
      hidden: true,
      description: 'For testing: apply only these comma-separated keys (sysctl -p -). Run inside a network namespace, with namespaced keys only.',
    }),
  };

  async run() {
    const applyKeys = this.flags['apply-keys']
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (applyKeys) {
      if (!this.flags.write) throw usageError('--apply-keys needs --write.', ['frameworks edge tune --write --root <dir> --apply-keys net.core.somaxconn'], 'APPLY_KEYS_WITHOUT_WRITE');
      const known = SYSCTL_TARGETS.map((t) => t.key);
      const unknown = applyKeys.filter((k) => !known.includes(k));
      if (unknown.length) throw usageError(`--apply-keys: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a tuned key' : 'are not tuned keys'}.`, [`Tuned keys: ${known.join(', ')}`], 'UNKNOWN_SYSCTL_KEY');
    }
    const write = this.flags.write && !this.flags['dry-run'];
    const root = this.flags.root;
    const outcomes = await this.onHosts((h) => this.tuneHost(h, write, root, applyKeys));
    await this.print(outcomes);

    if (outcomes.length === 1) {
      const [o] = outcomes;
      if (!o.ok) throw o.error!;
      if (!write) this.next(this.sshTargets().length ? `frameworks edge tune --write --ssh ${o.host}` : 'sudo frameworks edge tune --write');
      else this.next('frameworks edge preflight   # the sysctl checks read the values back');
      return o.value!;
    }
    return this.settle(outcomes, write ? 'Tuning' : 'Tuning preview');
  }

  private async tuneHost(h: HostContext, write: boolean, root: string | undefined, applyKeys: string[] | undefined): Promise<TuneReport> {
    const { isRoot, previewTune, writeTune } = await import('../../tune/run.js');
    if (!write) return previewTune(h.executor, h.host, root);
    if (!(await isRoot(h.executor))) {
      // 5 (forbidden): the operation is not allowed for this user, which scripts must tell apart from a failed apply.
      throw new FrameworksError(`edge tune --write changes kernel settings and /etc: it needs root${h.remote ? ` on ${h.host}` : ''}.`, {
        code: 'ROOT_REQUIRED',
        exitCode: ExitCode.FORBIDDEN,
        name: 'ForbiddenError',
        suggestions: h.remote
          ? [`frameworks edge tune --write --ssh root@${h.host.replace(/^[^@]*@/, '')}`, `frameworks edge tune --ssh ${h.host}   # preview, no root needed`]
          : ['sudo frameworks edge tune --write', 'frameworks edge tune   # preview, no root needed'],
      });
    }
    // Host-wide files (sysctl.d, limits.d), not a stack's: the lock lives in /run (tmpfs, root-only,
    // gone at reboot, so a lock never outlives the machine's state it protects).
    const report = await this.withLock(h, () => writeTune(h.executor, h.host, { root, applyKeys }), {
      dir: `${root ?? ''}/run/frameworks`,
      file: 'edge-tune.lock',
      ensureDir: true,
      what: 'kernel tuning of this host',
    });
    const failed = report.applied!.keys.filter((k) => k.status === 'not-applied');
    if (failed.length) {
      throw new FrameworksError(`${failed.length} of ${report.applied!.keys.length} sysctl values did not take on ${h.host}: ${failed.map((k) => k.key).join(', ')}.`, {
        code: 'TUNE_NOT_APPLIED',
        exitCode: ExitCode.FAILED,
        result: report,
        suggestions: [...new Set(failed.map((k) => `${k.key}: ${k.reason}`))].slice(0, 3),
      });
    }
    return report;
  }

  private async print(outcomes: HostOutcome<TuneReport>[]): Promise<void> {
    if (this.jsonEnabled()) return;
    const { renderPreview, renderWrite } = await import('../../tune/render.js');
    for (const o of outcomes) {
      const report = reportOf(o);
      if (outcomes.length > 1) this.out(paint(`\n── ${o.host} ──`, 'bold'));
      if (report) this.out(report.mode === 'write' ? renderWrite(report) : renderPreview(report));
      else if (outcomes.length > 1) this.out(`✗ ${o.error?.message ?? 'failed'}`);
    }
  }
}

function reportOf(o: HostOutcome<TuneReport>): TuneReport | undefined {
  if (o.value) return o.value;
  const r = isFrameworksError(o.error) ? (o.error.result as TuneReport | undefined) : undefined;
  return r && Array.isArray(r.keys) ? r : undefined;
}
