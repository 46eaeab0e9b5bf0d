/**
 * The voice-activity engine contract. Every engine turns 16 kHz mono audio into one speech
 * probability per fixed window; `probabilitiesToSegments` (one shared function) turns those into
 * segments, so thresholds, minimum durations and padding mean the same for every engine.
 */

import type { ModelProvenance } from '../../models/registry.js';

export interface VadEngine {
  /** Engine id, e.g. `silero-v5`. */
  readonly id: string;
  /** Version string written into the report (model file name for ONNX engines). */
  readonly version: string;
  /** The registry model that ran (absent for a model given by path). */
  readonly provenance?: ModelProvenance;
  /** Input rate (Hz): always 16000 for the engines shipped. */
  readonly sampleRateHz: number;
  /** Samples per probability (Silero v5: 512 = 32 ms at 16 kHz). */
  readonly windowSamples: number;
  /** Windows actually run through the network (windows skipped by the silence gate excluded). */
  readonly inferenceCount: number;
  /**
   * Scores consecutive windows of one stream.
   * @param samples - mono float32 at `sampleRateHz`, length a multiple of `windowSamples`.
   * @returns one speech probability in [0, 1] per window (length samples.length / windowSamples).
   */
  process(samples: Float32Array): Promise<Float32Array>;
  /**
   * Optional batched scoring of independent streams: each chunk is scored from a fresh state, all
   * chunks in lockstep through one network call per window position (much cheaper per window than
   * `process`). Chunk lengths must be multiples of `windowSamples`; they may differ.
   * @param warmupWindows - per chunk, how many leading windows only settle the state: they are
   *   run but neither returned nor counted in `inferenceCount`. @defaultValue 0 for every chunk
   * @returns one probability array per chunk (without its warm-up windows).
   */
  processIndependent?(
    chunks: readonly Float32Array[],
    warmupWindows?: readonly number[],
  ): Promise<Float32Array[]>;
  /** Forgets the stream state (call between files). */
  reset(): void;
}
