/**
 * Harmonic pitch-class profiles (HPCP-style chroma), tuning-frequency estimation and key finding.
 *
 * Pipeline per long frame (power spectrum of a Hann-windowed frame, ideally zero-padded):
 * 1. `findSpectralPeaks`: local maxima with log-parabolic interpolation of frequency and power.
 * 2. `accumulatePitchClassPeaks`: every peak adds its magnitude to a fine pitch-class histogram
 *    (`PC_BINS` bins per octave, referenced to nominal A4 = 440 Hz, linear split between bins) and
 *    its deviation from the nearest equal-tempered semitone to a 1-cent tuning histogram.
 * 3. At the end: `estimateTuningCents` (mode of the tuning histogram, refined by a circular mean
 *    around it) and `foldChroma` (fine histogram → 12 bins centred on the tuned semitones with a
 *    cos² window one semitone wide, as Essentia's HPCP), then `estimateKey` (Pearson correlation
 *    with rotated key profiles, 24 keys).
 *
 * Hand-written because the only complete permissive-licence alternative does not exist in
 * JavaScript (Essentia.js is AGPL); each step is short and follows Gómez 2006 (HPCP) and
 * Krumhansl 1990 / Temperley 1999 (key profiles).
 *
 * Pure: imports nothing.
 */

/** Fine pitch-class histogram resolution: bins per octave (10 cents each). */
export const PC_BINS = 120;
/** Tuning histogram resolution: bins per semitone (1 cent each). */
export const TUNING_BINS = 100;

export interface SpectralPeak {
  /** Interpolated frequency, Hz. */
  freqHz: number;
  /** Interpolated magnitude (square root of power). */
  magnitude: number;
}

/**
 * Local maxima of a power spectrum within [minHz, maxHz] and within `rangeDb` of the frame's
 * strongest peak, frequency and magnitude refined by a parabola through the log-power of the peak
 * bin and its neighbours (bias < 0.1 bin for a Hann window).
 *
 * @param power - power spectrum, length fftSize/2 + 1.
 * @param out - reused output array (cleared).
 */
export function findSpectralPeaks(
  power: Float32Array,
  sampleRateHz: number,
  fftSize: number,
  minHz: number,
  maxHz: number,
  rangeDb: number,
  out: SpectralPeak[],
): SpectralPeak[] {
  out.length = 0;
  const binHz = sampleRateHz / fftSize;
  const lo = Math.max(1, Math.floor(minHz / binHz));
  const hi = Math.min(power.length - 2, Math.ceil(maxHz / binHz));
  let maxP = 0;
  for (let k = lo; k <= hi; k++) if (power[k]! > maxP) maxP = power[k]!;
  if (!(maxP > 1e-12)) return out;
  const thr = maxP * 10 ** (-rangeDb / 10);
  for (let k = lo; k <= hi; k++) {
    const b = power[k]!;
    if (b < thr || b <= power[k - 1]! || b < power[k + 1]!) continue;
    const la = Math.log(power[k - 1]! + 1e-20);
    const lb = Math.log(b + 1e-20);
    const lc = Math.log(power[k + 1]! + 1e-20);
    const den = la - 2 * lb + lc;
    let delta = 0;
    let lp = lb;
    if (den < 0) {
      delta = Math.max(-0.5, Math.min(0.5, (0.5 * (la - lc)) / den));
      lp = lb - 0.25 * (la - lc) * delta;
    }
    out.push({ freqHz: (k + delta) * binHz, magnitude: Math.exp(0.5 * lp) });
  }
  return out;
}

/**
 * Adds spectral peaks to a fine pitch-class histogram and a tuning histogram.
 *
 * @param peaks - from `findSpectralPeaks`.
 * @param pcHist - length `PC_BINS`; bin b covers pitch class b·10 cents above A (nominal A4 = 440).
 * @param tuningHist - length `TUNING_BINS`; bin c holds deviation c − 50 … (1 cent, so bin 50 = 0).
 * @param harmonics - also credit f/h for h = 2..harmonics with weight 0.6^(h−1) (HPCP harmonic
 *   weighting, which reinforces the root of harmonic tones). @defaultValue 1 (none)
 */
export function accumulatePitchClassPeaks(
  peaks: readonly SpectralPeak[],
  pcHist: Float64Array | Float32Array,
  tuningHist: Float64Array | Float32Array | null,
  harmonics = 1,
): void {
  for (const p of peaks) {
    const cents = 1200 * Math.log2(p.freqHz / 440);
    if (tuningHist) {
      let dev = cents - 100 * Math.round(cents / 100); // [-50, 50]
      if (dev >= 50) dev -= 100;
      const pos = dev + 50; // [0, 100)
      const i0 = Math.floor(pos);
      const fr = pos - i0;
      tuningHist[i0 % TUNING_BINS]! += p.magnitude * (1 - fr);
      tuningHist[(i0 + 1) % TUNING_BINS]! += p.magnitude * fr;
    }
    let w = p.magnitude;
    for (let h = 1; h <= harmonics; h++) {
      const c = cents - 1200 * Math.log2(h);
      let pos = ((c / 10) % PC_BINS) + PC_BINS;
      pos %= PC_BINS;
      const i0 = Math.floor(pos);
      const fr = pos - i0;
      pcHist[i0 % PC_BINS]! += w * (1 - fr);
      pcHist[(i0 + 1) % PC_BINS]! += w * fr;
      w *= 0.6;
    }
  }
}

/**
 * Tuning deviation (cents, in [−50, 50)) from a 1-cent tuning histogram: the histogram is smoothed
 * circularly (±3 cents), its mode found, and the estimate refined by the circular mean of the bins
 * within ±15 cents of the mode (robust to stray peaks far from the main tuning).
 *
 * @returns null when the histogram is empty.
 */
export function estimateTuningCents(tuningHist: ArrayLike<number>): number | null {
  const n = tuningHist.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += tuningHist[i]!;
  if (!(total > 0)) return null;
  let mode = 0;
  let modeV = -1;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = -3; k <= 3; k++) s += tuningHist[(i + k + n) % n]!;
    if (s > modeV) {
      modeV = s;
      mode = i;
    }
  }
  let sc = 0;
  let ss = 0;
  for (let k = -15; k <= 15; k++) {
    const i = (mode + k + n) % n;
    const ang = (2 * Math.PI * (i - 50)) / n;
    sc += tuningHist[i]! * Math.cos(ang);
    ss += tuningHist[i]! * Math.sin(ang);
  }
  let dev = (Math.atan2(ss, sc) * n) / (2 * Math.PI);
  if (dev >= 50) dev -= 100;
  if (dev < -50) dev += 100;
  return dev;
}

/** Pitch-class names, C = 0. */
export const PITCH_CLASSES = [
  'C',
  'C#',
  'D',
  'D#',
  'E',
  'F',
  'F#',
  'G',
  'G#',
  'A',
  'A#',
  'B',
] as const;

/**
 * Folds a fine pitch-class histogram into 12 bins (C = 0 … B = 11) centred on the semitones
 * shifted by `tuningCents`, with a cos² weight over ±50 cents. Normalised to max 1 (all zeros
 * stay zeros).
 */
export function foldChroma(pcHist: ArrayLike<number>, tuningCents: number): Float64Array {
  const out = new Float64Array(12);
  const n = pcHist.length;
  const binCents = 1200 / n;
  for (let b = 0; b < n; b++) {
    const v = pcHist[b]!;
    if (v === 0) continue;
    const c = b * binCents - tuningCents; // cents above A, tuned
    const semis = c / 100;
    const nearest = Math.round(semis);
    const dist = semis - nearest; // [-0.5, 0.5]
    const w = Math.cos(Math.PI * dist) ** 2;
    const pcA = ((nearest % 12) + 12) % 12; // 0 = A
    out[(pcA + 9) % 12]! += v * w;
    // The neighbouring semitone gets the complement so no energy is lost.
    const other = dist >= 0 ? nearest + 1 : nearest - 1;
    const pcB = ((other % 12) + 12) % 12;
    out[(pcB + 9) % 12]! += v * (1 - w);
  }
  let max = 0;
  for (const v of out) max = Math.max(max, v);
  if (max > 0) for (let i = 0; i < 12; i++) out[i]! /= max;
  return out;
}

/** Key profiles (tonic first). */
export const KEY_PROFILES = {
  /** Krumhansl & Kessler 1982 probe-tone ratings. */
  krumhansl: {
    major: [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
    minor: [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17],
  },
  /** Temperley 1999 (Kostka–Payne corpus). */
  temperley: {
    major: [5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0],
    minor: [5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0],
  },
} as const;

export type KeyProfileName = keyof typeof KEY_PROFILES;

export interface KeyCandidate {
  /** Tonic pitch class name, e.g. `F#`. */
  readonly key: (typeof PITCH_CLASSES)[number];
  readonly mode: 'major' | 'minor';
  /** Pearson correlation of the chroma with the rotated profile, in [−1, 1]. */
  readonly correlation: number;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>, rot: number): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < 12; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= 12;
  mb /= 12;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < 12; i++) {
    const x = a[(i + rot) % 12]! - ma;
    const y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * Ranks the 24 major/minor keys by correlation of `chroma` (12 bins, C = 0) with the profile.
 * @returns all 24 candidates, best first.
 */
export function rankKeys(
  chroma: ArrayLike<number>,
  profile: KeyProfileName = 'temperley',
): KeyCandidate[] {
  const out: KeyCandidate[] = [];
  const p = KEY_PROFILES[profile];
  for (let tonic = 0; tonic < 12; tonic++) {
    out.push({
      key: PITCH_CLASSES[tonic]!,
      mode: 'major',
      correlation: pearson(chroma, p.major, tonic),
    });
    out.push({
      key: PITCH_CLASSES[tonic]!,
      mode: 'minor',
      correlation: pearson(chroma, p.minor, tonic),
    });
  }
  return out.sort((a, b) => b.correlation - a.correlation);
}

/**
 * Number of active pitch classes in one frame: peaks (within `rangeDb` of the strongest) credit
 * their own pitch class and, with weight 0.6^(h−1), the pitch classes of f/h for h = 2..4, so a
 * harmonic tone concentrates on its root; pitch classes reaching `ratio` × the maximum are counted.
 * 1 for a single note, about 2–2.5 for triads (harmonics of the upper notes reinforce the root);
 * a coarse polyphony cue.
 */
export function countActivePitchClasses(
  peaks: readonly SpectralPeak[],
  rangeDb = 40,
  ratio = 0.5,
): number {
  let maxMag = 0;
  for (const p of peaks) maxMag = Math.max(maxMag, p.magnitude);
  if (!(maxMag > 0)) return 0;
  const thr = maxMag * 10 ** (-rangeDb / 20);
  const pc = new Float64Array(12);
  for (const p of peaks) {
    if (p.magnitude < thr) continue;
    let w = p.magnitude;
    for (let h = 1; h <= 4; h++) {
      const midi = 69 + 12 * Math.log2(p.freqHz / h / 440);
      pc[((Math.round(midi) % 12) + 12) % 12]! += w;
      w *= 0.6;
    }
  }
  let max = 0;
  for (const v of pc) max = Math.max(max, v);
  let n = 0;
  for (const v of pc) if (v >= ratio * max) n++;
  return n;
}
