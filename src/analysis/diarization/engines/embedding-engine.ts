/**
 * Speaker-embedding engines over Kaldi fbank rows (src/dsp/fbank.ts): a run of frames of one
 * speaker in, one L2-normalised vector out, compared by cosine similarity.
 */
import type { ModelProvenance } from '../../../models/registry.js';

export interface SpeakerEmbeddingEngine {
  /** Stable id written into the report (`engine.embedding`). */
  readonly id: string;
  readonly model: ModelProvenance;
  /** Length of the embedding. */
  readonly dim: number;
  /** Fbank bands the engine expects (80 for CAM++). */
  readonly nMels: number;
  /** Fewest frames (10 ms) worth embedding. */
  readonly minFrames: number;
  load(): Promise<void>;
  /**
   * @param fbank - row-major [nFrames × nMels] log mel energies (not yet mean-normalised).
   * @returns the L2-normalised embedding, `dim` values.
   */
  embed(fbank: Float32Array, nFrames: number): Promise<Float32Array>;
}

/** In place: v / ‖v‖ (a zero vector stays zero). Returns v. */
export function normaliseL2(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}
