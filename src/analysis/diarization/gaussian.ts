/**
 * Full-covariance Gaussian sufficient statistics and the BIC / GLR distances between them — the
 * classic speaker-change and speaker-clustering criterion (Chen & Gopalakrishnan 1998; Delacourt &
 * Wellekens 2000). Hand-written: no maintained JavaScript library offers a numerically careful
 * log-determinant of small covariance matrices over streamed statistics (ml-matrix has
 * determinants, not mergeable statistics, and would add a dependency for ~80 lines).
 */

/** Sufficient statistics (count, Σx, Σxxᵀ) of D-dimensional frames. Mergeable by addition. */
export class GaussianStats {
  n = 0;
  readonly sum: Float64Array;
  /** Row-major D×D, upper triangle maintained (lower mirrored on demand). */
  readonly sq: Float64Array;

  constructor(readonly dim: number) {
    this.sum = new Float64Array(dim);
    this.sq = new Float64Array(dim * dim);
  }

  /** Adds (sign = 1) or removes (sign = −1) one frame `x` (length ≥ dim, from `offset`). */
  add(x: ArrayLike<number>, offset = 0, sign = 1): void {
    const d = this.dim;
    this.n += sign;
    for (let i = 0; i < d; i++) {
      const xi = x[offset + i]! * sign;
      this.sum[i]! += xi;
      const row = i * d;
      for (let j = i; j < d; j++) this.sq[row + j]! += xi * x[offset + j]!;
    }
  }

  addStats(o: GaussianStats): void {
    this.n += o.n;
    for (let i = 0; i < this.sum.length; i++) this.sum[i]! += o.sum[i]!;
    for (let i = 0; i < this.sq.length; i++) this.sq[i]! += o.sq[i]!;
  }

  clone(): GaussianStats {
    const c = new GaussianStats(this.dim);
    c.addStats(this);
    return c;
  }

  mean(out = new Float64Array(this.dim)): Float64Array {
    for (let i = 0; i < this.dim; i++) out[i] = this.n > 0 ? this.sum[i]! / this.n : 0;
    return out;
  }
}

const scratch = new Map<number, Float64Array>();

/**
 * log|Σ| of the (shrunk) covariance of `a` (+ `b` when given, without allocating a merged copy).
 * Shrinkage towards the identity with `priorFrames` pseudo-frames keeps small segments
 * well-conditioned (features are mean/variance normalised, so I is the global covariance).
 */
export function logDetCov(
  a: GaussianStats,
  b?: GaussianStats,
  priorFrames = 0,
  diagonal = false,
): number {
  const d = a.dim;
  if (diagonal) {
    const n = a.n + (b ? b.n : 0);
    let ld = 0;
    for (let i = 0; i < d; i++) {
      const mu = (a.sum[i]! + (b ? b.sum[i]! : 0)) / n;
      const s = a.sq[i * d + i]! + (b ? b.sq[i * d + i]! : 0);
      ld += Math.log(Math.max(1e-12, (s - n * mu * mu + priorFrames) / (n + priorFrames)));
    }
    return ld;
  }
  let m = scratch.get(d);
  if (!m) scratch.set(d, (m = new Float64Array(d * d + d)));
  const n = a.n + (b ? b.n : 0);
  const mu = m.subarray(d * d);
  for (let i = 0; i < d; i++) mu[i] = (a.sum[i]! + (b ? b.sum[i]! : 0)) / n;
  const denom = n + priorFrames;
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const s = a.sq[i * d + j]! + (b ? b.sq[i * d + j]! : 0);
      let c = (s - n * mu[i]! * mu[j]!) / denom;
      if (i === j) c += priorFrames / denom;
      m[i * d + j] = c;
    }
  }
  // In-place Cholesky on the upper triangle (as Uᵀ U); log|Σ| = 2 Σ log u_ii.
  let ld = 0;
  for (let j = 0; j < d; j++) {
    let s = m[j * d + j]!;
    for (let k = 0; k < j; k++) s -= m[k * d + j]! * m[k * d + j]!;
    if (s <= 1e-12) s = 1e-12;
    const ujj = Math.sqrt(s);
    m[j * d + j] = ujj;
    ld += 2 * Math.log(ujj);
    for (let i = j + 1; i < d; i++) {
      let t = m[j * d + i]!;
      for (let k = 0; k < j; k++) t -= m[k * d + j]! * m[k * d + i]!;
      m[j * d + i] = t / ujj;
    }
  }
  return ld;
}

/** Number of free parameters of a full-covariance Gaussian in `dim` dimensions. */
export function gaussianParams(dim: number, diagonal = false): number {
  return diagonal ? 2 * dim : dim + (dim * (dim + 1)) / 2;
}

/**
 * Generalised likelihood ratio between "one Gaussian for a ∪ b" and "one for each":
 * 0.5·[n·log|Σ_ab| − n_a·log|Σ_a| − n_b·log|Σ_b|] (≥ 0; larger = more different).
 */
export function glr(
  a: GaussianStats,
  b: GaussianStats,
  priorFrames = 0,
  ldA?: number,
  ldB?: number,
  diagonal = false,
): number {
  const n = a.n + b.n;
  const la = ldA ?? logDetCov(a, undefined, priorFrames, diagonal);
  const lb = ldB ?? logDetCov(b, undefined, priorFrames, diagonal);
  return 0.5 * (n * logDetCov(a, b, priorFrames, diagonal) - a.n * la - b.n * lb);
}

/**
 * ΔBIC = GLR − λ·½·P·log n (P = parameters of one Gaussian). Positive: two different sources
 * (speakers) explain the data better even after paying for the extra model.
 */
export function deltaBic(
  a: GaussianStats,
  b: GaussianStats,
  lambda: number,
  priorFrames = 0,
  ldA?: number,
  ldB?: number,
  diagonal = false,
): number {
  const n = a.n + b.n;
  return (
    glr(a, b, priorFrames, ldA, ldB, diagonal) -
    lambda * 0.5 * gaussianParams(a.dim, diagonal) * Math.log(Math.max(2, n))
  );
}
