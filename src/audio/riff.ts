/**
 * A small RIFF/RF64/BW64 chunk walker.
 *
 * Why not only music-metadata (which the probe also uses): as of v11 it (a) does not read RF64 or
 * BW64 at all, (b) maps the BWF `bext` loudness fields to the wrong offsets, as unsigned numbers,
 * without LoudnessRange, and drops CodingHistory, (c) ignores iXML, and (d) does not report the
 * `data` chunk's offset and size, which fixity needs (MD5 of the audio data only) and which the
 * probe needs to reject a WAV whose data size claims more than the file holds. The walker reads
 * only chunk headers and the small metadata chunks; it seeks over `data`, so it is O(chunks).
 */
import type { FileHandle } from 'node:fs/promises';
import { SonoError } from '../errors.js';

export type RiffForm = 'RIFF' | 'RF64' | 'BW64';

export interface WaveFormat {
  /** wFormatTag, or the sub-format's tag for WAVE_FORMAT_EXTENSIBLE (0xFFFE). */
  readonly formatTag: number;
  readonly extensible: boolean;
  readonly channels: number;
  readonly sampleRateHz: number;
  readonly avgBytesPerSec: number;
  readonly blockAlign: number;
  readonly bitsPerSample: number;
  /** wValidBitsPerSample of WAVE_FORMAT_EXTENSIBLE, when present and non-zero. */
  readonly validBitsPerSample?: number;
  readonly channelMask?: number;
}

export interface RiffChunkRef {
  readonly id: string;
  /** Byte offset of the chunk header. */
  readonly offset: number;
  /** Payload size as declared (ds64 sizes applied for RF64/BW64). */
  readonly size: number;
}

export interface RiffScan {
  readonly form: RiffForm;
  /** Declared size of the RIFF form (ds64 value for RF64/BW64). */
  readonly riffSize: number;
  readonly chunks: readonly RiffChunkRef[];
  readonly fmt: WaveFormat;
  /** Payload offset and size of the `data` chunk (size clipped to nothing: see `declaredSize`). */
  readonly data: { readonly offset: number; readonly size: number; readonly declaredSize: number };
  /** Sample frames from the `fact` chunk (or ds64 sampleCount), for compressed formats. */
  readonly factSamples?: number;
  readonly bext?: Buffer;
  readonly ixml?: Buffer;
  /** Payload of `LIST`/`INFO` after the `INFO` tag. */
  readonly info?: Buffer;
  readonly warnings: string[];
}

/** Metadata chunks larger than this are not read (their presence is still listed). */
const MAX_METADATA_CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_CHUNKS = 10000;
/** No real file is this large; a header declaring more is absurd (SONO_ERR_FILE_TOO_LARGE). */
export const ABSURD_SIZE_BYTES = 2 ** 44;

function u64(buf: Buffer, off: number): number {
  return Number(buf.readBigUInt64LE(off));
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

function isChunkId(id: string): boolean {
  // FourCCs are printable ASCII (space-padded).
  return /^[\x20-\x7e]{4}$/.test(id);
}

function parseFmt(p: Buffer): WaveFormat {
  let formatTag = p.readUInt16LE(0);
  const extensible = formatTag === 0xfffe && p.length >= 40;
  let validBitsPerSample: number | undefined;
  let channelMask: number | undefined;
  if (extensible) {
    const valid = p.readUInt16LE(18);
    if (valid > 0) validBitsPerSample = valid;
    channelMask = p.readUInt32LE(20);
    formatTag = p.readUInt16LE(24); // first two bytes of the sub-format GUID
  }
  return {
    formatTag,
    extensible,
    channels: p.readUInt16LE(2),
    sampleRateHz: p.readUInt32LE(4),
    avgBytesPerSec: p.readUInt32LE(8),
    blockAlign: p.readUInt16LE(12),
    bitsPerSample: p.readUInt16LE(14),
    ...(validBitsPerSample !== undefined ? { validBitsPerSample } : {}),
    ...(channelMask !== undefined ? { channelMask } : {}),
  };
}

/**
 * Walks the chunks of a RIFF/RF64/BW64 WAVE file. Throws SONO_ERR_TRUNCATED when the file ends
 * before the header (fmt and data chunk headers) is complete, SONO_ERR_CORRUPT_HEADER when the
 * structure is inconsistent before the audio data, and SONO_ERR_FILE_TOO_LARGE for absurd sizes.
 * A data chunk claiming more bytes than the file holds is reported through `data.declaredSize`
 * (the probe decides); trouble after the data chunk only adds warnings.
 */
export async function scanRiff(fh: FileHandle, fileSize: number, path: string): Promise<RiffScan> {
  const warnings: string[] = [];
  const truncated = (detail: string): SonoError =>
    new SonoError('SONO_ERR_TRUNCATED', { path, detail });
  const corrupt = (detail: string): SonoError =>
    new SonoError('SONO_ERR_CORRUPT_HEADER', { path, detail });

  if (fileSize < 12) throw truncated(`the RIFF header needs 12 bytes, the file has ${fileSize}`);
  const head = await readAt(fh, 0, 12);
  const form = head.toString('latin1', 0, 4) as RiffForm;
  if (head.toString('latin1', 8, 12) !== 'WAVE') throw corrupt(`${form} form is not WAVE`);
  let riffSize = head.readUInt32LE(4);

  let ds64: { dataSize: number; sampleCount: number; table: Map<string, number> } | undefined;
  const chunks: RiffChunkRef[] = [];
  let fmt: WaveFormat | undefined;
  let data: RiffScan['data'] | undefined;
  let factSamples: number | undefined;
  let bext: Buffer | undefined;
  let ixml: Buffer | undefined;
  let info: Buffer | undefined;

  let pos = 12;
  while (pos < fileSize) {
    if (chunks.length >= MAX_CHUNKS) {
      warnings.push(`more than ${MAX_CHUNKS} chunks; the rest is not examined`);
      break;
    }
    if (pos + 8 > fileSize) {
      if (!data || !fmt)
        throw truncated(`the file ends inside a chunk header at byte ${pos} (size ${fileSize})`);
      warnings.push(`${fileSize - pos} stray bytes at the end of the file`);
      break;
    }
    const h = await readAt(fh, pos, 8);
    const id = h.toString('latin1', 0, 4);
    const size32 = h.readUInt32LE(4);
    if (!isChunkId(id)) {
      if (data && fmt) {
        warnings.push(`unreadable bytes after the last chunk at byte ${pos}; ignored`);
        break;
      }
      throw corrupt(`invalid chunk id at byte ${pos} (0x${h.subarray(0, 4).toString('hex')})`);
    }
    let size = size32;
    if (form !== 'RIFF' && size32 === 0xffffffff && ds64) {
      if (id === 'data') size = ds64.dataSize;
      else size = ds64.table.get(id) ?? size32;
    }
    const payloadOffset = pos + 8;
    const available = fileSize - payloadOffset;
    chunks.push({ id, offset: pos, size });

    if (id === 'data') {
      if (size > ABSURD_SIZE_BYTES)
        throw new SonoError('SONO_ERR_FILE_TOO_LARGE', {
          path,
          detail: `the data chunk declares ${size} bytes, which no real recording has`,
        });
      let effective = size;
      if (form === 'RIFF' && (size32 === 0xffffffff || size32 === 0x7fffffff) && available < size) {
        // Streaming writers put 0xFFFFFFFF (or INT32_MAX, signed writers) when the length is
        // unknown; take what the file holds.
        const placeholder = size32 === 0xffffffff ? '0xFFFFFFFF' : '0x7FFFFFFF';
        warnings.push(`data chunk size is the ${placeholder} placeholder; using the file length`);
        effective = available;
      }
      data ??= {
        offset: payloadOffset,
        size: Math.min(effective, available),
        declaredSize: effective,
      };
      if (effective >= available) break; // data runs to (or past) the end of the file
      pos = payloadOffset + effective + (effective % 2);
      continue;
    }

    const wantPayload =
      id === 'fmt ' ||
      id === 'ds64' ||
      id === 'fact' ||
      id === 'bext' ||
      id === 'iXML' ||
      id === 'LIST';
    if (size > available) {
      if (id === 'fmt ' || id === 'ds64' || !data)
        throw truncated(
          `the ${id.trim()} chunk at byte ${pos} declares ${size} bytes, only ${available} follow`,
        );
      warnings.push(`the ${id.trim()} chunk at byte ${pos} is cut off by the end of the file`);
      break;
    }
    if (wantPayload && size <= MAX_METADATA_CHUNK_BYTES) {
      const p = await readAt(fh, payloadOffset, size);
      if (id === 'fmt ') {
        if (size < 16) throw corrupt(`fmt chunk of ${size} bytes (at least 16 expected)`);
        fmt ??= parseFmt(p);
      } else if (id === 'ds64') {
        if (form === 'RIFF') warnings.push('ds64 chunk in a plain RIFF file; ignored');
        else if (size < 28) throw corrupt(`ds64 chunk of ${size} bytes (at least 28 expected)`);
        else {
          const table = new Map<string, number>();
          const n = p.readUInt32LE(24);
          for (let i = 0; i < n && 28 + 12 * (i + 1) <= size; i++) {
            const o = 28 + 12 * i;
            table.set(p.toString('latin1', o, o + 4), u64(p, o + 4));
          }
          ds64 = { dataSize: u64(p, 8), sampleCount: u64(p, 16), table };
          riffSize = u64(p, 0);
          if (ds64.sampleCount > 0) factSamples = ds64.sampleCount;
        }
      } else if (id === 'fact') {
        if (size >= 4 && factSamples === undefined) {
          const n = p.readUInt32LE(0);
          if (n !== 0xffffffff) factSamples = n;
        }
      } else if (id === 'bext') bext ??= p;
      else if (id === 'iXML') ixml ??= p;
      else if (id === 'LIST' && size >= 4 && p.toString('latin1', 0, 4) === 'INFO')
        info ??= p.subarray(4);
    } else if (wantPayload) {
      warnings.push(`the ${id.trim()} chunk (${size} bytes) is too large to read; skipped`);
    }
    if (form !== 'RIFF' && pos === 12 && id !== 'ds64')
      throw corrupt(`${form} file without a ds64 chunk first (found "${id}")`);
    pos = payloadOffset + size + (size % 2);
  }

  if (form !== 'RIFF' && !ds64) throw truncated(`the ${form} file ends before its ds64 chunk`);
  if (!fmt) {
    if (data) throw corrupt('no fmt chunk');
    throw truncated(`the file ends (at ${fileSize} bytes) before the fmt chunk`);
  }
  if (!data) throw truncated(`the file ends (at ${fileSize} bytes) before the data chunk`);
  if (riffSize > ABSURD_SIZE_BYTES)
    throw new SonoError('SONO_ERR_FILE_TOO_LARGE', {
      path,
      detail: `the ${form} header declares ${riffSize} bytes, which no real recording has`,
    });
  if (riffSize + 8 < fileSize)
    warnings.push(`${fileSize - riffSize - 8} bytes after the end of the ${form} form`);
  else if (
    riffSize + 8 > fileSize &&
    riffSize !== 0xffffffff && // the streaming placeholder, like the data size above
    data.declaredSize <= fileSize - data.offset
  )
    warnings.push(
      `the ${form} size field declares ${riffSize + 8} bytes, the file has ${fileSize}`,
    );

  return {
    form,
    riffSize,
    chunks,
    fmt,
    data,
    ...(factSamples !== undefined ? { factSamples } : {}),
    ...(bext ? { bext } : {}),
    ...(ixml ? { ixml } : {}),
    ...(info ? { info } : {}),
    warnings,
  };
}
