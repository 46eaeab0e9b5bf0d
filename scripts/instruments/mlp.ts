/**
 * Trains the small multi-label network of the instrumentation model: standardised inputs → dense
 * ReLU layer → one sigmoid per family, masked binary cross-entropy (unknown labels are skipped),
 * per-family positive weighting, L2 decay, Adam, mini-batches. Deterministic given the seed.
 *
 * Hand-written: the network is tiny and a training framework (tfjs, onnx training) would be a
 * much larger dependency than these ~150 lines; the forward pass matches
 * src/analysis/instrumentation/model.ts exactly (a test checks the artifact loads and scores).
 */
import type { DenseLayer } from '../../src/analysis/instrumentation/model.js';
import { mulberry32 } from '../../src/dsp/random.js';

export interface Example {
  readonly x: Float64Array;
  /** Per family: 1 present, 0 absent, -1 unknown. */
  readonly y: Int8Array;
}

export interface MlpOptions {
  readonly hidden: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly batchSize: number;
  readonly seed: number;
}

export interface TrainedMlp {
  readonly mean: number[];
  readonly std: number[];
  readonly layers: DenseLayer[];
}

export function trainMlp(data: readonly Example[], opts: MlpOptions): TrainedMlp {
  const rnd = mulberry32(opts.seed);
  const dIn = data[0]!.x.length;
  const dOut = data[0]!.y.length;
  const H = opts.hidden;
  const mean = new Array<number>(dIn).fill(0);
  const std = new Array<number>(dIn).fill(0);
  for (const e of data) for (let i = 0; i < dIn; i++) mean[i]! += e.x[i]! / data.length;
  for (const e of data)
    for (let i = 0; i < dIn; i++) std[i]! += (e.x[i]! - mean[i]!) ** 2 / data.length;
  for (let i = 0; i < dIn; i++) std[i] = Math.sqrt(std[i]!) || 1;
  const X = data.map((e) => Float64Array.from(e.x, (v, i) => (v - mean[i]!) / std[i]!));
  // Positive weights: balance each family's positives against its negatives (capped).
  const posW = new Float64Array(dOut);
  for (let k = 0; k < dOut; k++) {
    let pos = 0;
    let neg = 0;
    for (const e of data) {
      if (e.y[k] === 1) pos++;
      else if (e.y[k] === 0) neg++;
    }
    posW[k] = pos > 0 ? Math.min(8, Math.max(1, neg / pos)) : 1;
  }
  const gauss = (): number =>
    Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const W1 = Float64Array.from({ length: H * dIn }, () => gauss() * Math.sqrt(2 / dIn));
  const b1 = new Float64Array(H);
  const W2 = Float64Array.from({ length: dOut * H }, () => gauss() * Math.sqrt(1 / H));
  const b2 = new Float64Array(dOut);
  const params = [W1, b1, W2, b2];
  const grads = params.map((p) => new Float64Array(p.length));
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const [gW1, gb1, gW2, gb2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array];
  const h = new Float64Array(H);
  const dh = new Float64Array(H);
  const order = Array.from(data.keys());
  let step = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const batch = order.slice(start, start + opts.batchSize);
      for (const g of grads) g.fill(0);
      for (const idx of batch) {
        const x = X[idx]!;
        const y = data[idx]!.y;
        for (let j = 0; j < H; j++) {
          let s = b1[j]!;
          const row = j * dIn;
          for (let i = 0; i < dIn; i++) s += W1[row + i]! * x[i]!;
          h[j] = s > 0 ? s : 0;
        }
        dh.fill(0);
        for (let k = 0; k < dOut; k++) {
          if (y[k]! < 0) continue;
          let s = b2[k]!;
          const row = k * H;
          for (let j = 0; j < H; j++) s += W2[row + j]! * h[j]!;
          const p = 1 / (1 + Math.exp(-s));
          const w = y[k] === 1 ? posW[k]! : 1;
          const d = w * (p - y[k]!);
          gb2[k]! += d;
          for (let j = 0; j < H; j++) {
            gW2[row + j]! += d * h[j]!;
            dh[j]! += d * W2[row + j]!;
          }
        }
        for (let j = 0; j < H; j++) {
          if (h[j]! <= 0) continue;
          const d = dh[j]!;
          gb1[j]! += d;
          const row = j * dIn;
          for (let i = 0; i < dIn; i++) gW1[row + i]! += d * x[i]!;
        }
      }
      step++;
      const lr = opts.learningRate;
      for (let p = 0; p < params.length; p++) {
        const P = params[p]!;
        const G = grads[p]!;
        const M = m1[p]!;
        const V = m2[p]!;
        const decay = p === 0 || p === 2 ? opts.l2 : 0;
        for (let i = 0; i < P.length; i++) {
          const g = G[i]! / batch.length + decay * P[i]!;
          M[i] = 0.9 * M[i]! + 0.1 * g;
          V[i] = 0.999 * V[i]! + 0.001 * g * g;
          const mh = M[i]! / (1 - 0.9 ** step);
          const vh = V[i]! / (1 - 0.999 ** step);
          P[i]! -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
        }
      }
    }
  }
  const round = (a: Float64Array): number[] => Array.from(a, (v) => Math.round(v * 1e6) / 1e6);
  return {
    mean: mean.map((v) => Math.round(v * 1e6) / 1e6),
    std: std.map((v) => Math.round(v * 1e6) / 1e6),
    layers: [
      { inputs: dIn, outputs: H, activation: 'relu', weights: round(W1), bias: round(b1) },
      { inputs: H, outputs: dOut, activation: 'sigmoid', weights: round(W2), bias: round(b2) },
    ],
  };
}
