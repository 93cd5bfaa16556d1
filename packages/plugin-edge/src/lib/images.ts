import type { ComposeProject } from '@frameworks/sdk/compose';

export interface ServiceRef {
  service: string;
  /** The image reference of the compose file (interpolated). */
  image: string;
}

/** Each service's image reference, from `compose config` (so variables are resolved as Compose does). */
export async function serviceRefs(project: ComposeProject): Promise<ServiceRef[]> {
  const cfg = await project.config();
  return Object.entries(cfg.services)
    .filter(([, s]) => typeof s.image === 'string' && s.image)
    .map(([service, s]) => ({ service, image: s.image as string }))
    .sort((a, b) => a.service.localeCompare(b.service));
}

/**
 * The image id each reference names in the host's engine right now (undefined: not there), with
 * `docker image inspect` through the project's executor. A daemon problem throws.
 */
export async function localImageIds(project: ComposeProject, refs: string[]): Promise<Map<string, string | undefined>> {
  const { failure } = await import('@frameworks/sdk/compose');
  const info = await project.compose();
  const out = new Map<string, string | undefined>();
  await Promise.all(
    [...new Set(refs)].map(async (ref) => {
      const res = await project.executor.run([...info.dockerArgv, 'image', 'inspect', '--format', '{{.Id}}', ref], {
        timeoutMs: project.timeoutMs,
        ...(project.env ? { env: project.env } : {}),
      });
      if (res.code === 0) out.set(ref, res.stdout.trim() || undefined);
      else if (/No such image|No such object/i.test(res.stderr)) out.set(ref, undefined);
      else throw failure(res, { what: 'docker image inspect', where: project.executor.name, display: res.display, dockerArgv: info.dockerArgv });
    }),
  );
  return out;
}

/** Short form of an image id or digest for humans: sha256:0123456789ab. */
export function shortId(id: string | undefined | null): string {
  if (!id) return '-';
  const m = /^(sha256:)?([a-f0-9]{12})[a-f0-9]*$/.exec(id);
  return m ? `${m[1] ?? ''}${m[2]}` : id;
}
