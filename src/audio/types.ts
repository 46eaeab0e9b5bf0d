/**
 * Types shared by the audio layer (decode, probe, fixity) and everything above it.
 */

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
