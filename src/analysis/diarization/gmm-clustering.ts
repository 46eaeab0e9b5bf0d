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
import { deltaBic, GaussianStats } from './gaussian.js';
import { gmmLogLikelihood, trainDiagGmm, viterbi, type DiagGmm } from './resegmentation.js';

export interface GmmClusteringOptions {
  readonly minClusters: number;
  readonly maxClusters: number;
  /** Gaussian components per initial cluster. @defaultValue 5 */
  readonly componentsPerCluster?: number;
  /** Viterbi speaker-switch penalty between blocks, nats. @defaultValue 25 */
  readonly switchPenalty?: number;
  /** Block length of the clustering-loop Viterbi (minimum duration), frames. @defaultValue 100 */
  readonly blockFrames?: number;
  /** Switch penalty of the final frame-level refinement, nats. @defaultValue 50 */
  readonly finalSwitchPenalty?: number;
  /**
   * Frames that carry speaker information (e.g. not the near-silence between syllables). Only they
   * train models and score merges; the others get equal likelihoods, so Viterbi labels them by
   * context. @defaultValue all frames
   */
  readonly informative?: Uint8Array;
  /** BIC penalty weight of the stopping rule. @defaultValue 1 */
  readonly lambda?: number;
  /** Pairs scored exactly per round: the closest by cross-likelihood. @defaultValue 4 */
  readonly mergeCandidates?: number;
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
  const nCand = opts.mergeCandidates ?? 4;
  const blockFrames = opts.blockFrames ?? 100;
  const finalPenalty = opts.finalSwitchPenalty ?? 50;
  const info = opts.informative;
  const lambda = opts.lambda ?? 1;
  let labels = Int32Array.from(initLabels);
  let k = 0;
  for (const l of labels) k = Math.max(k, l + 1);
  let gmms: DiagGmm[] = [];
  let ll = new Float64Array(0);
  let stopValue = 0;

  const members = (): number[][] => {
    const m: number[][] = Array.from({ length: k }, () => []);
    labels.forEach((l, i) => {
      if (!info || info[i]) m[l]!.push(i);
    });
    return m;
  };
  const train = (): void => {
    gmms = members().map((m) => trainDiagGmm(x, dim, subsample(m, 20000), gPer, 4));
  };
  const score = (): void => {
    ll = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      if (info && !info[i]) continue; // 0 for every model: no evidence either way
      for (let c = 0; c < k; c++) ll[i * k + c] = gmmLogLikelihood(gmms[c]!, x, i * dim);
    }
  };
  // Viterbi over blocks of `block` frames (summed log-likelihoods): a minimum duration, so that
  // clusters stay speakers and do not specialise into phone classes (ICSI uses 2.5 s).
  const resegment = (block: number, switchPenalty: number): void => {
    const next = new Int32Array(n);
    for (let r = 0; r + 1 < regionStart.length; r++) {
      const s0 = regionStart[r]!;
      const len = regionStart[r + 1]! - s0;
      const nb = Math.ceil(len / block);
      const bl = new Float64Array(nb * k);
      for (let i = 0; i < len; i++) {
        const b = Math.floor(i / block);
        for (let c = 0; c < k; c++) bl[b * k + c]! += ll[(s0 + i) * k + c]!;
      }
      const path = viterbi(bl, nb, k, switchPenalty);
      for (let i = 0; i < len; i++) next[s0 + i] = path[Math.floor(i / block)]!;
    }
    // Clusters left without frames disappear.
    const used = new Int32Array(k);
    for (const l of next) used[l]!++;
    const remap = new Int32Array(k).fill(-1);
    let nk = 0;
    for (let c = 0; c < k; c++) if (used[c]! > 0) remap[c] = nk++;
    for (let i = 0; i < n; i++) next[i] = remap[next[i]!]!;
    labels = next;
    k = nk;
  };

  for (;;) {
    // One resegmentation pass (models → Viterbi alignment), then models of the new alignment.
    train();
    score();
    resegment(blockFrames, penalty);
    train();
    score();
    if (k <= Math.max(1, opts.minClusters)) break;
    const m = members();
    // Cheap pre-selection by cross-likelihood: mean over a's frames of ll_b − ll_a, and back.
    const cand: { a: number; b: number; d: number }[] = [];
    for (let a = 0; a < k; a++)
      for (let b = a + 1; b < k; b++) {
        let s = 0;
        for (const i of m[a]!) s += ll[i * k + b]! - ll[i * k + a]!;
        let t = 0;
        for (const i of m[b]!) t += ll[i * k + a]! - ll[i * k + b]!;
        cand.push({ a, b, d: s / m[a]!.length + t / m[b]!.length });
      }
    cand.sort((p, q) => q.d - p.d);
    // Stopping rule: ΔBIC of full-covariance Gaussians of the clusters' informative frames, for the
    // pairs the models find most alike; merge the lowest while it is negative.
    const statsOf = new Map<number, GaussianStats>();
    const stats = (c: number): GaussianStats => {
      let g = statsOf.get(c);
      if (!g) {
        g = new GaussianStats(dim);
        for (const i of m[c]!) g.add(x, i * dim);
        statsOf.set(c, g);
      }
      return g;
    };
    let best = Infinity;
    let bi = -1;
    let bj = -1;
    for (const { a, b } of cand.slice(0, nCand)) {
      const d = deltaBic(stats(a), stats(b), lambda, 1);
      if (d < best) {
        best = d;
        bi = a;
        bj = b;
      }
    }
    stopValue = best;
    if (best >= 0 && k <= opts.maxClusters) break;
    for (let i = 0; i < n; i++) {
      if (labels[i] === bj) labels[i] = bi;
      if (labels[i]! > bj) labels[i]!--;
    }
    k--;
  }
  // Final frame-level refinement of the boundaries with the speaker models.
  if (k > 1) {
    resegment(1, finalPenalty);
    train();
    score();
  }
  return { labels, k, stopValue, ll };
}
