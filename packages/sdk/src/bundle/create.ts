import { spawn, type ChildProcess } from 'node:child_process';
import { open, rename, rm } from 'node:fs/promises';
import { ExitCode, FrameworksError, usageError } from '../errors.js';
import type { Executor } from '../exec/types.js';
import { tildify } from '../paths.js';
import { pinnedRef, type PinnedImage } from '../release/pinned.js';
import { stderrTail, withReason } from '../tool-output.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  MANIFEST_MEMBER,
  SIGNATURE_MEMBER,
  bundleVersionName,
  imageMember,
  localTag,
  type BundleImage,
  type BundleManifest,
  type BundleMember,
  type BundleScope,
} from './format.js';
import { signBundleManifest } from './sign.js';
import { TarWriter } from './tar.js';

export interface ExtraMember {
  /** Path inside the bundle: templates/…, sboms/…, signatures/… */
  path: string;
  content: string | Buffer;
}

export interface CreateBundleInput {
  images: PinnedImage[];
  release: { version?: string; channel?: string; bytes: Buffer; signature?: string };
  scope: BundleScope;
  /** templates/, sboms/, signatures/ members. */
  extras: ExtraMember[];
  out: string;
  signKey?: string;
  /** Runs `docker pull` and `docker image inspect` (the engine of DOCKER_HOST). */
  executor: Executor;
  onProgress?: (e: CreateProgress) => void;
  signal?: AbortSignal;
}

export type CreateProgress =
  | { phase: 'pull'; service: string; ref: string }
  | { phase: 'save'; service: string; bytes: number; total: number };

export interface CreatedBundle {
  file: string;
  bytes: number;
  manifest: BundleManifest;
  signed: boolean;
}

function dockerFailed(what: string, r: { code: number; stderr: string }, { code }: { code: string }, fix: string): FrameworksError {
  const tail = stderrTail(r.stderr, 6);
  return new FrameworksError(`${what}${withReason(tail, r.code)}`, { code, exitCode: ExitCode.FAILED, suggestions: [fix], ...(tail ? { detail: tail } : {}) });
}

/**
 * `docker save <ref>` streamed into the bundle: the executor only returns text, so the binary stdout is
 * read here. The child joins `running`, which the run kills (SIGKILL) on an error or an interrupt.
 */
function dockerSave(ref: string, running: Set<ChildProcess>): { stdout: NodeJS.ReadableStream; done: Promise<void> } {
  const child = spawn('docker', ['save', ref], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      if (code === 0) resolve();
      else reject(dockerFailed(`docker save ${ref} failed`, { code: code ?? 1, stderr }, { code: 'BUNDLE_SAVE_FAILED' }, `docker image inspect ${ref}`));
    });
  });
  // A save started ahead and stopped by an error is never awaited: its rejection must not go unhandled.
  done.catch(() => undefined);
  return { stdout: child.stdout, done };
}

async function pullAndInspect(ex: Executor, p: PinnedImage, signal?: AbortSignal): Promise<{ id: string; size: number }> {
  const ref = pinnedRef(p);
  const inspectArgs = ['docker', 'image', 'inspect', '--format', '{{.Id}} {{.Size}}', ref];
  // An engine that already holds image@digest has exactly those bytes: the pull would only ask the registry.
  let inspect = await ex.run(inspectArgs);
  if (inspect.code !== 0) {
    const pull = await ex.run(['docker', 'pull', '-q', ref], signal ? { signal } : {});
    if (pull.code !== 0) throw dockerFailed(`docker pull ${ref} failed`, pull, { code: 'BUNDLE_PULL_FAILED' }, `docker pull ${ref}`);
    inspect = await ex.run(inspectArgs);
  }
  if (inspect.code !== 0) throw dockerFailed(`docker image inspect ${ref} failed`, inspect, { code: 'BUNDLE_PULL_FAILED' }, `docker pull ${ref}`);
  const [id, size] = inspect.stdout.trim().split(' ');
  return { id, size: Number(size) || 0 };
}

/**
 * Pull every image by digest, then write the bundle to `<out>.part` and rename it to `out` only when
 * it is complete: a run that is killed leaves no `out` (a stale .part is overwritten by the next run).
 */
export async function createBundle(input: CreateBundleInput): Promise<CreatedBundle> {
  const unpinned = input.images.filter((p) => !p.digest);
  if (unpinned.length) {
    throw usageError(
      `Cannot bundle ${unpinned.map((p) => `${p.service} (${pinnedRef(p)})`).join(', ')}: not pinned to a digest, so the bundle could not prove what it holds.`,
      ['Pin a digest per image in the release manifest (image: …, digest: sha256:…)'],
      'BUNDLE_IMAGE_UNPINNED',
    );
  }
  if (input.images.length === 0) throw usageError('The release has no image in this scope: nothing to bundle.', ['--scope all'], 'BUNDLE_EMPTY');
  const pulled = await Promise.all(
    input.images.map(async (p) => {
      input.onProgress?.({ phase: 'pull', service: p.service, ref: pinnedRef(p) });
      return { p, ...(await pullAndInspect(input.executor, p, input.signal)) };
    }),
  );
  // Every docker save of this run stops with it (an error, or the user's interrupt).
  const running = new Set<ChildProcess>();
  const stopSaves = () => {
    for (const c of running) c.kill('SIGKILL');
  };
  const interrupted = () => new FrameworksError(`Interrupted: ${tildify(input.out)} was not written.`, { code: 'ABORTED', exitCode: ExitCode.INTERRUPTED });
  if (input.signal?.aborted) throw interrupted();
  input.signal?.addEventListener('abort', stopSaves, { once: true });
  const version = bundleVersionName(input.release.version, input.release.bytes);
  const releasePath = `release/${version}.yaml`;
  const part = `${input.out}.part`;
  const fh = await open(part, 'w', 0o644);
  let closed = false;
  try {
    const tar = new TarWriter(fh);
    const members: BundleMember[] = [];
    members.push(await tar.addBuffer(releasePath, input.release.bytes));
    if (input.release.signature) members.push(await tar.addBuffer(`${releasePath}.sig`, `${input.release.signature.trim()}\n`));
    for (const x of input.extras) members.push(await tar.addBuffer(x.path, x.content));
    const images: BundleImage[] = [];
    const total = pulled.reduce((a, x) => a + x.size, 0);
    let bytes = 0;
    // The next image's save starts while this one is written: the engine prepares it meanwhile (pipe backpressure holds it).
    let next = dockerSave(pinnedRef(pulled[0].p), running);
    for (const [n, { p, id }] of pulled.entries()) {
      if (input.signal?.aborted) throw interrupted();
      const member = imageMember(p.service);
      const save = next;
      if (n + 1 < pulled.length) next = dockerSave(pinnedRef(pulled[n + 1].p), running);
      const written = await tar.addStream(member, save.stdout as unknown as import('node:stream').Readable, (n) => {
        bytes += n;
        input.onProgress?.({ phase: 'save', service: p.service, bytes, total });
      });
      await save.done;
      members.push(written);
      images.push({ service: p.service, image: p.image, digest: p.digest!, ...(p.tag ? { tag: p.tag } : {}), image_id: id, member, local_tag: localTag(p) });
    }
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      format_version: BUNDLE_FORMAT_VERSION,
      created_at: new Date().toISOString(),
      scope: input.scope,
      release: { version, channel: input.release.channel ?? null, manifest: releasePath, signature: input.release.signature ? `${releasePath}.sig` : null },
      images,
      members,
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    await tar.addBuffer(MANIFEST_MEMBER, manifestBytes);
    if (input.signKey) await tar.addBuffer(SIGNATURE_MEMBER, `${await signBundleManifest(manifestBytes, input.signKey)}\n`);
    await tar.end();
    await fh.sync();
    const size = (await fh.stat()).size;
    await fh.close();
    closed = true;
    await rename(part, input.out);
    input.signal?.removeEventListener('abort', stopSaves);
    return { file: input.out, bytes: size, manifest, signed: Boolean(input.signKey) };
  } catch (err) {
    stopSaves();
    if (!closed) await fh.close().catch(() => undefined);
    await rm(part, { force: true });
    input.signal?.removeEventListener('abort', stopSaves);
    if (input.signal?.aborted) throw interrupted();
    throw err;
  }
}
