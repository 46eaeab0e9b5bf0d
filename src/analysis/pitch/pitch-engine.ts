/**
 * How a frame-wise pitch track is computed (STYLE.md point 13): the contract beside its
 * implementations, as `music/engines/pitch-class-engine.ts` is. Implementation:
 * `onnx-crepe-pitch-engine.ts` (CREPE tiny).
 */
import type { ModelProvenance } from '../../models/registry.js';

/** A frame-wise pitch tracker on 16 kHz audio. */
export interface PitchEngine {
  readonly id: string;
  readonly model: ModelProvenance;
  /** Samples per frame the engine reads. */
  readonly windowSamples: number;
  load(): Promise<void>;
  /**
   * Pitch of `nFrames` frames of `windowSamples` samples each, laid end to end in `frames`.
   * @returns cents re 10 Hz and periodicity (0..1) per frame.
   */
  track(
    frames: Float32Array,
    nFrames: number,
  ): Promise<{ cents: Float64Array; periodicity: Float64Array }>;
}
