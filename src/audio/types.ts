/**
 * Types shared by the audio layer (decode, probe, fixity) and everything above it.
 */

/** A QC profile check as the quality_control section lists it. */
export interface FileCheck {
  readonly id: string;
  readonly metric: string;
  readonly value: boolean;
  readonly status: 'pass' | 'warn' | 'fail';
  readonly message: string;
}

/** Technical description of a file, from probing (no decoding). Field names follow CONTRACT.md. */
export interface AudioInfo {
  /** Seconds, from the container/stream header (decoded duration may differ; see DecodeResult). */
  readonly duration: number;
  readonly sample_rate: number;
  readonly channels: number;
  /** Bits per sample for PCM/lossless; null for lossy codecs. */
  readonly bit_depth: number | null;
  /** Average bits per second; null when unknown. */
  readonly bitrate: number | null;
  /** Container, e.g. `WAVE`, `RF64`, `FLAC`, `MPEG`, `Ogg`, `AIFF`, `MPEG-4`. */
  readonly container: string;
  /** Codec, e.g. `PCM`, `IEEE_FLOAT`, `FLAC`, `MPEG 1 Layer 3`, `Opus`, `Vorbis`, `AAC`. */
  readonly codec: string;
  /** Whether the codec is lossless (PCM, FLAC, ALAC, …). */
  readonly lossless: boolean;
  /** MIME type for Dublin Core `format`, e.g. `audio/wav`. */
  readonly mime_type: string;
  readonly file_size_bytes: number;
}

/** Options of one decode pass. One ffmpeg process feeds both outputs. */
export interface DecodeOptions {
  /**
   * Sample rate of the analysis stream (mono float32).
   * @defaultValue 16000
   */
  readonly analysisRateHz?: number;
  /**
   * Called synchronously with interleaved float32 samples at the file's native rate and channel
   * count (for QC). Omit it and no native stream is produced.
   */
  readonly onNative?: (interleaved: Float32Array, channels: number) => void;
  /** Cancels the decode (ffmpeg is killed, `done` rejects with SONO_ERR_CANCELLED). */
  readonly signal?: AbortSignal;
  /** Native channel count and rate, from the probe, so ffmpeg's raw output can be framed. */
  readonly nativeChannels?: number;
  readonly nativeRateHz?: number;
}

/** What a finished decode reports. */
export interface DecodeResult {
  /** Number of analysis-rate samples produced. */
  readonly analysisSamples: number;
  /** Decoded duration in seconds (from the analysis stream). */
  readonly decodedDurationSec: number;
  /** Native frames (samples per channel) produced, 0 when no native stream was asked for. */
  readonly nativeFrames: number;
  /** Warnings ffmpeg printed while decoding (e.g. "Invalid data found"), deduplicated. */
  readonly warnings: readonly string[];
}

/** A running decode: pull the analysis stream; `done` settles when ffmpeg exits. */
export interface DecodeSession {
  /** Mono float32 chunks at `analysisRateHz`; chunk lengths are arbitrary. Backpressured. */
  readonly analysis: AsyncIterable<Float32Array>;
  /** Resolves when ffmpeg has exited cleanly; rejects with a SonoError otherwise. */
  readonly done: Promise<DecodeResult>;
}

/** A JSON value (embedded metadata is kept JSON-serialisable). */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The BWF Broadcast Audio Extension chunk (EBU Tech 3285), field names in snake_case.
 * Loudness fields are present from version 2 on and null when absent or unset (0x7FFF).
 */
export interface BextMetadata {
  readonly description: string;
  readonly originator: string;
  readonly originator_reference: string;
  /** `yyyy-mm-dd` as written (not validated). */
  readonly origination_date: string;
  /** `hh:mm:ss` as written. */
  readonly origination_time: string;
  /** First sample's count since midnight (64-bit in the file; exact below 2^53). */
  readonly time_reference: number;
  /** `time_reference` / sample rate, seconds since midnight; null when the rate is unknown. */
  readonly time_reference_sec: number | null;
  readonly version: number;
  /** SMPTE 330M UMID as hex (32 or 64 bytes); null when all zero. */
  readonly umid: string | null;
  /** Integrated loudness, LUFS. */
  readonly loudness_value: number | null;
  /** Loudness range, LU. */
  readonly loudness_range: number | null;
  /** dBTP. */
  readonly max_true_peak_level: number | null;
  /** LUFS. */
  readonly max_momentary_loudness: number | null;
  /** LUFS. */
  readonly max_short_term_loudness: number | null;
  readonly coding_history: string;
}

/** Normalised tags common to every format (from music-metadata's `common` and RIFF INFO). */
export interface CommonTags {
  readonly title?: string;
  readonly artist?: string;
  readonly artists?: string[];
  readonly albumartist?: string;
  readonly album?: string;
  readonly date?: string;
  readonly year?: number;
  readonly comment?: string[];
  readonly genre?: string[];
  readonly composer?: string[];
  readonly conductor?: string[];
  readonly copyright?: string;
  readonly publisher?: string[];
  readonly isrc?: string[];
  readonly language?: string;
  readonly description?: string[];
  readonly encodedby?: string;
  readonly encodersettings?: string;
  readonly track?: { no: number | null; of: number | null };
  readonly disk?: { no: number | null; of: number | null };
}

/**
 * Embedded metadata as the probe found it. Every field is JSON; absent blocks are null.
 * Native tag blocks map a tag id (e.g. `TIT2`, `TITLE`, `INAM`) to its value, or to an array
 * when the id repeats.
 */
export interface EmbeddedMetadata {
  /** Tag formats found, e.g. `['ID3v2.4']`, `['bext', 'iXML', 'INFO']`, `['vorbis']`. */
  readonly tag_types: string[];
  readonly common: CommonTags;
  readonly bext: BextMetadata | null;
  /** The raw iXML document. */
  readonly ixml: string | null;
  /** Simple (text-only) elements of the iXML document by path, e.g. `PROJECT`, `SPEED/NOTE`. */
  readonly ixml_fields: Record<string, string> | null;
  /** RIFF LIST/INFO, by FourCC (`INAM`, `IART`, `ICRD`, `ICMT`, …). */
  readonly riff_info: Record<string, string> | null;
  /** ID3v2 frames (ID3v1 fields as fallback), by frame id. */
  readonly id3: Record<string, JsonValue> | null;
  /** Vorbis comments (Ogg Vorbis/Opus, FLAC), by field name. */
  readonly vorbis: Record<string, JsonValue> | null;
  /** Any other native tag block (iTunes, APEv2, AIFF, ASF …), by music-metadata's tag type. */
  readonly other: Record<string, Record<string, JsonValue>>;
}

/** What `probeFile` returns: technical data, embedded metadata, WAV data chunk, warnings. */
export interface ProbeResult {
  readonly audio_info: AudioInfo;
  readonly embedded: EmbeddedMetadata;
  /** WAV/BWF/RF64 only: where the audio data lies (for fixity's audio_data_md5). */
  readonly wav?: { readonly dataOffset: number; readonly dataSize: number };
  readonly warnings: string[];
  /** What the bytes are and what the name says (content decides; a disagreement is reported). */
  readonly content: ContentIdentity;
  /** Set when the headers show audio missing (a cut file); the file is still decoded. */
  readonly damage?: ProbeDamage;
  /** Which reader produced the stream parameters: music-metadata / the RIFF walker, or ffmpeg. */
  readonly header_reader: 'music-metadata' | 'riff' | 'ffmpeg';
  /** BWF only: EBU Tech 3285 / R98 conformance of the bext chunk (see bext-conformance.ts). */
  readonly bext_checks?: readonly FileCheck[];
}

/** The container identified from the file's bytes against the one its extension names. */
export interface ContentIdentity {
  /** Container family sniffed from the magic bytes (`wav`, `flac`, `mp3`, `ogg`, `aiff`, `m4a` …); null when unknown. */
  readonly format: string | null;
  /** The file name's extension, lower case without the dot; null when there is none. */
  readonly extension: string | null;
  /** Container family the extension stands for; null when the extension is not an audio one. */
  readonly extension_format: string | null;
  /** True when both are known and differ. */
  readonly extension_mismatch: boolean;
}

/** Missing audio seen in the headers, before decoding. */
export interface ProbeDamage {
  readonly kind: 'truncated' | 'damaged';
  readonly detail: string;
  /** Bytes of audio data the header declares, when it declares them. */
  readonly declared_bytes?: number;
  /** Bytes of audio data present. */
  readonly present_bytes?: number;
  /** Byte offset where the audio data stops (the end of the file for a cut file). */
  readonly ends_at_byte?: number;
}

/** File fixity: whole-file digests and, for WAV family files, the MD5 of the data chunk only. */
export interface Fixity {
  readonly md5: string;
  readonly sha256: string;
  /** MD5 of the `data` chunk payload (BWF MetaEdit convention); null for other formats. */
  readonly audio_data_md5: string | null;
  readonly bytes: number;
}
