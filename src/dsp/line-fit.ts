/**
 * Robust straight-line fit y ≈ intercept + slope·x (RANSAC over point pairs, then least squares
 * on the inliers). Used to align two recordings from matched fingerprint times: true matches lie
 * on one line whose slope is the speed ratio; chance matches scatter.
 */

export interface LineFitOptions {
  /** Slopes outside [minSlope, maxSlope] are rejected. */
  readonly minSlope: number;
  readonly maxSlope: number;
  /** A point is an inlier when |y − line(x)| ≤ toleranceY. */
  readonly toleranceY: number;
  /** Random point pairs tried. @defaultValue 300 */
  readonly iterations?: number;
  /** Pairs closer than this in x give no hypothesis (too imprecise a slope). @defaultValue 1 */
  readonly minPairSpanX?: number;
  /** Uniform [0,1) generator (seeded for reproducible results). */
  readonly random: () => number;
  /**
   * Group of each point (e.g. the query triplet it came from): a group counts once as an
   * inlier, however many of its points fit. @defaultValue each point its own group
   */
  readonly groups?: Int32Array;
}

export interface LineFit {
  readonly slope: number;
  readonly intercept: number;
  /** Indices of the inlier points (one per group, the closest to the line). */
  readonly inliers: readonly number[];
}

/**
 * Fits the line with most inlier groups. `xs`, `ys`: point coordinates (same length).
 * Returns undefined when no admissible pair exists.
 */
export function fitLineRansac(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  opts: LineFitOptions,
): LineFit | undefined {
  const n = xs.length;
  if (n < 2) return undefined;
  const iterations = opts.iterations ?? 300;
  const minSpan = opts.minPairSpanX ?? 1;
  let best: { slope: number; intercept: number; count: number } | undefined;
  for (let it = 0; it < iterations; it++) {
    const i = Math.floor(opts.random() * n);
    const j = Math.floor(opts.random() * n);
    const dx = xs[j]! - xs[i]!;
    if (Math.abs(dx) < minSpan) continue;
    const slope = (ys[j]! - ys[i]!) / dx;
    if (slope < opts.minSlope || slope > opts.maxSlope) continue;
    const intercept = ys[i]! - slope * xs[i]!;
    const count = countInliers(xs, ys, slope, intercept, opts);
    if (!best || count > best.count) best = { slope, intercept, count };
  }
  if (!best) return undefined;
  // Least-squares refinement on the inliers, twice (the second pass picks up points the
  // slightly-off hypothesis missed).
  let { slope, intercept } = best;
  let inliers = inlierIndices(xs, ys, slope, intercept, opts);
  for (let pass = 0; pass < 2 && inliers.length >= 2; pass++) {
    const fit = leastSquares(xs, ys, inliers);
    if (!fit || fit.slope < opts.minSlope || fit.slope > opts.maxSlope) break;
    slope = fit.slope;
    intercept = fit.intercept;
    inliers = inlierIndices(xs, ys, slope, intercept, opts);
  }
  return { slope, intercept, inliers };
}

/** Points within tolerance (groups ignored: a cheap score for ranking hypotheses). */
function countInliers(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  slope: number,
  intercept: number,
  opts: LineFitOptions,
): number {
  const tol = opts.toleranceY;
  let n = 0;
  for (let k = 0; k < xs.length; k++) {
    if (Math.abs(ys[k]! - (intercept + slope * xs[k]!)) <= tol) n++;
  }
  return n;
}

function inlierIndices(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  slope: number,
  intercept: number,
  opts: LineFitOptions,
): number[] {
  const tol = opts.toleranceY;
  const groups = opts.groups;
  if (!groups) {
    const out: number[] = [];
    for (let k = 0; k < xs.length; k++) {
      if (Math.abs(ys[k]! - (intercept + slope * xs[k]!)) <= tol) out.push(k);
    }
    return out;
  }
  const bestOf = new Map<number, { k: number; err: number }>();
  for (let k = 0; k < xs.length; k++) {
    const err = Math.abs(ys[k]! - (intercept + slope * xs[k]!));
    if (err > tol) continue;
    const g = groups[k]!;
    const prev = bestOf.get(g);
    if (!prev || err < prev.err) bestOf.set(g, { k, err });
  }
  return [...bestOf.values()].map((v) => v.k).sort((a, b) => a - b);
}

/** Ordinary least squares of the given points; undefined when x has no spread. */
export function leastSquares(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  indices: readonly number[],
): { slope: number; intercept: number } | undefined {
  const m = indices.length;
  if (m < 2) return undefined;
  let sx = 0;
  let sy = 0;
  for (const k of indices) {
    sx += xs[k]!;
    sy += ys[k]!;
  }
  const mx = sx / m;
  const my = sy / m;
  let sxx = 0;
  let sxy = 0;
  for (const k of indices) {
    const dx = xs[k]! - mx;
    sxx += dx * dx;
    sxy += dx * (ys[k]! - my);
  }
  if (sxx <= 1e-12) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
