/**
 * ITU-R BS.1770-4 K-weighting for any sample rate.
 *
 * The Recommendation tabulates the two biquads only for 48 kHz. Like libebur128, we derive them
 * from the analog prototype (a high shelf of +4 dB around 1.68 kHz, then the "RLB" high-pass at
 * 38 Hz) through the bilinear transform with frequency pre-warping, so that 44.1, 96 or 16 kHz
 * files are measured with the same curve. At 48 kHz this reproduces the tabulated coefficients
 * to ~1e-8.
 *
 * The bilinear transform is exact only at its pre-warping frequency: at 16 kHz the derived shelf
 * reads ~0.1 dB high at 2-5 kHz, which shifts speech loudness by ~0.09 LU against meters that
 * resample to 48 kHz first (ffmpeg's `ebur128`). The Recommendation defines the weighting by its
 * 48 kHz response, so at other rates the shelf is then refined (Nelder-Mead, least squares in dB on
 * a log grid from 20 Hz to 0.95 x Nyquist, capped at 20 kHz) to reproduce the 48 kHz cascade's
 * response; the fit starts from the derived design and is kept only if it is stable and closer.
 */
import { biquadResponseDb, type BiquadCoefficients } from './biquad.js';

/** BS.1770-4 Table 1 (48 kHz), stage 1: the "pre-filter" (head shelf). */
export const BS1770_PREFILTER_48K: BiquadCoefficients = Object.freeze({
  b0: 1.53512485958697,
  b1: -2.69169618940638,
  b2: 1.19839281085285,
  a1: -1.69065929318241,
  a2: 0.73248077421585,
});

/** BS.1770-4 Table 2 (48 kHz), stage 2: the RLB high-pass. */
export const BS1770_RLB_48K: BiquadCoefficients = Object.freeze({
  b0: 1,
  b1: -2,
  b2: 1,
  a1: -1.99004745483398,
  a2: 0.99007225036621,
});

const cache = new Map<number, readonly [BiquadCoefficients, BiquadCoefficients]>();

/**
 * The two K-weighting biquads (shelf, then high-pass) for `sampleRateHz`, memoised.
 * Parameters of the analog prototype are those fitted by libebur128 to the 48 kHz table.
 */
export function designKWeighting(
  sampleRateHz: number,
): readonly [BiquadCoefficients, BiquadCoefficients] {
  if (!(sampleRateHz > 0) || !Number.isFinite(sampleRateHz))
    throw new RangeError(`sampleRateHz must be a positive number, got ${sampleRateHz}`);
  const hit = cache.get(sampleRateHz);
  if (hit) return hit;

  // Stage 1: high shelf.
  let f0 = 1681.974450955533;
  const gainDb = 3.999843853973347;
  let q = 0.7071752369554196;
  let k = Math.tan((Math.PI * f0) / sampleRateHz);
  const vh = Math.pow(10, gainDb / 20);
  const vb = Math.pow(vh, 0.4996667741545416);
  let a0 = 1 + k / q + k * k;
  const shelf: BiquadCoefficients = Object.freeze({
    b0: (vh + (vb * k) / q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  });

  // Stage 2: RLB high-pass. The numerator is left as (1, -2, 1) exactly as in the Recommendation
  // (its passband gain is ~1.0 thanks to the normalisation of the -0.691 dB constant).
  f0 = 38.13547087602444;
  q = 0.5003270373238773;
  k = Math.tan((Math.PI * f0) / sampleRateHz);
  a0 = 1 + k / q + k * k;
  const rlb: BiquadCoefficients = Object.freeze({
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  });
  const fitted = sampleRateHz === 48000 ? shelf : refineShelf(shelf, rlb, sampleRateHz);
  const pair = Object.freeze([fitted, rlb] as const);
  cache.set(sampleRateHz, pair);
  return pair;
}

/** Grid and target (48 kHz K response minus this rate's RLB) for the shelf refinement. */
function shelfTarget(
  rlb: BiquadCoefficients,
  sampleRateHz: number,
): { freqs: Float64Array; target: Float64Array } {
  const fMax = Math.min(20000, 0.95 * (sampleRateHz / 2), 0.95 * 24000);
  const n = 120;
  const freqs = new Float64Array(n);
  const target = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = 20 * Math.pow(fMax / 20, i / (n - 1));
    freqs[i] = f;
    target[i] =
      biquadResponseDb(BS1770_PREFILTER_48K, f, 48000) +
      biquadResponseDb(BS1770_RLB_48K, f, 48000) -
      biquadResponseDb(rlb, f, sampleRateHz);
  }
  return { freqs, target };
}

function isStable(c: BiquadCoefficients): boolean {
  return Math.abs(c.a2) < 1 && Math.abs(c.a1) < 1 + c.a2;
}

/** Least-squares refinement of the shelf (see the module comment). Deterministic. */
function refineShelf(
  start: BiquadCoefficients,
  rlb: BiquadCoefficients,
  sampleRateHz: number,
): BiquadCoefficients {
  const { freqs, target } = shelfTarget(rlb, sampleRateHz);
  const toCoeffs = (p: readonly number[]): BiquadCoefficients => ({
    b0: p[0]!,
    b1: p[1]!,
    b2: p[2]!,
    a1: p[3]!,
    a2: p[4]!,
  });
  // The grid's trigonometry is fixed: precompute it once for the ~6000 cost evaluations.
  const n = freqs.length;
  const c1 = new Float64Array(n);
  const s1 = new Float64Array(n);
  const c2 = new Float64Array(n);
  const s2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = (2 * Math.PI * freqs[i]!) / sampleRateHz;
    c1[i] = Math.cos(w);
    s1[i] = Math.sin(w);
    c2[i] = Math.cos(2 * w);
    s2[i] = Math.sin(2 * w);
  }
  const cost = (p: readonly number[]): number => {
    const [b0, b1, b2, a1, a2] = p as [number, number, number, number, number];
    if (!isStable(toCoeffs(p))) return Infinity;
    let e = 0;
    for (let i = 0; i < n; i++) {
      const nr = b0 + b1 * c1[i]! + b2 * c2[i]!;
      const ni = b1 * s1[i]! + b2 * s2[i]!;
      const dr = 1 + a1 * c1[i]! + a2 * c2[i]!;
      const di = a1 * s1[i]! + a2 * s2[i]!;
      const d = 10 * Math.log10((nr * nr + ni * ni) / (dr * dr + di * di)) - target[i]!;
      e += d * d;
    }
    return e / n;
  };
  const x0 = [start.b0, start.b1, start.b2, start.a1, start.a2];
  const best = nelderMead(cost, x0, 0.01, 4000);
  return cost(best) < cost(x0) ? Object.freeze(toCoeffs(best)) : start;
}

/** Plain Nelder-Mead minimiser (standard coefficients), enough for a 5-parameter fit. */
function nelderMead(
  f: (p: readonly number[]) => number,
  x0: readonly number[],
  step: number,
  maxIter: number,
): number[] {
  const n = x0.length;
  let simplex: { p: number[]; v: number }[] = [{ p: [...x0], v: f(x0) }];
  for (let i = 0; i < n; i++) {
    const p = [...x0];
    p[i] = p[i]! + step * (Math.abs(p[i]!) > 1e-9 ? Math.abs(p[i]!) : 1);
    simplex.push({ p, v: f(p) });
  }
  for (let iter = 0; iter < maxIter; iter++) {
    simplex.sort((a, b) => a.v - b.v);
    const bestV = simplex[0]!.v;
    const worst = simplex[n]!;
    if (Math.abs(worst.v - bestV) < 1e-14) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.p[j]! / n;
    const along = (t: number): number[] => centroid.map((c, j) => c + t * (worst.p[j]! - c));
    const r = along(-1);
    const fr = f(r);
    if (fr < bestV) {
      const e = along(-2);
      const fe = f(e);
      simplex[n] = fe < fr ? { p: e, v: fe } : { p: r, v: fr };
    } else if (fr < simplex[n - 1]!.v) {
      simplex[n] = { p: r, v: fr };
    } else {
      const c = along(fr < worst.v ? -0.5 : 0.5);
      const fc = f(c);
      if (fc < Math.min(fr, worst.v)) simplex[n] = { p: c, v: fc };
      else {
        const b = simplex[0]!.p;
        simplex = simplex.map((s, i) => {
          if (i === 0) return s;
          const p = s.p.map((v, j) => b[j]! + 0.5 * (v - b[j]!));
          return { p, v: f(p) };
        });
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return simplex[0]!.p;
}
