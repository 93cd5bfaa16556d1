import { ExitCode, FrameworksError, quoteCommand } from '@frameworks/sdk';
import type { ComposeProject, ServiceImage } from '@frameworks/sdk/compose';
import { localImageIds, shortId } from '../lib/images.js';

export interface RollbackReport {
  /** Services whose reference was re-pointed at the recorded image. */
  retagged: Array<{ service: string; image: string; image_id: string; how: 'tag' | 'pull+tag' }>;
  /** What runs after the rollback (must equal what was recorded). */
  running: ServiceImage[];
  duration_ms: number;
}

/**
 * Put the recorded images back: re-point each service's compose reference at the image id it ran
 * (`docker tag <id> <ref>` — the old image is still in the engine, only untagged by the pull; when
 * it is gone, pull the recorded `repo@digest` and tag that), then `up -d` (Compose recreates the
 * containers whose image changed) and wait until everything is running and healthy again.
 * Throws UPDATE_ROLLBACK_FAILED when a container does not end up on its recorded image.
 */
export async function rollback(project: ComposeProject, recorded: ServiceImage[], o: { timeoutMs: number; progress?: (t: string) => void }): Promise<RollbackReport> {
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  const info = await project.compose();
  const env = project.env ? { env: project.env } : {};
  const movable = recorded.filter((r) => !r.image.includes('@'));
  const ids = await localImageIds(project, movable.map((r) => r.image));
  const retagged: RollbackReport['retagged'] = [];
  for (const r of movable) {
    if (ids.get(r.image) === r.imageId) continue;
    o.progress?.(`docker tag ${shortId(r.imageId)} ${r.image}`);
    let how: 'tag' | 'pull+tag' = 'tag';
    let res = await project.executor.run([...info.dockerArgv, 'tag', r.imageId, r.image], { timeoutMs: 30_000, ...env });
    if (res.code !== 0 && r.digest && /No such image/i.test(res.stderr)) {
      // Pruned meanwhile: the registry still has it by digest.
      how = 'pull+tag';
      o.progress?.(`docker pull ${r.pinned}`);
      const pulled = await project.executor.run([...info.dockerArgv, 'pull', '-q', r.pinned], { timeoutMs: left(), ...env });
      res = pulled.code === 0 ? await project.executor.run([...info.dockerArgv, 'tag', r.pinned, r.image], { timeoutMs: 30_000, ...env }) : pulled;
    }
    if (res.code !== 0) {
      throw new FrameworksError(`Rollback could not restore ${r.service} (${r.image} → ${shortId(r.imageId)}): ${(res.stderr || res.stdout).trim().split('\n').pop()}`, {
        code: 'UPDATE_ROLLBACK_FAILED',
        exitCode: ExitCode.FAILED,
        suggestions: [quoteCommand([...info.dockerArgv, 'image', 'ls', '--digests'])],
      });
    }
    retagged.push({ service: r.service, image: r.image, image_id: r.imageId, how });
  }
  o.progress?.('docker compose up -d');
  await project.up({ timeoutMs: left() });
  o.progress?.('waiting until every container is running and healthy');
  await project.waitReady({ timeoutMs: left(), intervalMs: 1000 });
  const running = await project.imageDigests();
  const wrong = recorded.filter((r) => running.find((x) => x.service === r.service)?.imageId !== r.imageId);
  if (wrong.length) {
    throw new FrameworksError(`Rollback left ${wrong.map((w) => `${w.service} on ${shortId(running.find((x) => x.service === w.service)?.imageId)} instead of ${shortId(w.imageId)}`).join(', ')}`, {
      code: 'UPDATE_ROLLBACK_FAILED',
      exitCode: ExitCode.FAILED,
    });
  }
  return { retagged, running, duration_ms: Date.now() - started };
}
