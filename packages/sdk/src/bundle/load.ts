import { spawn } from 'node:child_process';
import { posix } from 'node:path';
import { Transform } from 'node:stream';
import { ExitCode, FrameworksError } from '../errors.js';
import type { HostContext } from '../exec/host.js';
import { frameworksHome } from '../paths.js';
import type { Executor } from '../exec/types.js';
import { quoteArg } from '../exec/quote.js';
import { tildify } from '../paths.js';
import { stderrTail, withReason } from '../tool-output.js';
import type { BundleImage, BundleManifest } from './format.js';
import { savedImageIds } from './image-id.js';
import { openBundleFile } from './read.js';
import { checkFreeSpace, type SpaceCheck } from './space.js';
import { memberStream, type TarEntry } from './tar.js';

/** What `bundle load` leaves on a host for `edge init --bundle`: which local tag runs which release image. */
export interface BundleMapping {
  version: string;
  channel: string | null;
  loaded_at: string;
  bundle: string;
  images: Record<string, { image: string; digest: string; image_id: string; local_tag: string }>;
}

export interface LoadBundleInput {
  executor: Executor;
  /** The bundle, already verified (verifyBundle). */
  file: string;
  manifest: BundleManifest;
  entries: TarEntry[];
  /** Folder of the mapping files on the host (~/.frameworks/bundles). */
  mappingDir: string;
  /** Remote hosts only: where the image archives are uploaded (removed afterwards). */
  tmpDir?: string;
  dryRun?: boolean;
  onProgress?: (e: { phase: 'upload' | 'load'; service: string; bytes: number; total: number }) => void;
}

export interface LoadedImage {
  service: string;
  image_id: string;
  local_tag: string;
  action: 'loaded' | 'would-load';
}

export interface LoadReport {
  images: LoadedImage[];
  space: SpaceCheck[] | null;
  mapping_file: string;
  uploaded_bytes: number;
}

interface Uploader {
  upload(source: NodeJS.ReadableStream, path: string, mode?: number): Promise<void>;
}
const canUpload = (ex: Executor): ex is Executor & Uploader => typeof (ex as Partial<Uploader>).upload === 'function';

export const mappingFile = (dir: string, version: string): string => posix.join(dir, `${version}.json`);

function failed({ code }: { code: string }, message: string, suggestions: string[], detail?: string): FrameworksError {
  return new FrameworksError(message, { code, exitCode: ExitCode.FAILED, suggestions, ...(detail ? { detail } : {}) });
}

/** Each image archive's id from the bundle itself, before anything is loaded: a mismatch loads and tags nothing. */
async function checkImageIds(file: string, manifest: BundleManifest, entries: TarEntry[]): Promise<void> {
  const fh = await openBundleFile(file);
  try {
    for (const img of manifest.images) {
      const e = entries.find((x) => x.path === img.member);
      if (!e) throw failed({ code: 'BUNDLE_MEMBER_MISSING' }, `${tildify(file)}: member ${img.member} (${img.service}) is missing.`, [`frameworks bundle inspect ${tildify(file)}`]);
      const ids = await savedImageIds(fh, tildify(file), e);
      if (!ids.includes(img.image_id)) {
        throw failed(
          { code: 'BUNDLE_IMAGE_ID_MISMATCH' },
          `${tildify(file)}: ${img.member} holds image ${ids[0] ?? '(none)'}, but manifest.json expects ${img.image_id} for ${img.service}. Nothing was loaded or tagged.`,
          [`frameworks bundle inspect ${tildify(file)}`, 'Make the bundle again with `frameworks bundle create`'],
        );
      }
    }
  } finally {
    await fh.close();
  }
}

async function dockerRootDir(ex: Executor): Promise<string | undefined> {
  const r = await ex.run(['docker', 'info', '--format', '{{.DockerRootDir}}']);
  if (r.code !== 0) {
    const tail = stderrTail(r.stderr, 4);
    throw failed({ code: 'DOCKER_UNREACHABLE' }, `The Docker engine on ${ex.name} cannot be reached${withReason(tail, r.code)}`, ['docker info'], tail);
  }
  return r.stdout.trim() || undefined;
}

/** docker load on this host: the member's bytes go straight from the bundle to docker's stdin (no copy). */
function loadLocal(file: string, e: TarEntry, onBytes: (n: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['load'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    const src = memberStream(file, e);
    src.on('data', (c) => onBytes((c as Buffer).length));
    src.on('error', reject);
    src.pipe(child.stdin);
    child.on('close', (code) => {
      if (code === 0) return resolve(stdout);
      const tail = stderrTail(stderr, 6);
      reject(failed({ code: 'BUNDLE_LOAD_FAILED' }, `docker load of ${e.path} failed${withReason(tail, code ?? 1)}`, ['docker info'], tail));
    });
  });
}

/** The id `docker load` reports ("Loaded image ID: sha256:…", or a tag it names). */
async function loadedId(ex: Executor, output: string, expected: string): Promise<string | undefined> {
  const ids = [...output.matchAll(/Loaded image ID: (sha256:[a-f0-9]{64})/g)].map((m) => m[1]);
  if (ids.includes(expected)) return expected;
  const r = await ex.run(['docker', 'image', 'inspect', '--format', '{{.Id}}', expected]);
  return r.code === 0 ? r.stdout.trim() : ids[0];
}

/**
 * Load a verified bundle into the engine of `executor`'s host: image ids checked against the bundle →
 * free space → (SSH: upload to a temp folder) → docker load → loaded ids checked → tag each image
 * under its local tag → the mapping file → the upload removed. A failure before tagging tags nothing.
 */
export async function loadBundle(input: LoadBundleInput): Promise<LoadReport> {
  const { executor: ex, manifest, file } = input;
  await checkImageIds(file, manifest, input.entries);
  const entries = manifest.images.map((img) => ({ img, e: input.entries.find((x) => x.path === img.member)! }));
  const total = entries.reduce((a, x) => a + x.e.size, 0);
  const root = await dockerRootDir(ex);
  const remote = canUpload(ex);
  const needs = [
    ...(root ? [{ path: root, what: 'the loaded images (Docker root)', bytes: total }] : []),
    ...(remote ? [{ path: input.tmpDir ?? '/var/tmp', what: 'the upload of the images', bytes: total }] : []),
  ];
  const space = needs.length ? ((await checkFreeSpace(ex, needs)) ?? null) : null;
  const mapping = mappingFile(input.mappingDir, manifest.release.version);
  if (input.dryRun) {
    return { images: manifest.images.map((i) => ({ service: i.service, image_id: i.image_id, local_tag: i.local_tag, action: 'would-load' })), space, mapping_file: mapping, uploaded_bytes: 0 };
  }
  let uploaded = 0;
  let tmp: string | undefined;
  try {
    const outputs: Array<{ img: BundleImage; output: string }> = [];
    if (remote) {
      const mk = await ex.run(['mktemp', '-d', posix.join(input.tmpDir ?? '/var/tmp', 'frameworks-bundle.XXXXXX')]);
      if (mk.code !== 0) throw failed({ code: 'BUNDLE_UPLOAD_FAILED' }, `Cannot make a temp folder on ${ex.name}${withReason(stderrTail(mk.stderr, 4), mk.code)}`, [`df -h ${input.tmpDir ?? '/var/tmp'}`]);
      tmp = mk.stdout.trim();
      for (const { img, e } of entries) {
        // Counted on the way (a 'data' listener would start the flow before the upload reads it).
        const counter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            uploaded += chunk.length;
            input.onProgress?.({ phase: 'upload', service: img.service, bytes: uploaded, total });
            done(null, chunk);
          },
        });
        await ex.upload(memberStream(file, e).pipe(counter), posix.join(tmp, `${img.service}.tar`), 0o600);
      }
      for (const { img } of entries) {
        input.onProgress?.({ phase: 'load', service: img.service, bytes: 0, total });
        const r = await ex.run(['docker', 'load', '-i', posix.join(tmp, `${img.service}.tar`)]);
        if (r.code !== 0) throw failed({ code: 'BUNDLE_LOAD_FAILED' }, `docker load of ${img.member} on ${ex.name} failed${withReason(stderrTail(r.stderr, 6), r.code)}`, ['docker info']);
        outputs.push({ img, output: r.stdout });
      }
    } else {
      // All at once: the engine unpacks them side by side (each docker load is atomic on its own).
      let loaded = 0;
      const done = await Promise.allSettled(
        entries.map(async ({ img, e }) => ({
          img,
          output: await loadLocal(file, e, (n) => {
            loaded += n;
            input.onProgress?.({ phase: 'load', service: img.service, bytes: loaded, total });
          }),
        })),
      );
      const failure = done.find((d) => d.status === 'rejected');
      if (failure) throw failure.reason;
      for (const d of done) if (d.status === 'fulfilled') outputs.push(d.value);
    }
    for (const { img, output } of outputs) {
      const id = await loadedId(ex, output, img.image_id);
      if (id !== img.image_id) {
        throw failed({ code: 'BUNDLE_IMAGE_ID_MISMATCH' }, `${img.service}: docker load produced image ${id ?? '(none)'}, manifest.json expects ${img.image_id}. Nothing was tagged.`, [`frameworks bundle verify ${tildify(file)}`]);
      }
    }
    const tagged = await Promise.all(outputs.map(async ({ img }) => ({ img, r: await ex.run(['docker', 'tag', img.image_id, img.local_tag]) })));
    for (const { img, r } of tagged) {
      if (r.code !== 0) throw failed({ code: 'BUNDLE_TAG_FAILED' }, `docker tag ${img.image_id} ${img.local_tag} failed${withReason(stderrTail(r.stderr, 4), r.code)}`, ['docker images']);
    }
    const doc: BundleMapping = {
      version: manifest.release.version,
      channel: manifest.release.channel,
      loaded_at: new Date().toISOString(),
      bundle: posix.basename(file),
      images: Object.fromEntries(manifest.images.map((i) => [i.service, { image: i.image, digest: i.digest, image_id: i.image_id, local_tag: i.local_tag }])),
    };
    const mk = await ex.run(['mkdir', '-p', input.mappingDir]);
    if (mk.code !== 0) throw failed({ code: 'BUNDLE_MAPPING_WRITE_FAILED' }, `Cannot create ${input.mappingDir} on ${ex.name}${withReason(stderrTail(mk.stderr, 4), mk.code)}`, [`ls -ld ${quoteArg(input.mappingDir)}`]);
    await ex.writeFile(mapping, `${JSON.stringify(doc, null, 2)}\n`, 0o644);
    return { images: manifest.images.map((i) => ({ service: i.service, image_id: i.image_id, local_tag: i.local_tag, action: 'loaded' })), space, mapping_file: mapping, uploaded_bytes: uploaded };
  } finally {
    if (tmp) await ex.run(['rm', '-rf', tmp]).catch(() => undefined);
  }
}

/** The tags of a bundle present on the host with the expected ids (edge init --bundle: load only when not). */
export async function bundleLoadedOn(ex: Executor, manifest: BundleManifest): Promise<boolean> {
  const r = await ex.run(['docker', 'image', 'inspect', '--format', '{{.Id}}', ...manifest.images.map((i) => i.local_tag)]);
  if (r.code !== 0) return false;
  const ids = r.stdout.trim().split('\n');
  return manifest.images.every((img, i) => ids[i] === img.image_id);
}

/**
 * Where `bundle load` records which local tag runs which release image: ~/.frameworks/bundles on the
 * host (FRAMEWORKS_HOME on this machine), read by `edge init --bundle`. A user folder: loading needs
 * access to the Docker engine, not root.
 */
export async function bundleMappingDir(h: HostContext): Promise<string> {
  if (!h.remote) return posix.join(frameworksHome(), 'bundles');
  const r = await h.executor.run(['sh', '-c', 'printf %s "$HOME"']);
  return posix.join(r.stdout.trim() || '/root', '.frameworks', 'bundles');
}
