/**
 * Probing: technical data and embedded metadata of one file, from its headers only (no decoding),
 * with the input validations that give bad files a clear, coded error before ffmpeg runs.
 *
 * music-metadata does the container/codec parsing and the ID3/Vorbis/iTunes/APE tags; the RIFF
 * chunk walker (riff.ts) covers what it does not (RF64/BW64, bext, iXML, the data chunk's
 * position), and stream-checks.ts covers MPEG truncation and Ogg duration.
 */
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { IAudioMetadata } from 'music-metadata';
import { SonoError } from '../errors.js';
import {
  commonFromMusicMetadata,
  commonFromRiffInfo,
  nativeFromMusicMetadata,
  parseBext,
  parseIxml,
  parseRiffInfo,
} from './embedded-metadata.js';
import { checkBextConformance } from './bext-conformance.js';
import { probeWithFfmpeg, reportCodecName } from './ffmpeg-probe.js';
import { scanRiff } from './riff.js';
import { readTags } from './tag-reader.js';
import {
  describeExtensionMismatch,
  describeNonAudio,
  id3v2Size,
  identifyContent,
  sniffAudioFormat,
  SNIFF_HEAD_BYTES,
} from './sniff.js';
import type { SniffResult } from './sniff.js';
import { checkMpegStream, checkOggEnd, readOggDurationSec } from './stream-checks.js';
import type { AudioInfo, CommonTags, EmbeddedMetadata, ProbeDamage, ProbeResult } from './types.js';

/** A probe result before the content identity is attached. */
type ProbeDraft = Omit<ProbeResult, 'content'>;

export type { ProbeResult } from './types.js';

export interface ProbeOptions {
  /** Reject files larger than this (SONO_ERR_FILE_TOO_LARGE). @defaultValue no limit */
  readonly maxFileSizeBytes?: number;
  /**
   * Reject files whose header declares more audio than this, seconds (SONO_ERR_FILE_TOO_LARGE).
   * @defaultValue `DEFAULT_MAX_DURATION_SEC` (7 days: longer is an absurd header, not a tape)
   */
  readonly maxDurationSec?: number;
  /**
   * The file name judged against the content (`extension_mismatch`), when `path` is not named like
   * the file (a pinned descriptor). @defaultValue the base name of `path`
   */
  readonly fileName?: string;
}

export const DEFAULT_MAX_DURATION_SEC = 7 * 24 * 3600;

/** WAVE format tags ffmpeg decodes, with the codec name reported (subset of ffmpeg's riff.c). */
const WAVE_CODECS: ReadonlyMap<number, { name: string; lossless: boolean }> = new Map([
  [0x0001, { name: 'PCM', lossless: true }],
  [0x0003, { name: 'IEEE_FLOAT', lossless: true }],
  [0x0006, { name: 'A-law', lossless: false }],
  [0x0007, { name: 'mu-law', lossless: false }],
  [0x0002, { name: 'MS ADPCM', lossless: false }],
  [0x0011, { name: 'IMA ADPCM', lossless: false }],
  [0x0010, { name: 'OKI ADPCM', lossless: false }],
  [0x0017, { name: 'OKI ADPCM', lossless: false }],
  [0x0020, { name: 'Yamaha ADPCM', lossless: false }],
  [0x0022, { name: 'TrueSpeech', lossless: false }],
  [0x0031, { name: 'GSM 6.10', lossless: false }],
  [0x0040, { name: 'G.721 ADPCM', lossless: false }],
  [0x0045, { name: 'G.726 ADPCM', lossless: false }],
  [0x0050, { name: 'MPEG', lossless: false }],
  [0x0055, { name: 'MPEG 1 Layer 3', lossless: false }],
  [0x0061, { name: 'IMA DK4 ADPCM', lossless: false }],
  [0x0062, { name: 'IMA DK3 ADPCM', lossless: false }],
  [0x0064, { name: 'G.726 ADPCM', lossless: false }],
  [0x0069, { name: 'IMA ADPCM', lossless: false }],
  [0x0083, { name: 'G.729', lossless: false }],
  [0x00ff, { name: 'AAC', lossless: false }],
  [0x0160, { name: 'WMA v1', lossless: false }],
  [0x0161, { name: 'WMA v2', lossless: false }],
  [0x0162, { name: 'WMA Pro', lossless: false }],
  [0x0163, { name: 'WMA Lossless', lossless: true }],
  [0x0200, { name: 'Creative ADPCM', lossless: false }],
  [0x0270, { name: 'ATRAC3', lossless: false }],
  [0x1600, { name: 'AAC', lossless: false }],
  [0x1602, { name: 'AAC LATM', lossless: false }],
  [0x1610, { name: 'AAC', lossless: false }],
  [0x2000, { name: 'AC-3', lossless: false }],
  [0x2001, { name: 'DTS', lossless: false }],
  [0x706d, { name: 'AAC', lossless: false }],
  [0xa106, { name: 'AAC', lossless: false }],
  [0xa109, { name: 'Speex', lossless: false }],
  [0xf1ac, { name: 'FLAC', lossless: true }],
]);

const LOSSLESS_CODECS = /^(PCM|FLAC|ALAC|WavPack|Monkey's Audio|TTA|MLP|TrueHD|WMA Lossless|DSD)/i;

/** Opens the file after the checks every input gets: exists, regular, non-empty, under limit. */
async function openChecked(
  path: string,
  opts: ProbeOptions,
): Promise<{ fh: FileHandle; size: number }> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory())
      throw new SonoError('SONO_ERR_NOT_AUDIO', { path, detected: 'directory' });
    if (!st.isFile())
      throw new SonoError('SONO_ERR_NOT_AUDIO', { path, detected: 'not a regular file' });
    size = st.size;
  } catch (e) {
    if (e instanceof SonoError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new SonoError('SONO_ERR_PATH_NOT_FOUND', { path }, { cause: e });
    throw new SonoError(
      'SONO_ERR_READ_FAILED',
      { path, detail: (e as Error).message },
      { cause: e },
    );
  }
  if (size === 0) throw new SonoError('SONO_ERR_EMPTY_FILE', { path });
  if (opts.maxFileSizeBytes !== undefined && size > opts.maxFileSizeBytes)
    throw new SonoError('SONO_ERR_FILE_TOO_LARGE', {
      path,
      detail: `${path} has ${size} bytes, over the limit of ${opts.maxFileSizeBytes} bytes`,
    });
  try {
    return { fh: await open(path, 'r'), size };
  } catch (e) {
    throw new SonoError(
      'SONO_ERR_READ_FAILED',
      { path, detail: (e as Error).message },
      { cause: e },
    );
  }
}

/**
 * Probes `path`: technical data (`audio_info`), embedded metadata, the WAV data chunk position
 * and warnings. Reads headers only. Throws a SonoError with a specific code for every kind of bad
 * input (see docs/errors.md).
 *
 * @example
 * const { audio_info, embedded } = await probeFile('tape-0042.wav');
 */
export async function probeFile(path: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const maxDurationSec = opts.maxDurationSec ?? DEFAULT_MAX_DURATION_SEC;
  const { fh, size } = await openChecked(path, opts);
  try {
    const headBuf = Buffer.alloc(Math.min(SNIFF_HEAD_BYTES, size));
    const { bytesRead } = await fh.read(headBuf, 0, headBuf.length, 0);
    const head = headBuf.subarray(0, bytesRead);
    const sniffed = sniffAudioFormat(head);
    const magic = head.toString('latin1', 0, 4);
    if (!sniffed) {
      const detected = describeNonAudio(head);
      if (detected) throw new SonoError('SONO_ERR_NOT_AUDIO', { path, detected });
      // Too short to show the form type or the ID3 header: a cut file, not a foreign one.
      if ((magic === 'RIFF' || magic === 'RF64' || magic === 'BW64') && size < 12)
        throw new SonoError('SONO_ERR_TRUNCATED', {
          path,
          detail: `the RIFF header needs 12 bytes, the file has ${size}`,
        });
      if (magic.startsWith('ID3') && size < 10)
        throw new SonoError('SONO_ERR_TRUNCATED', {
          path,
          detail: `the ID3v2 header needs 10 bytes, the file has ${size}`,
        });
    }
    let result: ProbeDraft;
    if (
      sniffed &&
      (sniffed.format === 'wav' || sniffed.format === 'rf64' || sniffed.format === 'bw64')
    )
      result = await probeWave(path, fh, size, sniffed);
    else result = await probeOther(path, fh, size, head, sniffed);
    if (result.audio_info.duration > maxDurationSec)
      throw new SonoError('SONO_ERR_FILE_TOO_LARGE', {
        path,
        detail: `the header declares ${formatDuration(result.audio_info.duration)} of audio, over the limit of ${formatDuration(maxDurationSec)}`,
      });
    const content = identifyContent(opts.fileName ?? basename(path), sniffed);
    const mismatch = describeExtensionMismatch(content);
    if (mismatch !== null) result.warnings.push(mismatch);
    return { ...result, content };
  } finally {
    await fh.close();
  }
}

function formatDuration(sec: number): string {
  return sec >= 3600 ? `${(sec / 3600).toFixed(1)} h` : `${sec.toFixed(1)} s`;
}

async function probeWave(
  path: string,
  fh: FileHandle,
  size: number,
  sniffed: SniffResult,
): Promise<ProbeDraft> {
  const scan = await scanRiff(fh, size, path);
  const warnings = [...scan.warnings];
  const { fmt, data } = scan;
  if (fmt.channels === 0 || fmt.sampleRateHz === 0 || fmt.blockAlign === 0)
    throw new SonoError('SONO_ERR_CORRUPT_HEADER', {
      path,
      detail: `fmt chunk with ${fmt.channels} channels, ${fmt.sampleRateHz} Hz, block align ${fmt.blockAlign}`,
    });
  const codec = WAVE_CODECS.get(fmt.formatTag);
  if (!codec)
    throw new SonoError('SONO_ERR_UNSUPPORTED_CODEC', {
      path,
      detail: `WAVE format tag 0x${fmt.formatTag.toString(16).padStart(4, '0')}${fmt.extensible ? ' (extensible sub-format)' : ''}`,
    });
  const available = size - data.offset;
  let damage: ProbeDamage | undefined;
  if (data.declaredSize > available) {
    // A cut file: the audio that is there is analysed, the rest reported missing.
    damage = {
      kind: 'truncated',
      detail: `the data chunk declares ${data.declaredSize} bytes but only ${available} bytes follow it (file size ${size} bytes)`,
      declared_bytes: data.declaredSize,
      present_bytes: available,
      ends_at_byte: size,
    };
    warnings.push(`truncated: ${damage.detail}`);
  }
  if (available <= 0 || data.size < fmt.blockAlign)
    throw new SonoError('SONO_ERR_TRUNCATED', {
      path,
      detail: `the data chunk holds no complete sample frame (${Math.max(0, available)} bytes)`,
    });
  const pcmLike =
    fmt.formatTag === 0x0001 ||
    fmt.formatTag === 0x0003 ||
    fmt.formatTag === 0x0006 ||
    fmt.formatTag === 0x0007;
  if (pcmLike && fmt.bitsPerSample === 0)
    throw new SonoError('SONO_ERR_CORRUPT_HEADER', {
      path,
      detail: 'fmt chunk with 0 bits per sample',
    });
  let durationSec: number;
  if (pcmLike)
    durationSec =
      Math.floor(Math.max(data.declaredSize, data.size) / fmt.blockAlign) / fmt.sampleRateHz;
  else if (scan.factSamples !== undefined) durationSec = scan.factSamples / fmt.sampleRateHz;
  else if (fmt.avgBytesPerSec > 0) durationSec = data.size / fmt.avgBytesPerSec;
  else {
    durationSec = 0;
    warnings.push('duration unknown from the header');
  }
  if (pcmLike && data.size % fmt.blockAlign !== 0)
    warnings.push(
      `the data chunk ends with ${data.size % fmt.blockAlign} bytes of a partial frame`,
    );

  // Tags music-metadata reads in RIFF files (an `id3 ` chunk, the common mapping); its `exif`
  // block (INFO, and bext with wrong offsets) is replaced by the walker's own parsing.
  let mm: IAudioMetadata | undefined;
  if (scan.form === 'RIFF') {
    try {
      mm = await readTags(path, sniffed);
    } catch (e) {
      warnings.push(`tag reader: ${(e as Error).message}`);
    }
  }
  const riffInfo = scan.info ? parseRiffInfo(scan.info) : null;
  const ixml = scan.ixml ? parseIxml(scan.ixml) : null;
  const native = mm
    ? nativeFromMusicMetadata(mm, ['exif'])
    : { id3: null, vorbis: null, other: {} };
  let common: CommonTags = mm ? commonFromMusicMetadata(mm) : {};
  if (riffInfo) common = commonFromRiffInfo(riffInfo, common);
  const tagTypes = (mm?.format.tagTypes ?? []).filter((t) => t !== 'exif').map(String);
  if (scan.bext) tagTypes.push('bext');
  if (scan.ixml) tagTypes.push('iXML');
  if (scan.info) tagTypes.push('INFO');

  const embedded: EmbeddedMetadata = {
    tag_types: tagTypes,
    common,
    bext: scan.bext ? parseBext(scan.bext, fmt.sampleRateHz) : null,
    ixml: ixml?.raw ?? null,
    ixml_fields: ixml?.fields ?? null,
    riff_info: riffInfo,
    ...native,
  };
  const bitDepth = codec.lossless || pcmLike ? (fmt.validBitsPerSample ?? fmt.bitsPerSample) : null;
  const audioInfo: AudioInfo = {
    duration: durationSec,
    sample_rate: fmt.sampleRateHz,
    channels: fmt.channels,
    bit_depth: bitDepth && bitDepth > 0 ? bitDepth : null,
    bitrate: fmt.avgBytesPerSec > 0 ? fmt.avgBytesPerSec * 8 : null,
    container: scan.form === 'RIFF' ? 'WAVE' : scan.form,
    codec: codec.name,
    lossless: codec.lossless,
    mime_type: sniffed.mime,
    file_size_bytes: size,
  };
  return {
    audio_info: audioInfo,
    embedded,
    wav: { dataOffset: data.offset, dataSize: data.size },
    warnings,
    ...(damage ? { damage } : {}),
    header_reader: 'riff',
    ...(scan.bext
      ? {
          bext_checks: checkBextConformance(scan.bext, {
            sampleRateHz: fmt.sampleRateHz,
            bitDepth: audioInfo.bit_depth,
          }),
        }
      : {}),
  };
}

function classifyTagReaderError(path: string, e: unknown, sniffed: SniffResult | null): SonoError {
  const msg = e instanceof Error ? e.message : String(e);
  const name = e instanceof Error ? e.constructor.name : '';
  if (
    /EndOfStream|End-Of-Stream|exceeds remaining|outside the bounds|beyond the end/i.test(
      `${name} ${msg}`,
    )
  )
    return sniffed
      ? new SonoError('SONO_ERR_TRUNCATED', {
          path,
          detail: `the ${sniffed.format.toUpperCase()} header ends early (${msg})`,
        })
      : new SonoError('SONO_ERR_NOT_AUDIO', { path, detected: 'unrecognised content' });
  if (!sniffed)
    return new SonoError('SONO_ERR_NOT_AUDIO', { path, detected: 'unrecognised content' });
  if (/unsupported|not supported|Failed to determine/i.test(msg))
    return new SonoError('SONO_ERR_UNSUPPORTED_CODEC', { path, detail: msg });
  return new SonoError('SONO_ERR_CORRUPT_HEADER', { path, detail: msg });
}

function normaliseContainer(container: string | undefined, sniffed: SniffResult | null): string {
  if (sniffed?.format === 'm4a' || /M4A|mp4|isom|mp42|3gp/i.test(container ?? '')) return 'MPEG-4';
  if (sniffed?.format === 'aiff' && !container) return 'AIFF';
  return container ?? sniffed?.format.toUpperCase() ?? 'unknown';
}

const MIME_BY_CONTAINER: Readonly<Record<string, string>> = {
  'MPEG-4': 'audio/mp4',
  MPEG: 'audio/mpeg',
  FLAC: 'audio/flac',
  Ogg: 'audio/ogg',
  AIFF: 'audio/aiff',
  'AIFF-C': 'audio/aiff',
  WavPack: 'audio/x-wavpack',
  ASF: 'audio/x-ms-wma',
  Matroska: 'audio/x-matroska',
  EBML: 'audio/x-matroska',
  webm: 'audio/webm',
  DSF: 'audio/x-dsf',
  Musepack: 'audio/x-musepack',
  "Monkey's Audio": 'audio/x-ape',
};

async function probeOther(
  path: string,
  fh: FileHandle,
  size: number,
  head: Buffer,
  sniffed: SniffResult | null,
): Promise<ProbeDraft> {
  const warnings: string[] = [];
  let mm: IAudioMetadata | undefined;
  let tagError: SonoError | undefined;
  try {
    mm = await readTags(path, sniffed);
  } catch (e) {
    tagError = classifyTagReaderError(path, e, sniffed);
  }
  const f = mm?.format;
  if (mm && f && !sniffed && !f.container)
    tagError = new SonoError('SONO_ERR_NOT_AUDIO', { path, detected: 'unrecognised content' });
  if (!tagError && f && (!f.sampleRate || !f.numberOfChannels)) {
    // Containers that can hold video (MP4, Matroska, …) may simply have no audio track; an
    // audio-only container (FLAC, Ogg, AIFF, MP3) without stream parameters is a cut header.
    tagError =
      f.hasVideo === true || !sniffed || sniffed.format === 'm4a'
        ? new SonoError('SONO_ERR_NO_AUDIO_STREAM', { path })
        : new SonoError(size < 1024 * 1024 ? 'SONO_ERR_TRUNCATED' : 'SONO_ERR_CORRUPT_HEADER', {
            path,
            detail: `no stream parameters in the ${sniffed.format.toUpperCase()} header (file of ${size} bytes)`,
          });
  }
  if (!tagError && f?.hasAudio === false)
    tagError = new SonoError('SONO_ERR_NO_AUDIO_STREAM', { path });
  if (tagError || !mm) return probeByFfmpeg(path, fh, size, head, sniffed, tagError!, mm);
  return fromMusicMetadata(path, fh, size, head, sniffed, mm, warnings);
}

/** Truncation an MPEG or AIFF header shows: a cut last frame, fewer bytes than declared. */
async function findHeaderDamage(
  fh: FileHandle,
  size: number,
  head: Buffer,
  sniffed: SniffResult | null,
  container: string | undefined,
  f: {
    codec?: string;
    numberOfSamples?: number;
    bitsPerSample?: number;
    numberOfChannels?: number;
  },
  warnings: string[],
): Promise<ProbeDamage | undefined> {
  // An ID3v2 tag also precedes FLAC or ADTS AAC now and then: only MPEG audio gets this check.
  if (sniffed?.format === 'mp3' && (container === undefined || container === 'MPEG')) {
    const check = await checkMpegStream(fh, size, id3v2Size(head));
    warnings.push(...check.warnings);
    if (check.truncated) {
      warnings.push(`truncated: ${check.truncated}`);
      return {
        kind: 'truncated',
        detail: check.truncated,
        ...(check.declaredBytes !== undefined ? { declared_bytes: check.declaredBytes } : {}),
        ...(check.presentBytes !== undefined ? { present_bytes: check.presentBytes } : {}),
        ends_at_byte: size,
      };
    }
  }
  if (sniffed?.format === 'ogg') {
    const cut = await checkOggEnd(fh, size);
    if (cut) {
      warnings.push(`truncated: ${cut}`);
      return { kind: 'truncated', detail: cut, ends_at_byte: size };
    }
  }
  if (
    sniffed?.format === 'aiff' &&
    /^PCM/i.test(f.codec ?? '') &&
    f.numberOfSamples &&
    f.bitsPerSample &&
    f.numberOfChannels
  ) {
    // Like a WAV data chunk: uncompressed AIFF must hold every sample frame its COMM declares.
    const declared = f.numberOfSamples * f.numberOfChannels * Math.ceil(f.bitsPerSample / 8);
    if (declared > size) {
      const detail = `the AIFF header declares ${f.numberOfSamples} sample frames (${declared} bytes) but the file has only ${size} bytes`;
      warnings.push(`truncated: ${detail}`);
      return { kind: 'truncated', detail, declared_bytes: declared, ends_at_byte: size };
    }
  }
  return undefined;
}

async function fromMusicMetadata(
  path: string,
  fh: FileHandle,
  size: number,
  head: Buffer,
  sniffed: SniffResult | null,
  mm: IAudioMetadata,
  warnings: string[],
): Promise<ProbeDraft> {
  const f = mm.format;
  const damage = await findHeaderDamage(fh, size, head, sniffed, f.container, f, warnings);
  const container = normaliseContainer(f.container, sniffed);
  const codec = (f.codec ?? 'unknown').replace(/^Vorbis I$/, 'Vorbis');
  let durationSec = f.duration;
  if ((durationSec === undefined || durationSec <= 0) && container === 'Ogg') {
    durationSec = (await readOggDurationSec(fh, size, codec, f.sampleRate!)) ?? undefined;
  }
  if (durationSec === undefined || !Number.isFinite(durationSec) || durationSec <= 0) {
    if (f.bitrate && f.bitrate > 0) {
      durationSec = (size * 8) / f.bitrate;
      warnings.push('duration estimated from the file size and bitrate');
    } else {
      durationSec = 0;
      warnings.push('duration unknown from the header');
    }
  }
  for (const w of mm.quality.warnings) {
    // Zero padding after ID3v2 frames is legal; music-metadata reports it as a bad frame id.
    if (!w.message.includes('\u0000')) warnings.push(`tag reader: ${w.message}`);
  }
  const lossless = f.lossless ?? LOSSLESS_CODECS.test(codec);
  const embedded = embeddedOf(mm);
  const bitrate =
    f.bitrate && f.bitrate > 0
      ? Math.round(f.bitrate)
      : durationSec > 0
        ? Math.round((size * 8) / durationSec)
        : null;
  const audioInfo: AudioInfo = {
    duration: durationSec,
    sample_rate: f.sampleRate!,
    channels: f.numberOfChannels!,
    bit_depth: lossless && f.bitsPerSample ? f.bitsPerSample : null,
    bitrate,
    container,
    codec,
    lossless,
    mime_type: mimeOf(container, sniffed),
    file_size_bytes: size,
  };
  return draftOf(audioInfo, embedded, warnings, damage, 'music-metadata');
}

/** Embedded metadata of a non-RIFF file from music-metadata (empty when it could not read it). */
function embeddedOf(mm: IAudioMetadata | undefined): EmbeddedMetadata {
  return {
    tag_types: mm ? mm.format.tagTypes.map(String) : [],
    common: mm ? commonFromMusicMetadata(mm) : {},
    bext: null,
    ixml: null,
    ixml_fields: null,
    riff_info: null,
    ...(mm ? nativeFromMusicMetadata(mm) : { id3: null, vorbis: null, other: {} }),
  };
}

function draftOf(
  audioInfo: AudioInfo,
  embedded: EmbeddedMetadata,
  warnings: string[],
  damage: ProbeDamage | undefined,
  reader: ProbeResult['header_reader'],
): ProbeDraft {
  return {
    audio_info: audioInfo,
    embedded,
    warnings,
    ...(damage ? { damage } : {}),
    header_reader: reader,
  };
}

/** The container music-metadata or ffmpeg found wins over the sniffed one (ID3 before FLAC/AAC). */
function mimeOf(container: string, sniffed: SniffResult | null): string {
  return (
    MIME_BY_CONTAINER[container] ??
    (container.startsWith('ADTS') ? 'audio/aac' : undefined) ??
    sniffed?.mime ??
    'application/octet-stream'
  );
}

/** ffmpeg demuxer names → the container names music-metadata reports. */
const CONTAINER_BY_DEMUXER: Readonly<Record<string, string>> = {
  mp3: 'MPEG',
  flac: 'FLAC',
  ogg: 'Ogg',
  aiff: 'AIFF',
  wav: 'WAVE',
  aac: 'ADTS',
  'mov,mp4,m4a,3gp,3g2,mj2': 'MPEG-4',
  'matroska,webm': 'Matroska',
  asf: 'ASF',
  wv: 'WavPack',
  ape: "Monkey's Audio",
};

/**
 * music-metadata could not read the header: ask ffmpeg's demuxer. What it can open is analysed
 * (with the tag reader's complaint as a warning); when it cannot either, the tag reader's coded
 * error stands.
 */
async function probeByFfmpeg(
  path: string,
  fh: FileHandle,
  size: number,
  head: Buffer,
  sniffed: SniffResult | null,
  tagError: SonoError,
  mm: IAudioMetadata | undefined,
): Promise<ProbeDraft> {
  // Unknown bytes: ffmpeg opens images and text as "video"; only an audio stream counts.
  const info = await probeWithFfmpeg(path);
  if (!info) throw tagError;
  const warnings = [`header read by ffmpeg: the tag reader failed (${tagError.message})`];
  const container = CONTAINER_BY_DEMUXER[info.demuxer] ?? info.demuxer;
  let codec = reportCodecName(info.codec);
  if (info.codec === 'mp3' && info.sampleRateHz < 32000)
    codec = info.sampleRateHz <= 12000 ? 'MPEG 2.5 Layer 3' : 'MPEG 2 Layer 3';
  const damage = await findHeaderDamage(fh, size, head, sniffed, undefined, {}, warnings);
  let durationSec = info.durationSec ?? 0;
  if (durationSec <= 0 && container === 'Ogg')
    durationSec = (await readOggDurationSec(fh, size, codec, info.sampleRateHz)) ?? 0;
  if (durationSec <= 0) warnings.push('duration unknown from the header');
  const lossless = LOSSLESS_CODECS.test(codec) || codec === 'IEEE_FLOAT';
  const embedded = embeddedOf(mm);
  const audioInfo: AudioInfo = {
    duration: durationSec,
    sample_rate: info.sampleRateHz,
    channels: info.channels,
    bit_depth: info.bitDepth,
    bitrate: info.bitrate ?? (durationSec > 0 ? Math.round((size * 8) / durationSec) : null),
    container,
    codec,
    lossless,
    mime_type: mimeOf(container, sniffed),
    file_size_bytes: size,
  };
  return draftOf(audioInfo, embedded, warnings, damage, 'ffmpeg');
}
