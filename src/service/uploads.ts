/**
 * Streaming uploads: a multipart file stream is written to a temporary file while it is hashed
 * (SHA-256), counted and — on its first bytes — checked by content (magic bytes). Nothing is ever
 * held whole in memory. An accepted upload is fsynced and renamed into
 * `<uploadDir>/<yyyy>/<mm>/<id>/<client file name>` (then the directories are fsynced) before the caller
 * commits the task, so a 202 always refers to a durable file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  describeNonAudio,
  sniffAudioFormat,
  SNIFF_HEAD_BYTES,
  type SniffResult,
} from '../audio/sniff.js';
import { SonoError } from '../errors.js';

export interface StoredUpload {
  /** Also the task id of the upload. */
  readonly id: string;
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly format: SniffResult['format'];
  readonly mime: string;
  readonly originalName: string;
}

/** Hashes, counts and sniffs the bytes that flow through it. */
class InspectStream extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  sniffed: SniffResult | undefined;
  private head: Buffer[] = [];
  private headBytes = 0;

  constructor(
    private readonly displayName: string,
    private readonly maxBytes: number,
  ) {
    super();
  }

  private check(final: boolean): Error | undefined {
    if (this.sniffed !== undefined) return undefined;
    if (!final && this.headBytes < SNIFF_HEAD_BYTES) return undefined;
    const head = Buffer.concat(this.head);
    this.head = [];
    if (head.length === 0) return new SonoError('SONO_ERR_EMPTY_FILE', { path: this.displayName });
    const r = sniffAudioFormat(head);
    if (r === null)
      return new SonoError('SONO_ERR_NOT_AUDIO', {
        detected: describeNonAudio(head) ?? 'unrecognised content',
        path: this.displayName,
      });
    this.sniffed = r;
    return undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    // Stop as soon as the limit is passed, whatever the source (busboy enforces it too).
    if (this.bytes > this.maxBytes) {
      cb(new SonoError('SONO_ERR_PAYLOAD_TOO_LARGE', { limit: this.maxBytes }));
      return;
    }
    this.hash.update(chunk);
    if (this.sniffed === undefined) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
    }
    cb(this.check(false), chunk);
  }

  override _flush(cb: TransformCallback): void {
    cb(this.check(true));
  }
}

/** Keeps only a harmless base name of a client-supplied file name (for display and exports). */
export function sanitizeFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  let clean = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .trim();
  // File systems limit names to 255 bytes: keep at most 200 bytes of UTF-8, whole characters.
  while (Buffer.byteLength(clean) > 200) clean = [...clean].slice(0, -1).join('');
  return clean.length > 0 && clean !== '.' && clean !== '..' ? clean : 'upload';
}

/**
 * Streams `source` to a durable file under `uploadDir`.
 *
 * @param isTruncated - tells after the stream ended whether the size limit cut it (busboy's
 *   `truncated` flag), for sources that stop silently instead of throwing.
 * @throws SonoError SONO_ERR_NOT_AUDIO (415), SONO_ERR_EMPTY_FILE (422),
 *   SONO_ERR_PAYLOAD_TOO_LARGE (413), SONO_ERR_STORAGE_FAILED (503).
 */
export async function receiveUpload(
  source: Readable,
  opts: {
    readonly uploadDir: string;
    readonly originalName: string | undefined;
    readonly maxBytes: number;
    readonly isTruncated?: () => boolean;
  },
): Promise<StoredUpload> {
  const id = randomUUID();
  const originalName = sanitizeFileName(opts.originalName);
  const incoming = join(opts.uploadDir, '.incoming');
  const partPath = join(incoming, `${id}.part`);
  try {
    await mkdir(incoming, { recursive: true });
  } catch (e) {
    source.resume();
    throw new SonoError('SONO_ERR_STORAGE_FAILED', { detail: (e as Error).message }, { cause: e });
  }
  const inspect = new InspectStream(originalName, opts.maxBytes);
  let ok = false;
  const out = createWriteStream(partPath, { flags: 'wx' });
  try {
    await pipeline(source, inspect, out);
    if (opts.isTruncated?.() === true || inspect.bytes > opts.maxBytes)
      throw new SonoError('SONO_ERR_PAYLOAD_TOO_LARGE', { limit: opts.maxBytes });
    // fsync is per file, not per descriptor: a fresh descriptor flushes what the stream wrote.
    const fh = await open(partPath, 'r+');
    await fh.sync().finally(() => fh.close());
    ok = true;
  } catch (e) {
    if (e instanceof SonoError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new SonoError('SONO_ERR_PAYLOAD_TOO_LARGE', { limit: opts.maxBytes });
    // File-system errors (ENOSPC, EIO, …) carry a syscall; anything else came from the request
    // stream (malformed multipart, client gone) and is left to the caller to map.
    if ((e as NodeJS.ErrnoException).syscall !== undefined)
      throw new SonoError(
        'SONO_ERR_STORAGE_FAILED',
        { detail: (e as Error).message },
        { cause: e },
      );
    throw e;
  } finally {
    if (!ok) {
      source.resume();
      // The write stream opens its file asynchronously: a pipeline that failed on the first chunk
      // (not audio) can settle before that open, and a removal then would leave the file behind.
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      await rm(partPath, { force: true }).catch(() => undefined);
    }
  }
  const sniffed = inspect.sniffed!;
  const now = new Date();
  // One directory per upload keeps the client's file name (the report's source.file_name and
  // the Dublin Core title come from it) without any chance of collision.
  const month = join(
    opts.uploadDir,
    String(now.getUTCFullYear()),
    String(now.getUTCMonth() + 1).padStart(2, '0'),
  );
  const dir = join(month, id);
  const finalPath = join(dir, originalName);
  try {
    await mkdir(dir, { recursive: true });
    await rename(partPath, finalPath);
    for (const d of [dir, month]) {
      const dh = await open(d, 'r');
      await dh.sync().finally(() => dh.close());
    }
  } catch (e) {
    await rm(partPath, { force: true }).catch(() => undefined);
    throw new SonoError('SONO_ERR_STORAGE_FAILED', { detail: (e as Error).message }, { cause: e });
  }
  return {
    id,
    path: finalPath,
    sizeBytes: inspect.bytes,
    sha256: inspect.hash.digest('hex'),
    format: sniffed.format,
    mime: sniffed.mime,
    originalName,
  };
}

/** Removes stored uploads (a rejected batch, a failed commit). Never throws. */
export async function discardUploads(uploads: readonly StoredUpload[]): Promise<void> {
  await Promise.all(uploads.map((u) => removeUpload(u.path)));
}

/** Removes an upload and its per-upload directory. Never throws. */
export async function removeUpload(path: string): Promise<void> {
  await rm(dirname(path), { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Part files not written to for this long are leftovers of a crash, not uploads in flight (a live
 * upload writes every chunk it receives). A stalled client whose part file is swept gets a coded
 * SONO_ERR_STORAGE_FAILED instead of a 202; nothing that was accepted is ever touched.
 */
export const INCOMING_STALE_MS = 60_000;

/**
 * Removes the stale `*.part` files a crashed or killed process left in `<uploadDir>/.incoming`
 * (run at service start and hourly). Never throws; returns what it removed.
 */
export async function sweepIncoming(
  uploadDir: string,
  opts: { readonly staleMs?: number; readonly now?: number } = {},
): Promise<{ files: number; bytes: number }> {
  const incoming = join(uploadDir, '.incoming');
  const cutoff = (opts.now ?? Date.now()) - (opts.staleMs ?? INCOMING_STALE_MS);
  let names: string[];
  try {
    names = await readdir(incoming);
  } catch {
    return { files: 0, bytes: 0 };
  }
  let files = 0;
  let bytes = 0;
  for (const name of names) {
    if (!name.endsWith('.part')) continue;
    const p = join(incoming, name);
    const st = await stat(p).catch(() => undefined);
    if (st === undefined || !st.isFile() || st.mtimeMs > cutoff) continue;
    try {
      await rm(p);
    } catch {
      continue;
    }
    files++;
    bytes += st.size;
  }
  return { files, bytes };
}
