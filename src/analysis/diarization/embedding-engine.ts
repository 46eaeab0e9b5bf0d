/**
 * Speaker-embedding engines: turn a window of features into one vector that the clustering
 * compares. The default `StatisticsEmbeddingEngine` needs no model: its "embedding" is the packed
 * full-covariance Gaussian statistics of the window (count, mean, second moments), compared with
 * the BIC. An engine with a learned embedding space (`space: 'cosine'`, e.g. the ONNX engine) is
 * clustered by cosine similarity with an eigengap rule instead.
 */
import { GaussianStats } from './gaussian.js';

/** The features of one window (one speech segment), as the diarization keeps them. */
export interface FeatureWindow {
  readonly nFrames: number;
  /** Mean/variance-normalised MFCC (c1…), row-major [nFrames × mfccDim]. */
  readonly mfcc: Float32Array;
  readonly mfccDim: number;
  /** Natural-log mel energies, row-major [nFrames × nMels] (40 bands, 16 kHz, 32 ms/10 ms). */
  readonly melLog: Float32Array;
  readonly nMels: number;
}

export interface EmbeddingEngine {
  /** Stable id written into the report (`embedding_engine`). */
  readonly id: string;
  /** How embeddings compare: packed Gaussian statistics (BIC) or a learned cosine space. */
  readonly space: 'gaussian-bic' | 'cosine';
  /** Shortest window (frames) worth embedding on its own; shorter segments are left to resegmentation. */
  readonly minFrames: number;
  /** Loads the model (idempotent). */
  load?(): Promise<void>;
  embed(window: FeatureWindow): Float32Array | Promise<Float32Array>;
  dispose?(): Promise<void>;
}

/**
 * The model-free default: packs [n, mean (D), upper triangle of Σxxᵀ (D(D+1)/2)] of the MFCC.
 * `unpackStatistics` turns the vector back into mergeable `GaussianStats`.
 */
export class StatisticsEmbeddingEngine implements EmbeddingEngine {
  readonly id = 'statistics-gaussian';
  readonly space = 'gaussian-bic' as const;
  readonly minFrames = 30;

  embed(w: FeatureWindow): Float32Array {
    const s = new GaussianStats(w.mfccDim);
    for (let i = 0; i < w.nFrames; i++) s.add(w.mfcc, i * w.mfccDim);
    return packStatistics(s);
  }
}

/**
 * Model-free embeddings in a cosine space: per-dimension mean and standard deviation of the
 * normalised MFCC over the window (the "statistics pooling" of x-vector systems, without the
 * network). Averaging over a window washes out most phonetic content and keeps the speaker's
 * spectral envelope and its variability.
 */
export class MomentsEmbeddingEngine implements EmbeddingEngine {
  readonly id = 'statistics-moments';
  readonly space = 'cosine' as const;
  readonly minFrames = 50;

  embed(w: FeatureWindow): Float32Array {
    const d = w.mfccDim;
    const out = new Float32Array(2 * d);
    for (let k = 0; k < d; k++) {
      let s = 0;
      let q = 0;
      for (let i = 0; i < w.nFrames; i++) {
        const v = w.mfcc[i * d + k]!;
        s += v;
        q += v * v;
      }
      const m = s / Math.max(1, w.nFrames);
      out[k] = m;
      out[d + k] = Math.sqrt(Math.max(0, q / Math.max(1, w.nFrames) - m * m)) - 1;
    }
    return out;
  }
}

export function packStatistics(s: GaussianStats): Float32Array {
  const d = s.dim;
  const out = new Float32Array(1 + d + (d * (d + 1)) / 2);
  out[0] = s.n;
  out.set(s.sum, 1);
  let o = 1 + d;
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) out[o++] = s.sq[i * d + j]!;
  return out;
}

export function unpackStatistics(v: Float32Array): GaussianStats {
  // dimension from length: 1 + d + d(d+1)/2 = len  →  d² + 3d + 2 − 2·len = 0
  const d = Math.round((-3 + Math.sqrt(9 - 4 * (2 - 2 * v.length))) / 2);
  const s = new GaussianStats(d);
  s.n = v[0]!;
  for (let i = 0; i < d; i++) s.sum[i] = v[1 + i]!;
  let o = 1 + d;
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) s.sq[i * d + j] = v[o++]!;
  return s;
}
