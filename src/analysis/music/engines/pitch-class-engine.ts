/**
 * How the key's pitch-class profile is measured (STYLE.md point 13). An engine sees the 16 kHz
 * analysis stream as it passes (bounded: it keeps excerpts, never the whole file) and, once the
 * music regions are known, returns a 12-bin pitch-class profile (C first) over them.
 *
 * Implementations: `onnx-basic-pitch-engine.ts` (note posteriors of Spotify's basic-pitch model,
 * folded over octaves); the model-free fallback is the spectral-peak chroma the music analyzer
 * computes from its long frames (`dsp/chroma.ts`), used when the model is absent or heard nothing.
 */
import type { ModelProvenance } from '../../../models/registry.js';
import type { TimeRegion } from '../regions.js';

export interface PitchClassProfile {
  /** Salience per pitch class, C first, shape [12], max 1. */
  readonly profile: Float64Array;
  /** Seconds of audio the engine actually ran on (a subsample of the regions). */
  readonly analysedSec: number;
}

export interface PitchClassEngine {
  /** Engine name as the report states it, e.g. `onnx-basic-pitch`. */
  readonly name: string;
  /** The model behind it (null for a model-free engine). */
  readonly model: ModelProvenance | null;
  /** Every block of the 16 kHz analysis stream, in order. */
  onSamples(block: Float32Array, startSample: number): void;
  /** The profile over `regions` (seconds), or null when the engine heard no notes there. */
  profileOver(regions: readonly TimeRegion[]): Promise<PitchClassProfile | null>;
}
