/**
 * Header checks music-metadata does not make, read from a few KiB at the head and tail of a file:
 * truncation of MPEG audio (Xing/Info/VBRI byte count vs the file; a last frame cut short) and the
 * duration of an Ogg stream from its last page's granule position (music-metadata only finds it
 * by reading every page, seconds for an hour of Opus).
 */
import type { FileHandle } from 'node:fs/promises';

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.max(0, length));
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

export interface MpegFrame {
  /** 1, 2 or 2.5 (MPEG-2.5). */
  readonly version: 1 | 2 | 2.5;
  readonly layer: 1 | 2 | 3;
  readonly bitrateKbps: number;
  readonly sampleRateHz: number;
  readonly mono: boolean;
  readonly frameBytes: number;
}

const BITRATES: Record<string, readonly number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const RATES: Record<string, readonly number[]> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};

/** Parses the MPEG audio frame header at `off`; null when it is not one (free format too). */
export function parseMpegFrame(buf: Buffer, off: number): MpegFrame | null {
  if (off < 0 || off + 4 > buf.length) return null;
  const b1 = buf[off + 1]!;
  const b2 = buf[off + 2]!;
  const b3 = buf[off + 3]!;
  if (buf[off] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const v = (b1 >> 3) & 3;
  const l = (b1 >> 1) & 3;
  if (v === 1 || l === 0) return null;
  const version = v === 3 ? 1 : v === 2 ? 2 : 2.5;
  const layer = (4 - l) as 1 | 2 | 3;
  const bi = b2 >> 4;
  const si = (b2 >> 2) & 3;
  if (bi === 0 || bi === 15 || si === 3) return null;
  const bitrateKbps = BITRATES[`${version === 1 ? 1 : 2}-${layer}`]![bi]!;
  const sampleRateHz = RATES[String(version)]![si]!;
  const pad = (b2 >> 1) & 1;
  const br = bitrateKbps * 1000;
  const frameBytes =
    layer === 1
      ? (Math.floor((12 * br) / sampleRateHz) + pad) * 4
      : layer === 3 && version !== 1
        ? Math.floor((72 * br) / sampleRateHz) + pad
        : Math.floor((144 * br) / sampleRateHz) + pad;
  return { version, layer, bitrateKbps, sampleRateHz, mono: b3 >> 6 === 3, frameBytes };
}

function sameStream(a: MpegFrame, b: MpegFrame): boolean {
  return a.version === b.version && a.layer === b.layer && a.sampleRateHz === b.sampleRateHz;
}

/** Length of the frame chain starting at `off` (frames that follow each other exactly). */
function chainAt(buf: Buffer, off: number, ref?: MpegFrame): { frames: number; end: number } {
  let frames = 0;
  let q = off;
  const first = parseMpegFrame(buf, off);
  while (q + 4 <= buf.length) {
    const f = parseMpegFrame(buf, q);
    if (!f || !sameStream(f, ref ?? first!)) break;
    frames++;
    q += f.frameBytes;
  }
  return { frames, end: q };
}

/** Bytes of trailing ID3v1, APEv2 and Lyrics3v2 tags at the end of an MPEG file. */
async function trailingTagBytes(fh: FileHandle, fileSize: number): Promise<number> {
  let end = fileSize;
  const tail = await readAt(fh, Math.max(0, fileSize - 256), Math.min(256, fileSize));
  const at = (pos: number, len: number): string => {
    const o = pos - (fileSize - tail.length);
    return o >= 0 && o + len <= tail.length ? tail.toString('latin1', o, o + len) : '';
  };
  if (at(end - 128, 3) === 'TAG') end -= 128;
  if (at(end - 32, 8) === 'APETAGEX') {
    const o = end - 32 - (fileSize - tail.length);
    const size = tail.readUInt32LE(o + 12);
    const hasHeader = (tail.readUInt32LE(o + 20) & 0x80000000) !== 0;
    end -= size + (hasHeader ? 32 : 0);
  } else if (at(end - 9, 9) === 'LYRICS200') {
    const size = Number.parseInt(at(end - 15, 6), 10);
    if (Number.isFinite(size)) end -= size + 15;
  }
  return fileSize - Math.max(0, end);
}

export interface MpegCheck {
  /** Set when the stream is shorter than its header says, or its last frame is cut. */
  readonly truncated?: string;
  /** Offset of the first audio frame (after any ID3v2 tag and junk). */
  readonly firstFrameOffset?: number;
  /** Audio bytes a Xing/Info/VBRI header declares (when it does). */
  readonly declaredBytes?: number;
  /** Audio bytes present (first frame to the end, trailing tags excluded). */
  readonly presentBytes?: number;
  readonly warnings: string[];
}

/**
 * Looks for truncation of an MPEG audio file: (1) the byte count of a Xing/Info/VBRI header
 * against the bytes present, (2) whether the frame chain at the end of the file ends exactly at
 * the end of the file (a cut in the middle of the last frame). A cut on a frame boundary in a
 * file without a Xing/VBRI header cannot be seen without decoding.
 */
export async function checkMpegStream(
  fh: FileHandle,
  fileSize: number,
  audioStart: number,
): Promise<MpegCheck> {
  const warnings: string[] = [];
  if (audioStart >= fileSize)
    return {
      truncated: `the file ends inside its ID3v2 tag (the tag declares ${audioStart} bytes, the file has ${fileSize})`,
      warnings,
    };
  const head = await readAt(fh, audioStart, Math.min(fileSize - audioStart, 64 * 1024));
  let first = -1;
  for (let i = 0; i + 4 <= head.length; i++) {
    if (head[i] !== 0xff) continue;
    const f = parseMpegFrame(head, i);
    if (!f) continue;
    const { frames, end } = chainAt(head, i);
    // Two frames in a row (or one filling the rest of the file) make a sync trustworthy.
    if (
      frames >= 2 ||
      (frames === 1 && end >= head.length && audioStart + head.length === fileSize)
    ) {
      first = i;
      break;
    }
  }
  if (first < 0) {
    if (head.length < 64 * 1024 && audioStart + head.length === fileSize)
      return { truncated: 'the file ends before a complete MPEG audio frame', warnings };
    return { warnings: ['no MPEG frame sync found in the first 64 KiB'] };
  }
  const firstFrameOffset = audioStart + first;
  if (first > 0) warnings.push(`${first} bytes of junk before the first MPEG frame`);
  const f0 = parseMpegFrame(head, first)!;
  const endOfAudio = fileSize - (await trailingTagBytes(fh, fileSize));
  const present = endOfAudio - firstFrameOffset;

  // (1) Xing/Info (LAME, ffmpeg) or VBRI (Fraunhofer) byte count.
  const sideInfo = f0.version === 1 ? (f0.mono ? 17 : 32) : f0.mono ? 9 : 17;
  let declaredBytes: number | undefined;
  let tagName = '';
  const x = first + 4 + sideInfo;
  const xtag = head.toString('latin1', x, x + 4);
  if ((xtag === 'Xing' || xtag === 'Info') && x + 8 <= head.length) {
    const flags = head.readUInt32BE(x + 4);
    let p = x + 8;
    if (flags & 1) p += 4;
    if (flags & 2 && p + 4 <= head.length) declaredBytes = head.readUInt32BE(p);
    tagName = xtag;
  } else if (
    head.toString('latin1', first + 36, first + 40) === 'VBRI' &&
    first + 50 <= head.length
  ) {
    declaredBytes = head.readUInt32BE(first + 46);
    tagName = 'VBRI';
  }
  if (declaredBytes !== undefined && declaredBytes > 0) {
    const missing = declaredBytes - present;
    // ffmpeg's own tolerance for this comparison is 1/1024 of the stream; allow a few frames too.
    if (missing > Math.max(declaredBytes / 1024, 4 * f0.frameBytes)) {
      const pct = ((100 * missing) / declaredBytes).toFixed(1);
      return {
        truncated: `the MPEG audio stream has ${present} of the ${declaredBytes} bytes its ${tagName} header declares (${pct} % missing)`,
        firstFrameOffset,
        declaredBytes,
        presentBytes: present,
        warnings,
      };
    }
  }

  // (2) The frame chain at the end must end exactly at the end of the audio.
  const windowBytes = Math.min(present, 16 * 1024);
  const tailStart = endOfAudio - windowBytes;
  const tail = await readAt(fh, tailStart, windowBytes);
  for (let i = 0; i + 4 <= tail.length; i++) {
    if (tail[i] !== 0xff) continue;
    const f = parseMpegFrame(tail, i);
    if (!f || !sameStream(f, f0)) continue;
    const { frames, end } = chainAt(tail, i, f0);
    if (frames < 3 && end < tail.length) continue; // likely a false sync inside frame data
    if (end === tail.length) break; // ends exactly: complete
    if (end > tail.length) {
      // The last frame of the chain runs past the end of the file.
      let last = i;
      while (true) {
        const g = parseMpegFrame(tail, last)!;
        if (last + g.frameBytes >= end) {
          return {
            truncated: `the last MPEG frame is cut: ${tail.length - last} of its ${g.frameBytes} bytes are present`,
            firstFrameOffset,
            warnings,
          };
        }
        last += g.frameBytes;
      }
    }
    if (tail.length - end < 4) {
      return {
        truncated: 'the file ends inside an MPEG frame header',
        firstFrameOffset,
        warnings,
      };
    }
    break; // chain stops before the end: trailing data we do not know; no conclusion
  }
  return { firstFrameOffset, warnings };
}

/**
 * Duration of an Ogg stream (Opus, Vorbis, FLAC-in-Ogg) from the granule position of its last
 * page, seconds; null when no page with a granule is found in the last 64 KiB.
 */
export async function readOggDurationSec(
  fh: FileHandle,
  fileSize: number,
  codec: string,
  sampleRateHz: number,
): Promise<number | null> {
  const tail = await readAt(fh, Math.max(0, fileSize - 65536), Math.min(65536, fileSize));
  let granule = -1n;
  for (let i = tail.lastIndexOf('OggS'); i >= 0; i = tail.lastIndexOf('OggS', i - 1)) {
    if (i + 14 <= tail.length) {
      const g = tail.readBigInt64LE(i + 6);
      if (g >= 0n) {
        granule = g;
        break;
      }
    }
    if (i === 0) break;
  }
  if (granule < 0n) return null;
  if (/opus/i.test(codec)) {
    // Opus granules count 48 kHz samples including the encoder's pre-skip.
    const head = await readAt(fh, 0, Math.min(4096, fileSize));
    const h = head.indexOf('OpusHead');
    const preSkip = h >= 0 && h + 12 <= head.length ? head.readUInt16LE(h + 10) : 0;
    return Math.max(0, Number(granule) - preSkip) / 48000;
  }
  return sampleRateHz > 0 ? Number(granule) / sampleRateHz : null;
}
