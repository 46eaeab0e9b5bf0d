/**
 * Frame-level resegmentation: one diagonal-covariance GMM per speaker cluster, trained by EM on the
 * frames currently assigned to it, then a Viterbi pass over every speech region with a fixed
 * speaker-switch penalty (an ergodic HMM with one state per speaker), repeated a few times. This
 * refines the coarse segment boundaries to the 10 ms frame grid (as LIUM's and DiarTK's final
 * Viterbi resegmentation do).
 *
 * Hand-written: no maintained JavaScript library trains GMMs on typed arrays or runs this Viterbi.
 */

export interface DiagGmm {
  readonly nComp: number;
  readonly dim: number;
  readonly logWeight: Float64Array;
  readonly mean: Float64Array;
  readonly invVar: Float64Array;
  /** Per component: log w − ½ Σ log(2π σ²). */
  readonly constTerm: Float64Array;
}

const LOG2PI = Math.log(2 * Math.PI);
const VAR_FLOOR = 0.01;

function finalise(g: {
  nComp: number;
  dim: number;
  logWeight: Float64Array;
  mean: Float64Array;
  invVar: Float64Array;
}): DiagGmm {
  const constTerm = new Float64Array(g.nComp);
  for (let c = 0; c < g.nComp; c++) {
    let s = g.logWeight[c]!;
    for (let d = 0; d < g.dim; d++) s -= 0.5 * (LOG2PI - Math.log(g.invVar[c * g.dim + d]!));
    constTerm[c] = s;
  }
  return { ...g, constTerm };
}

/** log p(x) under the GMM (log-sum-exp over components). */
export function gmmLogLikelihood(g: DiagGmm, x: Float32Array, off: number): number {
  let max = -Infinity;
  const tmp = gmmScratch(g.nComp);
  for (let c = 0; c < g.nComp; c++) {
    let s = 0;
    const mo = c * g.dim;
    for (let d = 0; d < g.dim; d++) {
      const diff = x[off + d]! - g.mean[mo + d]!;
      s += diff * diff * g.invVar[mo + d]!;
    }
    const v = g.constTerm[c]! - 0.5 * s;
    tmp[c] = v;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let c = 0; c < g.nComp; c++) sum += Math.exp(tmp[c]! - max);
  return max + Math.log(sum);
}

let scratchBuf = new Float64Array(16);
function gmmScratch(n: number): Float64Array {
  if (scratchBuf.length < n) scratchBuf = new Float64Array(n);
  return scratchBuf;
}

/**
 * Trains a diagonal GMM on the frames `idx` of `x` ([N × dim]). Deterministic initialisation
 * (means at evenly spaced frames), `iters` EM iterations. Components shrink to what the data supports
 * (at least ~25 frames each).
 */
export function trainDiagGmm(
  x: Float32Array,
  dim: number,
  idx: ArrayLike<number>,
  nComp: number,
  iters = 5,
  init?: DiagGmm,
): DiagGmm {
  const n = idx.length;
  if (init) return emIterations(x, dim, idx, init, iters);
  const k = Math.max(1, Math.min(nComp, Math.floor(n / 25)));
  const mean = new Float64Array(k * dim);
  const invVar = new Float64Array(k * dim);
  const logWeight = new Float64Array(k).fill(-Math.log(k));
  // global variance for init
  const gm = new Float64Array(dim);
  const gv = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) gm[d]! += x[idx[i]! * dim + d]! / n;
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dim; d++) gv[d]! += (x[idx[i]! * dim + d]! - gm[d]!) ** 2 / n;
  for (let c = 0; c < k; c++) {
    const f = idx[Math.floor(((c + 0.5) * n) / k)]!;
    for (let d = 0; d < dim; d++) {
      mean[c * dim + d] = k === 1 ? gm[d]! : x[f * dim + d]!;
      invVar[c * dim + d] = 1 / Math.max(VAR_FLOOR, gv[d]!);
    }
  }
  const g = finalise({ nComp: k, dim, logWeight, mean, invVar });
  if (n === 0) return g;
  return emIterations(x, dim, idx, g, iters);
}

/**
 * A GMM holding both models' components, weights scaled by their frame counts — the starting
 * point of a merged model (it already explains both parents' data as well as they did).
 */
export function concatGmms(a: DiagGmm, nA: number, b: DiagGmm, nB: number): DiagGmm {
  const wa = Math.log(nA / (nA + nB));
  const wb = Math.log(nB / (nA + nB));
  const logWeight = new Float64Array(a.nComp + b.nComp);
  a.logWeight.forEach((v, i) => (logWeight[i] = v + wa));
  b.logWeight.forEach((v, i) => (logWeight[a.nComp + i] = v + wb));
  const mean = new Float64Array((a.nComp + b.nComp) * a.dim);
  mean.set(a.mean);
  mean.set(b.mean, a.mean.length);
  const invVar = new Float64Array(mean.length);
  invVar.set(a.invVar);
  invVar.set(b.invVar, a.invVar.length);
  return finalise({ nComp: a.nComp + b.nComp, dim: a.dim, logWeight, mean, invVar });
}

function emIterations(
  x: Float32Array,
  dim: number,
  idx: ArrayLike<number>,
  start: DiagGmm,
  iters: number,
): DiagGmm {
  const n = idx.length;
  const k = start.nComp;
  let g = start;
  if (n === 0) return g;
  const gm = new Float64Array(dim);
  const gv = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) gm[d]! += x[idx[i]! * dim + d]! / n;
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dim; d++) gv[d]! += (x[idx[i]! * dim + d]! - gm[d]!) ** 2 / n;
  const post = new Float64Array(k);
  for (let it = 0; it < iters; it++) {
    const acc0 = new Float64Array(k);
    const acc1 = new Float64Array(k * dim);
    const acc2 = new Float64Array(k * dim);
    for (let i = 0; i < n; i++) {
      const off = idx[i]! * dim;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        const mo = c * dim;
        for (let d = 0; d < dim; d++) {
          const diff = x[off + d]! - g.mean[mo + d]!;
          s += diff * diff * g.invVar[mo + d]!;
        }
        post[c] = g.constTerm[c]! - 0.5 * s;
        if (post[c]! > max) max = post[c]!;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += post[c] = Math.exp(post[c]! - max);
      for (let c = 0; c < k; c++) {
        const p = post[c]! / sum;
        if (p < 1e-6) continue;
        acc0[c]! += p;
        const mo = c * dim;
        for (let d = 0; d < dim; d++) {
          const v = x[off + d]!;
          acc1[mo + d]! += p * v;
          acc2[mo + d]! += p * v * v;
        }
      }
    }
    const nm = new Float64Array(k * dim);
    const niv = new Float64Array(k * dim);
    const nlw = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const w = acc0[c]!;
      nlw[c] = Math.log(Math.max(w, 1e-3) / n);
      for (let d = 0; d < dim; d++) {
        const m = w > 1 ? acc1[c * dim + d]! / w : gm[d]!;
        const v = w > 1 ? acc2[c * dim + d]! / w - m * m : gv[d]!;
        nm[c * dim + d] = m;
        niv[c * dim + d] = 1 / Math.max(VAR_FLOOR, v);
      }
    }
    g = finalise({ nComp: k, dim, logWeight: nlw, mean: nm, invVar: niv });
  }
  return g;
}

/**
 * Viterbi over one region: `ll` is [T × S] frame log-likelihoods; switching speaker costs
 * `switchPenalty` (log domain). Returns the best state per frame.
 */
export function viterbi(
  ll: Float64Array,
  nFrames: number,
  nStates: number,
  switchPenalty: number,
): Int32Array {
  const path = new Int32Array(nFrames);
  if (nFrames === 0 || nStates === 0) return path;
  const back = new Int32Array(nFrames * nStates);
  let score = new Float64Array(nStates);
  let next = new Float64Array(nStates);
  for (let s = 0; s < nStates; s++) score[s] = ll[s]!;
  for (let t = 1; t < nFrames; t++) {
    let bestPrev = 0;
    for (let s = 1; s < nStates; s++) if (score[s]! > score[bestPrev]!) bestPrev = s;
    const switchScore = score[bestPrev]! - switchPenalty;
    for (let s = 0; s < nStates; s++) {
      const stay = score[s]!;
      if (stay >= switchScore || bestPrev === s) {
        next[s] = stay + ll[t * nStates + s]!;
        back[t * nStates + s] = s;
      } else {
        next[s] = switchScore + ll[t * nStates + s]!;
        back[t * nStates + s] = bestPrev;
      }
    }
    [score, next] = [next, score];
  }
  let s = 0;
  for (let k = 1; k < nStates; k++) if (score[k]! > score[s]!) s = k;
  for (let t = nFrames - 1; t >= 0; t--) {
    path[t] = s;
    s = back[t * nStates + s]!;
  }
  return path;
}
