import type { ComposeContainer, PortBinding } from './types.js';

/** The parts of `docker inspect <container>` the driver reads. */
interface InspectedContainer {
  Id: string;
  Name: string;
  Image: string;
  RestartCount?: number;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State?: {
    Status?: string;
    ExitCode?: number;
    StartedAt?: string;
    Health?: { Status?: string; Log?: Array<{ Output?: string; ExitCode?: number }> | null } | null;
  };
  HostConfig?: { RestartPolicy?: { Name?: string } };
  NetworkSettings?: { Ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null };
}

interface InspectedImage {
  Id: string;
  RepoDigests?: string[] | null;
}

/** `docker inspect` of several objects prints a JSON array; one that vanished meanwhile only adds stderr. */
export function parseInspect<T>(stdout: string): T[] {
  const text = stdout.trim();
  if (!text) return [];
  const data = JSON.parse(text) as unknown;
  return Array.isArray(data) ? (data as T[]) : [];
}

/** IDs from `docker ps --format '{{json .}}'` (NDJSON: one object per line). */
export function parsePsIds(stdout: string): string[] {
  const ids: string[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    const id = (JSON.parse(t) as { ID?: string }).ID;
    if (id) ids.push(id);
  }
  return ids;
}

/** The image references of a `docker ps --format '{{json .}}'` listing (a reference, or the image id when its tag moved). */
export function imageRefsOf(stdout: string): string[] {
  const refs = new Set<string>();
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    const image = (JSON.parse(t) as { Image?: string }).Image;
    if (image) refs.add(image);
  }
  return [...refs];
}

/**
 * The arguments of the one `docker inspect` that answers for containers and their images: the container ids, then the
 * image references (no --type: each name is looked up as a container first, which a full container id always is).
 */
export function inspectArgs(ids: string[], imageRefs: string[]): string[] {
  return [...ids, ...imageRefs.filter((r) => !ids.includes(r))];
}

/** A container as one `docker ps --format '{{json .}}'` line shows it (no inspect). */
export interface ListedContainer {
  id: string;
  name: string;
  project: string;
  service: string;
  number: number;
  oneoff: boolean;
  state: string;
  image: string;
}

/** Containers from `docker ps -a --format '{{json .}}'`: labels come as one "k=v,k=v" string. */
export function parsePsListing(stdout: string): ListedContainer[] {
  const out: ListedContainer[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    const c = JSON.parse(t) as { ID?: string; Names?: string; State?: string; Image?: string; Labels?: string };
    const labels = new Map((c.Labels ?? '').split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
    if (!c.ID) continue;
    out.push({
      id: c.ID,
      name: (c.Names ?? '').split(',')[0],
      project: labels.get('com.docker.compose.project') ?? '',
      service: labels.get('com.docker.compose.service') ?? '',
      number: Number(labels.get('com.docker.compose.container-number') ?? 1),
      oneoff: labels.get('com.docker.compose.oneoff') === 'True',
      state: c.State ?? '',
      image: c.Image ?? '',
    });
  }
  return out;
}

/** Repository of an image reference: everything before ":tag" / "@digest". */
export function repositoryOf(ref: string): string {
  const noDigest = ref.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** docker shows Docker Hub repositories in their familiar form: docker.io/library/caddy → caddy. */
function familiar(repo: string): string {
  return repo.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
}

/** The manifest digest of `ref` among an image's RepoDigests (or from the ref itself when pinned). */
export function digestFor(ref: string, repoDigests: string[]): string | undefined {
  const at = ref.indexOf('@');
  if (at >= 0) return ref.slice(at + 1);
  const repo = familiar(repositoryOf(ref));
  for (const rd of repoDigests) {
    const i = rd.indexOf('@');
    if (i > 0 && familiar(rd.slice(0, i)) === repo) return rd.slice(i + 1);
  }
  return undefined;
}

function ports(raw: InspectedContainer['NetworkSettings']): PortBinding[] {
  const out: PortBinding[] = [];
  for (const [key, binds] of Object.entries(raw?.Ports ?? {})) {
    const [port, protocol = 'tcp'] = key.split('/');
    for (const b of binds ?? []) {
      out.push({ containerPort: Number(port), protocol, hostIp: b.HostIp ?? '', hostPort: Number(b.HostPort ?? 0) });
    }
  }
  return out;
}

export function toContainer(c: InspectedContainer, images: Map<string, InspectedImage>): ComposeContainer {
  const labels = c.Config?.Labels ?? {};
  const image = c.Config?.Image ?? '';
  const repoDigests = images.get(c.Image)?.RepoDigests ?? [];
  const health = c.State?.Health ?? undefined;
  const last = health?.Log?.length ? health.Log[health.Log.length - 1] : undefined;
  const out: ComposeContainer = {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    project: labels['com.docker.compose.project'] ?? '',
    service: labels['com.docker.compose.service'] ?? '',
    number: Number(labels['com.docker.compose.container-number'] ?? 1),
    state: c.State?.Status ?? 'unknown',
    exitCode: c.State?.ExitCode ?? 0,
    restartCount: c.RestartCount ?? 0,
    startedAt: c.State?.StartedAt ?? '',
    restartPolicy: c.HostConfig?.RestartPolicy?.Name || 'no',
    image,
    imageId: c.Image,
    repoDigests,
    ports: ports(c.NetworkSettings),
    oneoff: /^true$/i.test(labels['com.docker.compose.oneoff'] ?? ''),
    labels,
  };
  if (health?.Status) out.health = health.Status;
  if (last?.Output) out.healthLog = last.Output.trim().slice(-500);
  const digest = digestFor(image, repoDigests);
  if (digest) out.digest = digest;
  return out;
}

export type { InspectedContainer, InspectedImage };
