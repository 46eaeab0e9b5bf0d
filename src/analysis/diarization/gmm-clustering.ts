/**
 * Agglomerative GMM clustering with Viterbi resegmentation in the loop, after Ajmera & Wooters
 * (2003) and the ICSI meeting diarization system (Wooters & Huijbregts 2008): start from an
 * over-clustered partition, model each cluster with a small diagonal GMM, resegment with Viterbi,
 * then merge the pair (a, b) whose merged model — a GMM with as many components as both together,
 * trained on a ∪ b — explains the data best:
 *
 *   ΔBIC(a, b) = log p(D_a ∪ D_b | θ_ab) − log p(D_a | θ_a) − log p(D_b | θ_b)
 *
 * Because θ_ab has exactly as many parameters as θ_a and θ_b together, the BIC penalty cancels:
 * merging stops when no pair has ΔBIC > 0, with no tuned penalty weight (the "principled stopping
 * rule"). Bounds: merging continues past ΔBIC < 0 above maxClusters and stops at minClusters.
 *
 * Hand-written: no maintained JavaScript library implements this (or trains GMMs on typed arrays).
 */
import { gmmLogLikelihood, trainDiagGmm, viterbi, type DiagGmm } from './resegmentation.js';

export interface GmmClusteringOptions {
  readonly minClusters: number;
  readonly maxClusters: number;
  /** Gaussian components per initial cluster. @defaultValue 5 */
  readonly componentsPerCluster?: number;
  /** Viterbi speaker-switch penalty, nats. @defaultValue 25 */
  readonly switchPenalty?: number;
  /** Frames used to score a candidate merge (evenly subsampled). @defaultValue 6000 */
  readonly mergeSampleFrames?: number;
}

export interface GmmClusteringResult {
  readonly labels: Int32Array;
  readonly k: number;
  /** ΔBIC of the best remaining pair when merging stopped. */
  readonly stopValue: number;
  /** Frame log-likelihoods [n × k] under the final models (for overlap marking). */
  readonly ll: Float64Array;
}

function subsample(idx: number[], max: number): number[] {
  if (idx.length <= max) return idx;
  const out: number[] = [];
  for (let i = 0; i < max; i++) out.push(idx[Math.floor((i * idx.length) / max)]!);
  return out;
}

/**
 * @param x - normalised features [n × dim] of the speech frames.
 * @param regionStart - offsets into x of each contiguous speech region, plus n at the end.
 * @param initLabels - initial partition (labels 0..k0−1, every label used, no −1).
 */
export function clusterGmmBic(
  x: Float32Array,
  dim: number,
  regionStart: readonly number[],
  initLabels: Int32Array,
  opts: GmmClusteringOptions,
): GmmClusteringResult {
  const n = initLabels.length;
  const gPer = opts.componentsPerCluster ?? 5;
  const penalty = opts.switchPenalty ?? 25;
  const mergeMax = opts.mergeSampleFrames ?? 6000;
  let labels = Int32Array.from(initLabels);
  let k = 0;
  for (const l of labels) k = Math.max(k, l + 1);
  let comps = new Array<number>(k).fill(gPer);
  let gmms: DiagGmm[] = [];
  let ll = new Float64Array(0);
  let stopValue = 0;

  const members = (): number[][] => {
    const m: number[][] = Array.from({ length: k }, () => []);
    labels.forEach((l, i) => m[l]!.push(i));
    return m;
  };
  const train = (): void => {
    gmms = members().map((m, c) => trainDiagGmm(x, dim, subsample(m, 20000), comps[c]!, 4));
  };
  const score = (): void => {
    ll = new Float64Array(n * k);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < k; c++) ll[i * k + c] = gmmLogLikelihood(gmms[c]!, x, i * dim);
  };
  const resegment = (): void => {
    const next = new Int32Array(n);
    for (let r = 0; r + 1 < regionStart.length; r++) {
      const s0 = regionStart[r]!;
      const len = regionStart[r + 1]! - s0;
      next.set(viterbi(ll.subarray(s0 * k, (s0 + len) * k), len, k, penalty), s0);
    }
    // Clusters left without frames disappear.
    const used = new Int32Array(k);
    for (const l of next) used[l]!++;
    const remap = new Int32Array(k).fill(-1);
    let nk = 0;
    const nComps: number[] = [];
    for (let c = 0; c < k; c++)
      if (used[c]! > 0) {
        remap[c] = nk++;
        nComps.push(comps[c]!);
      }
    for (let i = 0; i < n; i++) next[i] = remap[next[i]!]!;
    labels = next;
    k = nk;
    comps = nComps;
  };

  for (;;) {
    // Resegmentation iterations (models ↔ Viterbi alignment).
    for (let it = 0; it < 2; it++) {
      train();
      score();
      resegment();
    }
    train();
    score();
    if (k <= Math.max(1, opts.minClusters)) break;
    // Best merge by equal-parameter ΔBIC, scored on a subsample of each pair's frames.
    const m = members();
    let best = -Infinity;
    let bi = -1;
    let bj = -1;
    let bestModel: DiagGmm | undefined;
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        const union = subsample(
          [...m[a]!, ...m[b]!].sort((p, q) => p - q),
          mergeMax,
        );
        const merged = trainDiagGmm(x, dim, union, comps[a]! + comps[b]!, 4);
        let d = 0;
        for (const i of union) {
          const own = labels[i] === a ? ll[i * k + a]! : ll[i * k + b]!;
          d += gmmLogLikelihood(merged, x, i * dim) - own;
        }
        // scale the subsample's sum to the pair's size
        d *= (m[a]!.length + m[b]!.length) / union.length;
        if (d > best) {
          best = d;
          bi = a;
          bj = b;
          bestModel = merged;
        }
      }
    }
    stopValue = best;
    if (best <= 0 && k <= opts.maxClusters) break;
    void bestModel;
    for (let i = 0; i < n; i++) {
      if (labels[i] === bj) labels[i] = bi;
      if (labels[i]! > bj) labels[i]!--;
    }
    comps[bi] = comps[bi]! + comps[bj]!;
    comps.splice(bj, 1);
    k--;
  }
  return { labels, k, stopValue, ll };
}
