/**
 * Statistics of a short f0 contour (one burst of pitch frames at a fixed hop): how much of it is
 * voiced, how long the voiced runs last, how steady the pitch is from frame to frame, and whether
 * the runs carry a vibrato. Speech breaks into syllable-long voiced runs whose pitch glides;
 * singing and chant hold long voiced runs on steady notes, often with a 4–8 Hz vibrato.
 */

export interface BurstContourOptions {
  /** Hop between frames, seconds. */
  readonly hopSec: number;
  /** Periodicity at or above which a frame is voiced. @defaultValue 0.4 */
  readonly voicedThreshold?: number;
  /** Largest frame-to-frame change still called steady, cents per hop. @defaultValue 20 */
  readonly steadyCentsPerHop?: number;
}

export interface BurstContourStats {
  readonly frames: number;
  readonly voicedFrames: number;
  /** Lengths of the voiced runs (frames); a jump of more than 3 semitones splits a run. */
  readonly runLengths: readonly number[];
  /** Frame-to-frame steps inside voiced runs, and how many of them were steady. */
  readonly steps: number;
  readonly steadySteps: number;
  /** Voiced runs long enough to test for vibrato (≥ 0.24 s), and those that carry one. */
  readonly vibratoTested: number;
  readonly vibratoRuns: number;
  /** Pitch of every voiced frame, cents re 10 Hz. */
  readonly voicedCents: readonly number[];
  /** Periodicity of every voiced frame. */
  readonly voicedPeriodicity: readonly number[];
}

const JUMP_CENTS = 300;

/**
 * Analyses one contour.
 * @param cents - pitch per frame (cents re 10 Hz), length n.
 * @param periodicity - voicing confidence per frame, 0..1, length n.
 */
export function analyseBurstContour(
  cents: ArrayLike<number>,
  periodicity: ArrayLike<number>,
  opts: BurstContourOptions,
): BurstContourStats {
  const thr = opts.voicedThreshold ?? 0.4;
  const steadyMax = opts.steadyCentsPerHop ?? 20;
  const n = cents.length;
  const runLengths: number[] = [];
  const voicedCents: number[] = [];
  const voicedPeriodicity: number[] = [];
  let steps = 0;
  let steady = 0;
  let tested = 0;
  let vibrato = 0;
  const minVibratoFrames = Math.ceil(0.24 / opts.hopSec);
  let run: number[] = [];
  const closeRun = (): void => {
    if (run.length > 0) runLengths.push(run.length);
    if (run.length >= minVibratoFrames) {
      tested++;
      if (hasVibrato(run, opts.hopSec)) vibrato++;
    }
    run = [];
  };
  for (let i = 0; i < n; i++) {
    const voiced = periodicity[i]! >= thr;
    if (!voiced) {
      closeRun();
      continue;
    }
    voicedCents.push(cents[i]!);
    voicedPeriodicity.push(periodicity[i]!);
    const prev = run.length > 0 ? run[run.length - 1]! : undefined;
    if (prev !== undefined && Math.abs(cents[i]! - prev) > JUMP_CENTS) closeRun();
    else if (prev !== undefined) {
      steps++;
      if (Math.abs(cents[i]! - prev) <= steadyMax) steady++;
    }
    run.push(cents[i]!);
  }
  closeRun();
  return {
    frames: n,
    voicedFrames: voicedCents.length,
    runLengths,
    steps,
    steadySteps: steady,
    vibratoTested: tested,
    vibratoRuns: vibrato,
    voicedCents,
    voicedPeriodicity,
  };
}

/**
 * True when a voiced run, its linear trend removed, oscillates at 4–8 Hz (normalised
 * autocorrelation ≥ 0.3 at the best lag in that range) with an extent of 15–200 cents
 * (peak deviation, √2 × the standard deviation).
 */
export function hasVibrato(run: readonly number[], hopSec: number): boolean {
  const n = run.length;
  let st = 0;
  let sc = 0;
  for (let i = 0; i < n; i++) {
    st += i;
    sc += run[i]!;
  }
  const mt = st / n;
  const mc = sc / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - mt) * (run[i]! - mc);
    den += (i - mt) ** 2;
  }
  const slope = den > 0 ? num / den : 0;
  const d = run.map((c, i) => c - mc - slope * (i - mt));
  let energy = 0;
  for (const v of d) energy += v * v;
  const extent = Math.SQRT2 * Math.sqrt(energy / n);
  if (extent < 15 || extent > 200 || energy <= 0) return false;
  const minLag = Math.max(1, Math.round(1 / (8 * hopSec)));
  const maxLag = Math.min(n - 2, Math.round(1 / (4 * hopSec)));
  let best = -1;
  for (let lag = minLag; lag <= maxLag; lag++) {
    let s = 0;
    for (let i = 0; i + lag < n; i++) s += d[i]! * d[i + lag]!;
    best = Math.max(best, (s / (n - lag)) * (n / energy));
  }
  return best >= 0.3;
}
