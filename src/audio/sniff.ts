/**
 * Content sniffing by magic bytes: which audio container a file holds, and — for error messages —
 * what a non-audio file is. Uploads and probing trust content, never the file extension.
 */
import type { ContentIdentity } from './types.js';

export type SniffedFormat = 'wav' | 'rf64' | 'bw64' | 'flac' | 'mp3' | 'ogg' | 'aiff' | 'm4a';

export interface SniffResult {
  readonly format: SniffedFormat;
  readonly mime: string;
}

/** Bytes of the file head that `sniffAudioFormat` / `describeNonAudio` look at (at most). */
export const SNIFF_HEAD_BYTES = 4096;

const MIME: Readonly<Record<SniffedFormat, string>> = {
  wav: 'audio/wav',
  rf64: 'audio/wav',
  bw64: 'audio/wav',
  flac: 'audio/flac',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  aiff: 'audio/aiff',
  m4a: 'audio/mp4',
};

const MP4_AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);
const MP4_GENERIC_BRANDS = /^(isom|iso[2-9]|mp41|mp42|mp71|3gp[4-9]|3g2[a-c]|dash|MSNV|NDAS)$/;

function isMp4AudioBrand(brand: string): boolean {
  return MP4_AUDIO_BRANDS.has(brand) || MP4_GENERIC_BRANDS.test(brand);
}

function ascii(head: Buffer, start: number, len: number): string {
  if (head.length < start + len) return '';
  return head.toString('latin1', start, start + len);
}

/** Bytes of an ID3v2 tag at offset 0 (header + body + footer), or 0 when there is none. */
export function id3v2Size(head: Buffer): number {
  if (head.length < 10 || ascii(head, 0, 3) !== 'ID3') return 0;
  const b = (i: number): number => head[i] ?? 0;
  // Synchsafe integer: 7 bits per byte.
  const body = ((b(6) & 0x7f) << 21) | ((b(7) & 0x7f) << 14) | ((b(8) & 0x7f) << 7) | (b(9) & 0x7f);
  const footer = (b(5) & 0x10) !== 0 ? 10 : 0;
  return 10 + body + footer;
}

/**
 * Whether the 4 bytes at `off` are a plausible MPEG audio frame header (sync, version, layer,
 * bitrate and sample-rate indexes not reserved). Layer III is what `.mp3` means; layers I/II are
 * accepted too (MPEG audio, same decoder).
 */
export function isMpegFrameHeader(buf: Buffer, off: number): boolean {
  if (off + 4 > buf.length) return false;
  const b1 = buf[off + 1]!;
  const b2 = buf[off + 2]!;
  if (buf[off] !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  if ((b1 & 0x18) === 0x08) return false; // reserved version
  if ((b1 & 0x06) === 0x00) return false; // reserved layer
  if ((b2 & 0xf0) === 0xf0) return false; // bad bitrate index
  if ((b2 & 0x0c) === 0x0c) return false; // reserved sample rate
  return true;
}

/**
 * Identifies an audio container from the first bytes of a file (pass at least the first 64 bytes;
 * `SNIFF_HEAD_BYTES` is plenty). Returns null when the content is not a known audio container.
 */
export function sniffAudioFormat(head: Buffer): SniffResult | null {
  const r = (format: SniffedFormat): SniffResult => ({ format, mime: MIME[format] });
  const id4 = ascii(head, 0, 4);
  if (id4 === 'RIFF' && ascii(head, 8, 4) === 'WAVE') return r('wav');
  if (id4 === 'RF64' && ascii(head, 8, 4) === 'WAVE') return r('rf64');
  if (id4 === 'BW64' && ascii(head, 8, 4) === 'WAVE') return r('bw64');
  if (id4 === 'fLaC') return r('flac');
  if (id4 === 'OggS') return r('ogg');
  if (id4 === 'FORM') {
    const t = ascii(head, 8, 4);
    if (t === 'AIFF' || t === 'AIFC') return r('aiff');
  }
  if (ascii(head, 4, 4) === 'ftyp') {
    // ISO BMFF. Audio brands (M4A, M4B …) are audio by definition. Generic brands (isom, mp42,
    // 3gp …) are what many recorders (phones, field recorders) write for audio-only .m4a files, so
    // they are accepted too: whether there is an audio track is the probe's call
    // (SONO_ERR_NO_AUDIO_STREAM). Brands of other kinds (QuickTime, HEIF images …) are not.
    const brand = ascii(head, 8, 4);
    if (isMp4AudioBrand(brand)) return r('m4a');
    const boxSize = head.length >= 4 ? head.readUInt32BE(0) : 0;
    for (let o = 16; o + 4 <= Math.min(boxSize, head.length); o += 4) {
      if (isMp4AudioBrand(ascii(head, o, 4))) return r('m4a');
    }
  }
  const id3 = id3v2Size(head);
  if (id3 > 0) {
    // An ID3v2 tag also precedes FLAC or AAC sometimes; look past it when the head holds it.
    if (id3 + 4 <= head.length) {
      const after = ascii(head, id3, 4);
      if (after === 'fLaC') return r('flac');
    }
    return r('mp3');
  }
  if (isMpegFrameHeader(head, 0)) return r('mp3');
  return null;
}

/**
 * Names common non-audio content (for SONO_ERR_NOT_AUDIO messages), e.g. `PNG image`,
 * `PDF document`, `text`. Returns null when the content is not recognised.
 */
export function describeNonAudio(head: Buffer): string | null {
  if (head.length === 0) return 'empty file';
  const hex = head.subarray(0, 8).toString('hex');
  const id4 = ascii(head, 0, 4);
  if (hex.startsWith('89504e470d0a1a0a')) return 'PNG image';
  if (hex.startsWith('ffd8ff')) return 'JPEG image';
  if (id4 === 'GIF8') return 'GIF image';
  if (id4 === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return 'WebP image';
  if (id4 === '%PDF') return 'PDF document';
  if (hex.startsWith('504b0304') || hex.startsWith('504b0506')) return 'ZIP archive';
  if (hex.startsWith('1f8b')) return 'gzip archive';
  if (hex.startsWith('7f454c46')) return 'ELF executable';
  if (hex.startsWith('4d5a')) return 'Windows executable';
  if (hex.startsWith('d0cf11e0a1b11ae1')) return 'Microsoft Office document';
  if (id4 === 'II*\0' || id4 === 'MM\0*') return 'TIFF image';
  if (isText(head)) {
    const start = head.toString('utf8', 0, Math.min(head.length, 256)).trimStart().toLowerCase();
    if (start.startsWith('<?xml')) return 'XML document';
    if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'HTML document';
    if (start.startsWith('{') || start.startsWith('[')) return 'JSON or other text';
    return 'text';
  }
  return null;
}

/** True when the head decodes as UTF-8 text without control characters other than whitespace. */
function isText(head: Buffer): boolean {
  const n = Math.min(head.length, 1024);
  if (n === 0) return false;
  let bytes = head.subarray(0, n);
  // Ignore a UTF-8 sequence possibly cut at the end of the sample.
  let cut = 0;
  while (cut < 3 && cut < bytes.length && (bytes[bytes.length - 1 - cut]! & 0xc0) === 0x80) cut++;
  if (cut < bytes.length && bytes[bytes.length - 1 - cut]! >= 0xc0)
    bytes = bytes.subarray(0, -1 - cut);
  const s = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (s.includes('\ufffd')) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) return false;
  }
  return true;
}

/** Container family of an audio file extension (lower case, no dot); null when not an audio one. */
const EXTENSION_FAMILY: Readonly<Record<string, string>> = {
  wav: 'wav',
  wave: 'wav',
  bwf: 'wav',
  rf64: 'wav',
  bw64: 'wav',
  flac: 'flac',
  mp3: 'mp3',
  mp2: 'mp3',
  mpga: 'mp3',
  ogg: 'ogg',
  oga: 'ogg',
  opus: 'ogg',
  spx: 'ogg',
  aif: 'aiff',
  aiff: 'aiff',
  aifc: 'aiff',
  m4a: 'm4a',
  m4b: 'm4a',
  mp4: 'm4a',
  '3gp': 'm4a',
  aac: 'aac',
  wma: 'asf',
  mka: 'matroska',
  webm: 'matroska',
  wv: 'wavpack',
};

/** The family a sniffed format belongs to (RF64 and BW64 are WAV files). */
export function formatFamily(format: SniffedFormat): string {
  return format === 'rf64' || format === 'bw64' ? 'wav' : format;
}

/**
 * Compares the name of a file with its sniffed content: `extension_mismatch` is true when the
 * extension names an audio format of another family than the bytes hold.
 */
export function identifyContent(fileName: string, sniffed: SniffResult | null): ContentIdentity {
  return nameContent(fileName, sniffed ? formatFamily(sniffed.format) : null);
}

/**
 * `identifyContent` for content already identified (`format` is a family, as in a report's
 * `technical_metadata.content.format`): the same bytes under another name.
 */
export function nameContent(fileName: string, format: string | null): ContentIdentity {
  const dot = fileName.lastIndexOf('.');
  const extension =
    dot > 0 && dot < fileName.length - 1 ? fileName.slice(dot + 1).toLowerCase() : null;
  const extensionFormat = extension ? (EXTENSION_FAMILY[extension] ?? null) : null;
  return {
    format,
    extension,
    extension_format: extensionFormat,
    extension_mismatch: format !== null && extensionFormat !== null && format !== extensionFormat,
  };
}

/** The report warning for a name that disagrees with the content; null when they agree. */
export function describeExtensionMismatch(content: ContentIdentity): string | null {
  if (!content.extension_mismatch || content.format === null) return null;
  const format = content.format.toUpperCase();
  return `the file is named .${content.extension} but holds ${format} content; read as ${format}`;
}
