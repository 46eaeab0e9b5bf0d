/**
 * The audio fingerprint analyzer (section `audio_fingerprint`): speed-tolerant triplet hashes
 * (`dsp/triplet-hash.ts`) over spectral peaks (`dsp/spectral-peaks.ts`) of the shared
 * DEFAULT_FRAMER power spectra (no FFT of its own), plus the MD5 of the decoded native PCM
 * (the audio-data checksum that finds exact copies whatever the container or tags).
 *
 * Memory: the peak picker's ring of frames and 8 bytes per triplet (about 40 triplets per second:
 * ~1.2 MB per hour of audio).
 */
import { createHash } from 'node:crypto';
import { SpectralPeakPicker } from '../../dsp/spectral-peaks.js';
import { TripletHasher } from '../../dsp/triplet-hash.js';
import type { Analyzer, FinishContext, SectionBase } from '../analyzer.js';
import { DEFAULT_FRAMER, type Frame, type FramerConfig } from '../frames.js';
import { FINGERPRINT_ENCODING, TripletWriter } from './encoding.js';

export const FINGERPRINT_ANALYZER_NAME = 'sonoteca-fingerprint';
export const FINGERPRINT_ANALYZER_VERSION = '1.0.0';
/** The published method the hashes follow (named in the section). */
export const FINGERPRINT_METHOD = 'panako-style spectral-peak triplets (Six & Leman 2014)';

export interface FingerprintSection extends SectionBase {
  readonly method?: string;
  /** `sonoteca-fp1` (see encoding.ts). */
  readonly encoding?: string;
  readonly peak_count?: number;
  readonly hash_count?: number;
  readonly hashes_per_sec?: number;
  readonly duration_sec?: number;
  /** MD5 of the decoded native samples (float32 LE, interleaved): equal for exact copies. */
  readonly pcm_md5?: string | null;
  /** The triplets in `encoding`, base64. */
  readonly data?: string;
  /** Set by the service in place of `data`: the fingerprint is kept in the database. */
  readonly stored?: boolean;
}

export class FingerprintAnalyzer implements Analyzer<FingerprintSection> {
  readonly section = 'audio_fingerprint';
  readonly name = FINGERPRINT_ANALYZER_NAME;
  readonly version = FINGERPRINT_ANALYZER_VERSION;
  readonly frameConfigs: readonly FramerConfig[] = [DEFAULT_FRAMER];
  private readonly writer = new TripletWriter();
  private readonly hasher = new TripletHasher((t) => this.writer.push(t));
  private peaks = 0;
  private readonly picker = new SpectralPeakPicker(
    {
      binHz: DEFAULT_FRAMER.sampleRateHz / DEFAULT_FRAMER.fftSize,
      hopSec: DEFAULT_FRAMER.hopSamples / DEFAULT_FRAMER.sampleRateHz,
      bins: DEFAULT_FRAMER.fftSize / 2 + 1,
    },
    (p) => {
      this.peaks++;
      this.hasher.push(p);
    },
  );
  private readonly pcm = createHash('md5');
  private sawNative = false;

  onFrame(frame: Frame): void {
    this.picker.push(frame.power);
  }

  onNative(interleaved: Float32Array): void {
    this.sawNative = true;
    this.pcm.update(
      new Uint8Array(interleaved.buffer, interleaved.byteOffset, interleaved.byteLength),
    );
  }

  finish(ctx: FinishContext): FingerprintSection {
    this.picker.flush();
    this.hasher.flush();
    const bytes = this.writer.toBuffer();
    const durationSec = ctx.durationSec;
    return {
      status: 'ok',
      analyzer: { name: this.name, version: this.version },
      method: FINGERPRINT_METHOD,
      encoding: FINGERPRINT_ENCODING,
      peak_count: this.peaks,
      hash_count: this.writer.count,
      hashes_per_sec: durationSec > 0 ? Math.round((this.writer.count / durationSec) * 10) / 10 : 0,
      duration_sec: durationSec,
      pcm_md5: this.sawNative ? this.pcm.digest('hex') : null,
      data: bytes.toString('base64'),
    };
  }
}
