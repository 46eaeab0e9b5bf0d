/**
 * Training of the segmentation perceptron (see model.ts for why it is hand-written): softmax
 * cross-entropy with class weights (balanced), L2 on weights, Adam, mini-batches, seeded init and
 * shuffling so a retrain on the same data gives the same artefact.
 */
import { FEATURE_NAMES, N_FEATURES } from './features.js';
import {
  SEGMENTER_FORMAT,
  SEGMENTER_FORMAT_VERSION,
  type SegmentLabel,
  type SegmenterModel,
} from './model.js';
import { mulberry32 } from '../../dsp/random.js';

export interface TrainOptions {
  readonly hidden?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly l2?: number;
  readonly seed?: number;
}

/**
 * Trains on rows of `features` (row-major [n × N_FEATURES]) with integer `labels` (index into
 * `classes`). Returns the model parameters (smoothing and provenance are the caller's).
 */
export function trainSegmenter(
  features: Float32Array,
  labels: Uint8Array,
  classes: readonly SegmentLabel[],
  opts: TrainOptions = {},
): Omit<SegmenterModel, 'smoothing' | 'version' | 'training'> {
  const F = N_FEATURES;
  const C = classes.length;
  const H = opts.hidden ?? 24;
  const epochs = opts.epochs ?? 60;
  const batch = opts.batchSize ?? 64;
  const lr = opts.learningRate ?? 0.003;
  const l2 = opts.l2 ?? 1e-4;
  const rand = mulberry32(opts.seed ?? 7);
  const n = labels.length;

  const mean = new Float64Array(F);
  const std = new Float64Array(F);
  for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) mean[f]! += features[r * F + f]!;
  for (let f = 0; f < F; f++) mean[f]! /= n;
  for (let r = 0; r < n; r++)
    for (let f = 0; f < F; f++) std[f]! += (features[r * F + f]! - mean[f]!) ** 2;
  for (let f = 0; f < F; f++) std[f] = Math.sqrt(std[f]! / n) || 1;
  const X = new Float32Array(n * F);
  for (let r = 0; r < n; r++)
    for (let f = 0; f < F; f++) X[r * F + f] = (features[r * F + f]! - mean[f]!) / std[f]!;

  const counts = new Float64Array(C);
  for (let r = 0; r < n; r++) counts[labels[r]!]!++;
  const cw = Float64Array.from(counts, (c) => (c > 0 ? n / (C * c) : 0));

  // Parameters: [w1 (H×F), b1 (H), w2 (C×H), b2 (C)] in one vector for Adam.
  const nW1 = H * F;
  const nW2 = C * H;
  const P = nW1 + H + nW2 + C;
  const p = new Float64Array(P);
  const gauss = (): number =>
    Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  for (let i = 0; i < nW1; i++) p[i] = gauss() * Math.sqrt(1 / F);
  for (let i = 0; i < nW2; i++) p[nW1 + H + i] = gauss() * Math.sqrt(1 / H);
  const g = new Float64Array(P);
  const m1 = new Float64Array(P);
  const m2 = new Float64Array(P);
  const b1o = nW1;
  const w2o = nW1 + H;
  const b2o = nW1 + H + nW2;
  const h = new Float64Array(H);
  const z = new Float64Array(C);
  const dh = new Float64Array(H);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  let step = 0;
  for (let ep = 0; ep < epochs; ep++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let s = 0; s < n; s += batch) {
      g.fill(0);
      const e = Math.min(n, s + batch);
      let wsum = 0;
      for (let q = s; q < e; q++) {
        const r = order[q]!;
        const y = labels[r]!;
        const w = cw[y]!;
        wsum += w;
        for (let j = 0; j < H; j++) {
          let a = p[b1o + j]!;
          for (let f = 0; f < F; f++) a += p[j * F + f]! * X[r * F + f]!;
          h[j] = Math.tanh(a);
        }
        let max = -Infinity;
        for (let c = 0; c < C; c++) {
          let a = p[b2o + c]!;
          for (let j = 0; j < H; j++) a += p[w2o + c * H + j]! * h[j]!;
          z[c] = a;
          if (a > max) max = a;
        }
        let zs = 0;
        for (let c = 0; c < C; c++) zs += z[c] = Math.exp(z[c]! - max);
        dh.fill(0);
        for (let c = 0; c < C; c++) {
          const d = w * (z[c]! / zs - (c === y ? 1 : 0));
          g[b2o + c]! += d;
          for (let j = 0; j < H; j++) {
            g[w2o + c * H + j]! += d * h[j]!;
            dh[j]! += d * p[w2o + c * H + j]!;
          }
        }
        for (let j = 0; j < H; j++) {
          const da = dh[j]! * (1 - h[j]! * h[j]!);
          g[b1o + j]! += da;
          for (let f = 0; f < F; f++) g[j * F + f]! += da * X[r * F + f]!;
        }
      }
      step++;
      const c1 = 1 - 0.9 ** step;
      const c2 = 1 - 0.999 ** step;
      for (let i = 0; i < P; i++) {
        const isWeight = i < nW1 || (i >= w2o && i < b2o);
        const gi = g[i]! / wsum + (isWeight ? l2 * p[i]! : 0);
        m1[i] = 0.9 * m1[i]! + 0.1 * gi;
        m2[i] = 0.999 * m2[i]! + 0.001 * gi * gi;
        p[i]! -= (lr * (m1[i]! / c1)) / (Math.sqrt(m2[i]! / c2) + 1e-8);
      }
    }
  }
  const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
  return {
    format: SEGMENTER_FORMAT,
    format_version: SEGMENTER_FORMAT_VERSION,
    classes,
    features: FEATURE_NAMES,
    mean: Array.from(mean, r6),
    std: Array.from(std, r6),
    hidden_weights: Array.from({ length: H }, (_, j) =>
      Array.from(p.subarray(j * F, (j + 1) * F), r6),
    ),
    hidden_bias: Array.from(p.subarray(b1o, b1o + H), r6),
    output_weights: Array.from({ length: C }, (_, c) =>
      Array.from(p.subarray(w2o + c * H, w2o + (c + 1) * H), r6),
    ),
    output_bias: Array.from(p.subarray(b2o, b2o + C), r6),
  };
}
