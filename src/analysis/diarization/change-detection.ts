/**
 * Speaker-change detection inside speech regions: a GLR distance between two adjacent windows
 * slides over the features (DISTBIC, Delacourt & Wellekens 2000); its local maxima that stand out
 * from the curve become candidate changes, and a candidate is kept when ΔBIC between the segments
 * it separates (bounded by its neighbours) is positive. Over-segmentation is cheap (clustering
 * merges segments of the same speaker); a missed change is not, so the thresholds are permissive.
 *
 * Hand-written: no maintained JavaScript library does speaker-change detection.
 */
import { deltaBic, GaussianStats, glr } from './gaussian.js';

export interface ChangeDetectionOptions {
  /** Half-window of the sliding GLR, frames. @defaultValue 100 (1 s at 10 ms) */
  readonly windowFrames?: number;
  /** Step between tested points, frames. @defaultValue 5 */
  readonly stepFrames?: number;
  /** Shortest segment produced, frames. @defaultValue 50 */
  readonly minSegmentFrames?: number;
  /** BIC penalty weight of the validation step. @defaultValue 0.6 */
  readonly lambda?: number;
  /** Shrinkage pseudo-frames for covariance estimates (keep small: shrinkage biases ΔBIC against small segments). @defaultValue 1 */
  readonly priorFrames?: number;
}

/**
 * Splits one region of speech frames into speaker-homogeneous segments.
 * @param x - features, row-major [nFrames × dim] (the region only).
 * @returns segment boundaries as frame offsets into the region: [0, b1, …, nFrames].
 */
export function detectSpeakerChanges(
  x: Float32Array,
  nFrames: number,
  dim: number,
  opts: ChangeDetectionOptions = {},
): number[] {
  const w = opts.windowFrames ?? 100;
  const step = opts.stepFrames ?? 5;
  const minSeg = opts.minSegmentFrames ?? 50;
  const lambda = opts.lambda ?? 0.6;
  const prior = opts.priorFrames ?? 1;
  if (nFrames < 2 * minSeg + 1 || nFrames < 2 * Math.min(w, minSeg)) return [0, nFrames];

  // Sliding windows [t−w', t) and [t, t+w') with w' = min(w, room), updated incrementally.
  const points: number[] = [];
  const dist: number[] = [];
  const left = new GaussianStats(dim);
  const right = new GaussianStats(dim);
  const hw = Math.min(w, Math.floor(nFrames / 2));
  let t = hw;
  for (let i = 0; i < hw; i++) left.add(x, i * dim);
  for (let i = hw; i < Math.min(nFrames, 2 * hw); i++) right.add(x, i * dim);
  while (t + hw <= nFrames) {
    points.push(t);
    dist.push(glr(left, right, prior) / (left.n + right.n));
    // advance by `step`: frames leave left's start, cross from right to left, enter right's end.
    for (let s = 0; s < step && t + hw < nFrames; s++) {
      left.add(x, (t - hw) * dim, -1);
      left.add(x, t * dim);
      right.add(x, t * dim, -1);
      right.add(x, (t + hw) * dim);
      t++;
    }
    if (t + hw >= nFrames) break;
  }
  if (points.length < 3) return [0, nFrames];
  // Candidates: local maxima over ±minSeg that exceed mean + 0.5·std of the curve.
  let mean = 0;
  for (const d of dist) mean += d;
  mean /= dist.length;
  let v = 0;
  for (const d of dist) v += (d - mean) ** 2;
  const thr = mean + 0.5 * Math.sqrt(v / dist.length);
  const radius = Math.max(1, Math.round(minSeg / step));
  const cands: number[] = [];
  for (let i = 0; i < dist.length; i++) {
    if (dist[i]! < thr) continue;
    let isMax = true;
    for (let k = Math.max(0, i - radius); k <= Math.min(dist.length - 1, i + radius); k++) {
      if (dist[k]! > dist[i]! || (dist[k] === dist[i] && k < i)) {
        isMax = false;
        break;
      }
    }
    if (isMax) cands.push(points[i]!);
  }
  // BIC validation, left to right against the neighbouring boundaries.
  const bounds = [0, ...cands.filter((c) => c >= minSeg && nFrames - c >= minSeg), nFrames];
  const kept = [0];
  for (let i = 1; i < bounds.length - 1; i++) {
    const a = kept[kept.length - 1]!;
    const b = bounds[i]!;
    const c = bounds[i + 1]!;
    if (b - a < minSeg) continue;
    const sa = new GaussianStats(dim);
    const sb = new GaussianStats(dim);
    // Bound the validation windows so one long segment does not drown a short turn.
    for (let f = Math.max(a, b - 3 * w); f < b; f++) sa.add(x, f * dim);
    for (let f = b; f < Math.min(c, b + 3 * w); f++) sb.add(x, f * dim);
    if (deltaBic(sa, sb, lambda, prior) > 0) kept.push(b);
  }
  if (nFrames - kept[kept.length - 1]! < minSeg && kept.length > 1) kept.pop();
  kept.push(nFrames);
  return kept;
}
