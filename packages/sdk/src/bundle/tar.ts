import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Header } from 'tar';
import { ExitCode, FrameworksError } from '../errors.js';

const BLOCK = 512;
const pad = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

function header(path: string, size: number, mode = 0o644): Buffer {
  const buf = Buffer.alloc(BLOCK);
  new Header({ path, size, mode, type: 'File', mtime: new Date(), uid: 0, gid: 0, uname: 'root', gname: 'root' }).encode(buf, 0);
  return buf;
}

export interface WrittenMember {
  path: string;
  size: number;
  sha256: string;
}

/**
 * A tar writer that streams members of unknown size: it writes a placeholder header, streams the data
 * (hashing it on the way), then rewrites the header with the real size. `docker save | tar` without a
 * staging copy: one write of every byte.
 */
export class TarWriter {
  private pos = 0;
  constructor(private readonly fh: FileHandle) {}

  private async write(buf: Buffer): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, this.pos + done);
      done += bytesWritten;
    }
    this.pos += buf.length;
  }

  async addBuffer(path: string, data: Buffer | string, mode = 0o644): Promise<WrittenMember> {
    const body = Buffer.isBuffer(data) ? data : Buffer.from(data);
    await this.write(header(path, body.length, mode));
    await this.write(body);
    await this.write(Buffer.alloc(pad(body.length)));
    return { path, size: body.length, sha256: createHash('sha256').update(body).digest('hex') };
  }

  async addStream(path: string, source: Readable, onBytes?: (n: number) => void): Promise<WrittenMember> {
    const at = this.pos;
    await this.write(Buffer.alloc(BLOCK));
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      hash.update(chunk);
      await this.write(chunk);
      size += chunk.length;
      onBytes?.(chunk.length);
    }
    await this.write(Buffer.alloc(pad(size)));
    await this.fh.write(header(path, size), 0, BLOCK, at);
    return { path, size, sha256: hash.digest('hex') };
  }

  /** The two zero blocks that end a tar archive. */
  async end(): Promise<void> {
    await this.write(Buffer.alloc(2 * BLOCK));
  }
}

export interface TarEntry {
  path: string;
  /** Offset of the data in the file. */
  offset: number;
  size: number;
}

export function truncatedError(file: string, detail: string): FrameworksError {
  return new FrameworksError(`${file} is truncated or not a bundle: ${detail}.`, {
    code: 'BUNDLE_TRUNCATED',
    exitCode: ExitCode.FAILED,
    suggestions: [`ls -l ${file}   # compare with the size of the original, then copy it again`],
  });
}

/**
 * The members of a tar file, found by reading only the headers (each data block is skipped with a seek).
 * A header that is not a tar header, or data that runs past the end of the file, is BUNDLE_TRUNCATED.
 */
export async function listTar(fh: FileHandle, file: string, base = 0, length?: number): Promise<TarEntry[]> {
  const end = length === undefined ? (await fh.stat()).size : base + length;
  const out: TarEntry[] = [];
  const buf = Buffer.alloc(BLOCK);
  let pos = base;
  let longName: string | undefined;
  let ended = false;
  while (pos + BLOCK <= end) {
    const { bytesRead } = await fh.read(buf, 0, BLOCK, pos);
    if (bytesRead < BLOCK) break;
    if (buf.every((b) => b === 0)) {
      ended = true;
      break;
    }
    const h = new Header(buf);
    if (!h.cksumValid) throw truncatedError(file, `a damaged tar header at byte ${pos}`);
    const size = h.size ?? 0;
    const data = pos + BLOCK;
    if (data + size > end) throw truncatedError(file, `member ${longName ?? h.path} ends past the end of the file (${end} bytes)`);
    if (h.type === 'NextFileHasLongPath') {
      const name = Buffer.alloc(size);
      await fh.read(name, 0, size, data);
      longName = name.toString('utf8').replace(/\0+$/, '');
    } else if (h.type === 'File' || h.type === 'OldFile' || h.type === 'ContiguousFile') {
      out.push({ path: longName ?? h.path ?? '', offset: data, size });
      longName = undefined;
    } else if (h.type !== 'ExtendedHeader' && h.type !== 'GlobalExtendedHeader') {
      longName = undefined;
    }
    pos = data + size + pad(size);
  }
  if (!ended && length === undefined) throw truncatedError(file, `the end-of-archive marker is missing after byte ${pos}`);
  return out;
}

export async function readRange(fh: FileHandle, offset: number, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(size);
  let done = 0;
  while (done < size) {
    const { bytesRead } = await fh.read(buf, done, size - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/** A stream of one member's bytes (for docker load's stdin, an upload, or hashing). */
export function memberStream(file: string, e: Pick<TarEntry, 'offset' | 'size'>): Readable {
  return createReadStream(file, { start: e.offset, end: e.offset + e.size - 1, highWaterMark: 1 << 20 });
}
