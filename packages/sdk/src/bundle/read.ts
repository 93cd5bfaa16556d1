import { open, type FileHandle } from 'node:fs/promises';
import { ExitCode, FrameworksError, usageError } from '../errors.js';
import { tildify } from '../paths.js';
import { BUNDLE_FORMAT, MANIFEST_MEMBER, SIGNATURE_MEMBER, type BundleManifest } from './format.js';
import { listTar, readRange, truncatedError, type TarEntry } from './tar.js';

export interface OpenedBundle {
  file: string;
  size: number;
  entries: TarEntry[];
  manifest: BundleManifest;
  manifestBytes: Buffer;
  /** manifest.json.sig (base64), when the bundle is signed. */
  signature?: string;
}

const MAX_MANIFEST = 16 * 1024 * 1024;

export async function openBundleFile(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usageError(`${tildify(file)}: no such file.`, ['ls -l *.tar'], 'BUNDLE_NOT_FOUND');
    throw new FrameworksError(`Cannot read ${tildify(file)}: ${(err as Error).message}`, { code: 'BUNDLE_UNREADABLE', exitCode: ExitCode.FAILED });
  }
}

function invalid(file: string, why: string): FrameworksError {
  return new FrameworksError(`${tildify(file)} is not a valid bundle: ${why}.`, {
    code: 'BUNDLE_INVALID',
    exitCode: ExitCode.FAILED,
    suggestions: ['frameworks bundle create --channel stable -o bundle.tar   # make it again'],
  });
}

/** The members (headers only) and manifest.json of a bundle: what inspect shows, and where verify and load start. */
export async function readBundle(file: string): Promise<OpenedBundle> {
  const fh = await openBundleFile(file);
  try {
    const size = (await fh.stat()).size;
    if (size === 0) throw truncatedError(tildify(file), 'the file is empty');
    const entries = await listTar(fh, tildify(file));
    const m = entries.find((e) => e.path === MANIFEST_MEMBER);
    if (!m) throw invalid(file, `it has no ${MANIFEST_MEMBER}`);
    if (m.size > MAX_MANIFEST) throw invalid(file, `${MANIFEST_MEMBER} is ${m.size} bytes`);
    const manifestBytes = await readRange(fh, m.offset, m.size);
    let manifest: BundleManifest;
    try {
      manifest = JSON.parse(manifestBytes.toString('utf8')) as BundleManifest;
    } catch (err) {
      throw invalid(file, `${MANIFEST_MEMBER} is not JSON (${(err as Error).message}); it was changed after it was written`);
    }
    if (manifest?.format !== BUNDLE_FORMAT || !Array.isArray(manifest.members) || !Array.isArray(manifest.images)) {
      throw invalid(file, `${MANIFEST_MEMBER} is not a ${BUNDLE_FORMAT} manifest`);
    }
    if (manifest.format_version !== 1) throw invalid(file, `format version ${String(manifest.format_version)} is newer than this CLI reads (1); update frameworks`);
    const s = entries.find((e) => e.path === SIGNATURE_MEMBER);
    const signature = s ? (await readRange(fh, s.offset, s.size)).toString('utf8').trim() : undefined;
    return { file, size, entries, manifest, manifestBytes, ...(signature ? { signature } : {}) };
  } finally {
    await fh.close();
  }
}
